//! Filling in one of the organisation's own forms on a child's case, or on a record (the
//! child's, a household's, a carer household's): the same page, posted to either.

use super::fields::{field_views, offered, FieldView, PLACE_LEVELS};
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
use krousar_store::custom_form_files::NewFile;
use krousar_store::custom_form_records::{Holder, RecordAnswer};
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
    /// The form asks for files: sent as a file upload (to `<action>/files`).
    multipart: bool,
}

/// What a form posted: each field's values (several for a several-choices field), and the
/// levels a place field's picker was left at (`f3_district`: shown again, never an answer).
pub fn posted_values(f: &FormData) -> BTreeMap<String, Vec<String>> {
    let field = |k: &str| k.len() > 1 && k.starts_with('f') && k[1..].chars().all(|c| c.is_ascii_digit());
    let wanted = |k: &str| field(k) || k.rsplit_once('_').is_some_and(|(code, level)| field(code) && PLACE_LEVELS.contains(&level));
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in f.0.iter().filter(|(k, _)| wanted(k)) {
        out.entry(k.clone()).or_default().push(v.clone());
    }
    out
}

/// The worker asked to see the places under a level of a place field (without script), not
/// to save.
pub(crate) fn is_place_lookup(f: &FormData) -> bool {
    f.0.iter().any(|(k, _)| k.strip_suffix("_refresh").is_some_and(|c| c.starts_with('f') && c[1..].chars().all(|x| x.is_ascii_digit())))
}

/// Which record's pages a form was reached from: a child's (the case's forms and the record's),
/// a household's or a carer household's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Child,
    Household,
    Carer,
}

impl On {
    fn fits(self, target: FormTarget) -> bool {
        match self {
            On::Child => matches!(target, FormTarget::Case | FormTarget::Child),
            On::Household => target == FormTarget::Household,
            On::Carer => target == FormTarget::Carer,
        }
    }

    fn section(self) -> &'static str {
        match self {
            On::Child => "/children",
            On::Household => "/households",
            On::Carer => "/carers",
        }
    }
}

/// Where a form is filled in on a record: (the page posted to, the page to go back to).
pub(super) fn paths(form: &CustomForm, id: Uuid) -> (String, String) {
    match Holder::on(form.target, id) {
        None => (format!("/children/{id}/case/custom/{}", form.id), format!("/children/{id}/case")),
        Some(h) => (format!("{}/forms/{}", h.path(), form.id), format!("{}#own-forms", h.path())),
    }
}

pub(super) async fn page(
    state: &AppState,
    cur: &Current,
    id: Uuid,
    form: &CustomForm,
    values: &BTreeMap<String, Vec<String>>,
    on: String,
    e: &Invalid,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let def = form.current.as_ref().ok_or(PageError(AppError::NotFound))?;
    let (action, back) = paths(form, id);
    let offered = offered(&state.store, cur, def, values, Some((form.target, id))).await?;
    let section = match form.target {
        FormTarget::Household => On::Household,
        FormTarget::Carer => On::Carer,
        _ => On::Child,
    }
    .section();
    let body = render(AnswerPage {
        l: Layout::new(cur, def.name(tr.is_km()).to_string(), section),
        action,
        back,
        back_label: tr.t(if form.target == FormTarget::Case { "btn-case" } else { "btn-back" }),
        version: tr.t1("msg-form-version", "version", tr.num(form.current_version)),
        answered_on: on,
        date_error: e.errors.iter().find(|x| x.field == "answered_on").map(|x| tr.t(x.code)).unwrap_or_default(),
        fields: field_views(tr, def, values, e, &offered),
        disabled: false,
        notice: if e.errors.is_empty() { String::new() } else { notice_of(cur, e) },
        multipart: form.target == FormTarget::Case && def.asks_for_files(),
    });
    Ok(if e.errors.is_empty() { body } else { unprocessable(body) })
}

