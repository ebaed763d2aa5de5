//! Building the organisation's own forms on pages (no text format to learn): the list of forms,
//! a form's draft with its fields (add, change, move, remove), a preview exactly as a worker
//! will see it, publishing the draft as a new version, retiring and restoring.

use super::fields::{field_views, FieldView};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::pages::form::{values_of, FormData, FormView};
use crate::pages::{notice_of, render, unprocessable};
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::forms::definition::{FieldInput, Move};
use krousar_domain::forms::{FieldKind, FormDef, FormTarget};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::StoreError;
use std::collections::BTreeMap;
use uuid::Uuid;

pub(super) fn allowed(cur: &Current) -> Result<(), PageError> {
    if decide(&cur.actor, Action::ManageCaseSettings, Target::Organisation(cur.actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

pub struct FormRow {
    pub id: String,
    pub name: String,
    pub status: String,
}

/// A form another organisation shares, as offered on the list.
pub struct SharedRow {
    pub id: String,
    pub name: String,
    pub by: String,
    pub national: bool,
    pub adopted: bool,
}

#[derive(Template)]
#[template(path = "forms_list.html")]
struct ListPage {
    l: Layout,
    forms: Vec<FormRow>,
    shared: Vec<SharedRow>,
    targets: Vec<Opt>,
    f: FormView,
    notice: String,
}

pub(super) async fn list_page(state: &AppState, cur: &Current, values: &FormData, e: &Invalid) -> Result<Response, PageError> {
    allowed(cur)?;
    let tr = cur.tr;
    let forms = state
        .store
        .custom_forms(cur.actor.org_id, false)
        .await?
        .into_iter()
        .map(|f| FormRow {
            id: f.id.to_string(),
            name: f.draft.name(tr.is_km()).to_string(),
            status: match (f.current_version, f.active) {
                (0, _) => tr.t("msg-form-draft"),
                (v, true) => tr.t1("msg-form-version", "version", tr.num(v)),
                (_, false) => tr.t("msg-retired"),
            },
        })
        .collect();
    let shared = state
        .store
        .shared_custom_forms(&cur.actor)
        .await?
        .into_iter()
        .map(|f| SharedRow {
            id: f.id.to_string(),
            name: f.definition.name(tr.is_km()).to_string(),
            by: f.org_name,
            national: f.national,
            adopted: f.adopted,
        })
        .collect();
    let body = render(ListPage {
        l: Layout::new(cur, tr.t("page-forms"), "/admin/case-settings"),
        forms,
        shared,
        targets: options(tr, FormTarget::ALL, FormTarget::code, FormTarget::label_key, values.get("target").as_deref(), None),
        f: FormView::new(values.0.iter().cloned(), e, tr),
        notice: if e.errors.is_empty() { String::new() } else { notice_of(cur, e) },
    });
    Ok(if e.errors.is_empty() { body } else { unprocessable(body) })
}

/// `GET /admin/forms`
pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    list_page(&state, &cur, &FormData::default(), &Invalid::default()).await
}

/// `POST /admin/forms`: a new form, named.
pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let f = FormData(pairs);
    let target = match f.get("target").as_deref().map(FormTarget::parse) {
        None => Some(FormTarget::Case),
        Some(t) => t,
    };
    let named = FormDef::named(f.get("name_km").as_deref(), f.get("name_en").as_deref());
    match (named, target) {
        (Err(e), _) => list_page(&state, &cur, &f, &e).await,
        (Ok(_), None) => {
            let mut e = Invalid::default();
            e.push("target", "err-invalid-choice");
            list_page(&state, &cur, &f, &e).await
        }
        (Ok(draft), Some(target)) => {
            let id = state.store.create_custom_form_for(&cur.actor, draft, target).await?;
            Ok(Redirect::to(&format!("/admin/forms/{id}")).into_response())
        }
    }
}

pub struct DraftField {
    pub code: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
}

#[derive(Template)]
#[template(path = "form_builder.html")]
struct BuilderPage {
    l: Layout,
    id: String,
    draft_fields: Vec<DraftField>,
    /// The preview: the draft as a worker will see it.
    fields: Vec<FieldView>,
    disabled: bool,
    kinds: Vec<Opt>,
    f: FormView,
    status: String,
    active: bool,
    published: bool,
    /// The draft differs from the version answered now.
    unpublished_changes: bool,
    shared: bool,
    adopted: bool,
    /// Where it is filled in, in words.
    target: String,
    /// A child or household form: it may be asked on the registration (household) form.
    registrable: bool,
    in_registration: bool,
    notice: String,
}

pub(super) async fn builder(state: &AppState, cur: &Current, id: Uuid, values: &FormData, e: &Invalid) -> Result<Response, PageError> {
    allowed(cur)?;
    let tr = cur.tr;
    let form = state.store.custom_form(&cur.actor, id).await?;
    let km = tr.is_km();
    let preview = super::fields::offered(&state.store, cur, &form.draft, &BTreeMap::new(), None).await?;
    let body = render(BuilderPage {
        l: Layout::new(cur, form.draft.name(km).to_string(), "/admin/case-settings"),
        id: id.to_string(),
        draft_fields: form
            .draft
            .fields
            .iter()
            .map(|f| DraftField {
                code: f.code.clone(),
                label: f.label(km).to_string(),
                kind: tr.t(&f.kind.label_key()),
                required: f.required,
            })
            .collect(),
        fields: field_views(tr, &form.draft, &BTreeMap::new(), &Invalid::default(), &preview),
        disabled: true,
        kinds: options(tr, FieldKind::ALL, FieldKind::code, FieldKind::label_key, values.get("kind").as_deref(), Some("opt-choose")),
        f: FormView::new(values.0.iter().cloned(), e, tr),
        status: match form.current_version {
            0 => tr.t("msg-form-draft"),
            v => tr.t1("msg-form-version", "version", tr.num(v)),
        },
        active: form.active,
        published: form.current_version > 0,
        unpublished_changes: form.current.as_ref() != Some(&form.draft),
        shared: form.shared,
        adopted: form.adopted_from.is_some(),
        target: tr.t(&form.target.label_key()),
        registrable: matches!(form.target, FormTarget::Child | FormTarget::Household),
        in_registration: form.in_registration,
        notice: if e.errors.is_empty() { String::new() } else { notice_of(cur, e) },
    });
    Ok(if e.errors.is_empty() { body } else { unprocessable(body) })
}

/// `GET /admin/forms/{id}`
pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    builder(&state, &cur, id, &FormData::default(), &Invalid::default()).await
}

