//! Filling in one of the organisation's own forms on a child's case, or on the child's record
//! (the same page, posted to either).

use super::fields::{field_views, FieldView};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::pages::form::FormData;
use crate::pages::{notice_of, render, unprocessable};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::forms::FormTarget;
use krousar_domain::Invalid;
use krousar_store::custom_forms::CustomForm;
use krousar_store::StoreError;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "case_custom.html")]
struct AnswerPage {
    l: Layout,
    /// Where the form is posted, and where "back" leads (the case, or the child's record).
    action: String,
    back: String,
    back_label: String,
    version: String,
    answered_on: String,
    date_error: String,
    fields: Vec<FieldView>,
    disabled: bool,
    notice: String,
}

/// What a form posted: each field's values (several for a several-choices field).
pub fn posted_values(f: &FormData) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in f.0.iter().filter(|(k, _)| k.starts_with('f') && k[1..].chars().all(|c| c.is_ascii_digit())) {
        out.entry(k.clone()).or_default().push(v.clone());
    }
    out
}

/// Where a form is filled in for a child: (the page posted to, the page to go back to).
pub(super) fn paths(form: &CustomForm, child: Uuid) -> (String, String) {
    match form.target {
        FormTarget::Case => (format!("/children/{child}/case/custom/{}", form.id), format!("/children/{child}/case")),
        FormTarget::Child => (format!("/children/{child}/forms/{}", form.id), format!("/children/{child}#own-forms")),
    }
}

pub(super) fn page(
    cur: &Current,
    child: Uuid,
    form: &CustomForm,
    values: &BTreeMap<String, Vec<String>>,
    on: String,
    e: &Invalid,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let def = form.current.as_ref().ok_or(PageError(AppError::NotFound))?;
    let (action, back) = paths(form, child);
    let body = render(AnswerPage {
        l: Layout::new(cur, def.name(tr.is_km()).to_string(), "/children"),
        action,
        back,
        back_label: tr.t(if form.target == FormTarget::Case { "btn-case" } else { "btn-back" }),
        version: tr.t1("msg-form-version", "version", tr.num(form.current_version)),
        answered_on: on,
        date_error: e.errors.iter().find(|x| x.field == "answered_on").map(|x| tr.t(x.code)).unwrap_or_default(),
        fields: field_views(tr, def, values, e),
        disabled: false,
        notice: if e.errors.is_empty() { String::new() } else { notice_of(cur, e) },
    });
    Ok(if e.errors.is_empty() { body } else { unprocessable(body) })
}

async fn load(state: &AppState, cur: &Current, child: Uuid, form: Uuid) -> Result<CustomForm, PageError> {
    // Reading the case (or the record) checks that the user may see this child at all (and
    // audits it).
    let f = state.store.custom_form(&cur.actor, form).await;
    match f.as_ref().map(|f| f.target) {
        Ok(FormTarget::Child) => drop(state.store.view_child(&cur.actor, child, "form").await?),
        _ => drop(state.store.case_file(&cur.actor, child, "form").await?),
    }
    let f = f?;
    if f.current.is_none() || !f.active {
        return Err(PageError(AppError::NotFound));
    }
    Ok(f)
}

/// `GET /children/{id}/case/custom/{form}` and `GET /children/{id}/forms/{form}`
pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    let f = load(&state, &cur, id, form).await?;
    // A form on the record starts from what the record says now.
    let mut values = BTreeMap::new();
    if f.target == FormTarget::Child {
        let child = state.store.view_child(&cur.actor, id, "form").await?;
        let answers = state.store.child_form_answers(&cur.actor, &child).await?.unwrap_or_default();
        if let Some(latest) = answers.iter().find(|a| a.answers.form_id == f.id) {
            values = super::record::values_of(&latest.answers);
        }
    }
    page(&cur, id, &f, &values, cur.actor.today().to_string(), &Invalid::default())
}

/// `POST /children/{id}/case/custom/{form}` and `POST /children/{id}/forms/{form}`
pub async fn save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = load(&state, &cur, id, form).await?;
    let data = FormData(pairs);
    let values = posted_values(&data);
    let on = data.get("answered_on");
    let saved = match f.target {
        FormTarget::Case => state.store.answer_custom_form(&cur.actor, id, form, on.as_deref(), &values).await.map(|_| ()),
        FormTarget::Child => state.store.answer_child_form(&cur.actor, id, form, on.as_deref(), &values).await.map(|_| ()),
    };
    match saved {
        Ok(()) if f.target == FormTarget::Case => Ok(Redirect::to(&format!("/children/{id}/case#timeline")).into_response()),
        Ok(()) => Ok(Redirect::to(&paths(&f, id).1).into_response()),
        Err(StoreError::Invalid(e)) => page(&cur, id, &f, &values, on.unwrap_or_default(), &e),
        Err(e) => Err(PageError::from(e)),
    }
}