/// The form, if it may be filled in on this record now, with what the record holds (for a form
/// on a record). Reading the record first checks that the user may see it at all (and audits
/// it), so a form on a record they may not read answers as missing.
async fn load(state: &AppState, cur: &Current, on: On, id: Uuid, form: Uuid) -> Result<(CustomForm, Vec<RecordAnswer>), PageError> {
    let f = state.store.custom_form(&cur.actor, form).await;
    let target = f.as_ref().map(|f| f.target).unwrap_or(FormTarget::Case);
    let held = match (on, target) {
        (On::Child, FormTarget::Child) => {
            let child = state.store.view_child(&cur.actor, id, "form").await?;
            state.store.child_form_answers(&cur.actor, &child).await?
        }
        (On::Child, _) => {
            drop(state.store.case_file(&cur.actor, id, "form").await?);
            Some(Vec::new())
        }
        (On::Household, _) => {
            let h = state.store.view_household(&cur.actor, id, "form").await?;
            state.store.household_form_answers(&cur.actor, &h).await?
        }
        (On::Carer, _) => state.store.carer_form_answers(&cur.actor, id).await?,
    };
    let f = f?;
    let Some(held) = held else { return Err(PageError(AppError::NotFound)) };
    if f.current.is_none() || !f.active || !on.fits(f.target) {
        return Err(PageError(AppError::NotFound));
    }
    Ok((f, held))
}

async fn show_on(state: AppState, cur: Current, on: On, id: Uuid, form: Uuid) -> Result<Response, PageError> {
    let (f, held) = load(&state, &cur, on, id, form).await?;
    // A form on a record starts from what the record says now.
    let values = held.iter().find(|a| a.answers.form_id == f.id).map(|a| super::record::values_of(&a.answers)).unwrap_or_default();
    page(&state, &cur, id, &f, &values, cur.actor.today().to_string(), &Invalid::default()).await
}

async fn save_on(
    state: AppState,
    cur: Current,
    on: On,
    id: Uuid,
    form: Uuid,
    pairs: Vec<(String, String)>,
    files: Vec<NewFile>,
) -> Result<Response, PageError> {
    let (f, _) = load(&state, &cur, on, id, form).await?;
    let data = FormData(pairs);
    let values = posted_values(&data);
    let day = data.get("answered_on");
    if is_place_lookup(&data) {
        return page(&state, &cur, id, &f, &values, day.unwrap_or_default(), &Invalid::default()).await;
    }
    let saved = match Holder::on(f.target, id) {
        None => state.store.answer_custom_form_with(&cur.actor, id, form, day.as_deref(), &values, &files).await.map(|_| ()),
        Some(h) => state.store.answer_record_form(&cur.actor, h, form, day.as_deref(), &values).await.map(|_| ()),
    };
    match saved {
        Ok(()) if f.target == FormTarget::Case => Ok(Redirect::to(&format!("/children/{id}/case#timeline")).into_response()),
        Ok(()) => Ok(Redirect::to(&paths(&f, id).1).into_response()),
        Err(StoreError::Invalid(e)) => page(&state, &cur, id, &f, &values, day.unwrap_or_default(), &e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// `GET /children/{id}/case/custom/{form}` and `GET /children/{id}/forms/{form}`
pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    show_on(state, cur, On::Child, id, form).await
}

/// `POST /children/{id}/case/custom/{form}` and `POST /children/{id}/forms/{form}`
pub async fn save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    save_on(state, cur, On::Child, id, form, pairs, Vec::new()).await
}

/// `POST /children/{id}/case/custom/{form}/files`: the same, sent with files for the form's
/// file questions (a file upload form).
pub async fn save_with_files(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    mut mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let question = |k: &str| k.len() > 1 && k.starts_with('f') && k[1..].chars().all(|c| c.is_ascii_digit());
    let (mut pairs, mut files) = (Vec::new(), Vec::new());
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(PageError(AppError::BadRequest("err-file-too-large"))),
        };
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|_| PageError(AppError::BadRequest("err-file-too-large")))?;
                // A file question left empty sends a part with no bytes: no answer.
                if question(&name) && !bytes.is_empty() && !files.iter().any(|f: &NewFile| f.code == name) {
                    files.push(NewFile { code: name, name: file_name, bytes: bytes.to_vec() });
                }
            }
            None => pairs.push((name, field.text().await.unwrap_or_default())),
        }
    }
    save_on(state, cur, On::Child, id, form, pairs, files).await
}

/// `GET /households/{id}/forms/{form}`
pub async fn household_show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    show_on(state, cur, On::Household, id, form).await
}

/// `POST /households/{id}/forms/{form}`
pub async fn household_save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    save_on(state, cur, On::Household, id, form, pairs, Vec::new()).await
}

/// `GET /carers/{id}/forms/{form}`
pub async fn carer_show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    show_on(state, cur, On::Carer, id, form).await
}

/// `POST /carers/{id}/forms/{form}`
pub async fn carer_save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    save_on(state, cur, On::Carer, id, form, pairs, Vec::new()).await
}