fn field_input(f: &FormData) -> FieldInput {
    FieldInput {
        kind: f.get("kind"),
        label_km: f.get("label_km"),
        label_en: f.get("label_en"),
        help_km: f.get("help_km"),
        help_en: f.get("help_en"),
        required: f.get("required"),
        min: f.get("min"),
        max: f.get("max"),
        choices_km: f.get("choices_km"),
        choices_en: f.get("choices_en"),
        scores: f.get("scores"),
    }
}

/// `POST /admin/forms/{id}/fields`: add a field at the end of the draft.
pub async fn add_field(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let f = FormData(pairs);
    let input = field_input(&f);
    match state.store.edit_custom_form(&cur.actor, id, "add", |d| d.add_field(&input).map(|_| ())).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/forms/{id}#fields")).into_response()),
        Err(StoreError::Invalid(e)) => builder(&state, &cur, id, &f, &e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "form_field.html")]
struct FieldPage {
    l: Layout,
    id: String,
    code: String,
    kinds: Vec<Opt>,
    f: FormView,
    notice: String,
}

async fn field_page(
    state: &AppState,
    cur: &Current,
    id: Uuid,
    code: &str,
    values: Option<&FormData>,
    e: &Invalid,
) -> Result<Response, PageError> {
    allowed(cur)?;
    let tr = cur.tr;
    let form = state.store.custom_form(&cur.actor, id).await?;
    let field = form.draft.field(code).ok_or(PageError(AppError::NotFound))?;
    let pairs: Vec<(String, String)> = match values {
        Some(v) => v.0.clone(),
        None => values_of(&FieldInput::of(field)),
    };
    let kind = pairs.iter().find(|(k, _)| k == "kind").map(|(_, v)| v.clone());
    let body = render(FieldPage {
        l: Layout::new(cur, field.label(tr.is_km()).to_string(), "/admin/case-settings"),
        id: id.to_string(),
        code: code.to_string(),
        kinds: options(tr, FieldKind::ALL, FieldKind::code, FieldKind::label_key, kind.as_deref(), None),
        f: FormView::new(pairs, e, tr),
        notice: if e.errors.is_empty() { String::new() } else { notice_of(cur, e) },
    });
    Ok(if e.errors.is_empty() { body } else { unprocessable(body) })
}

/// `GET /admin/forms/{id}/fields/{code}`
pub async fn field(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, code)): Ids<(Uuid, String)>,
) -> Result<Response, PageError> {
    field_page(&state, &cur, id, &code, None, &Invalid::default()).await
}

/// `POST /admin/forms/{id}/fields/{code}`: change a field of the draft.
pub async fn change_field(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, code)): Ids<(Uuid, String)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let f = FormData(pairs);
    let input = field_input(&f);
    match state.store.edit_custom_form(&cur.actor, id, "change", |d| d.change_field(&code, &input)).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/forms/{id}#fields")).into_response()),
        Err(StoreError::Invalid(e)) => field_page(&state, &cur, id, &code, Some(&f), &e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// `POST /admin/forms/{id}/fields/{code}/{action}`: move a field up or down, or remove it.
pub async fn field_action(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, code, action)): Ids<(Uuid, String, String)>,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let what: &'static str = match action.as_str() {
        "up" => "up",
        "down" => "down",
        "remove" => "remove",
        _ => return Err(PageError(AppError::NotFound)),
    };
    state
        .store
        .edit_custom_form(&cur.actor, id, what, |d| {
            match what {
                "up" => d.move_field(&code, Move::Up),
                "down" => d.move_field(&code, Move::Down),
                _ => d.remove_field(&code),
            };
            Ok(())
        })
        .await?;
    Ok(Redirect::to(&format!("/admin/forms/{id}#fields")).into_response())
}

/// `POST /admin/forms/{id}/publish`: the draft becomes the next version.
pub async fn publish(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    allowed(&cur)?;
    let done = state.store.publish_custom_form(&cur.actor, id).await;
    back_to_form(&state, &cur, id, done).await
}

/// After a change to a form: back to its page, or its page saying why the change was refused.
pub(super) async fn back_to_form<T>(state: &AppState, cur: &Current, id: Uuid, done: Result<T, StoreError>) -> Result<Response, PageError> {
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => builder(state, cur, id, &FormData::default(), &e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// `POST /admin/forms/{id}/active`: retire (`active=0`) or restore (`active=1`).
pub async fn set_active(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let f = FormData(pairs);
    state.store.set_custom_form_active(&cur.actor, id, f.get("active").as_deref() == Some("1")).await?;
    Ok(Redirect::to(&format!("/admin/forms/{id}")).into_response())
}
