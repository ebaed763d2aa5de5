//! Forms between organisations on pages: a form's definition downloaded as a file and imported
//! from one; a published form shared with the other organisations (the ministry's are national
//! templates), looked at and adopted as the reader's own draft.

use super::builder::{allowed, back_to_form, list_page};
use super::fields::{field_views, FieldView};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::Ids;
use crate::pages::form::FormData;
use crate::pages::render;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::forms::file;
use krousar_domain::Invalid;
use krousar_store::StoreError;
use std::collections::BTreeMap;
use uuid::Uuid;

/// `GET /admin/forms/{id}/definition`: the draft as a file (`krousar-form` JSON), to import
/// into another organisation or installation. Only words and rules: no answer travels.
pub async fn download(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    allowed(&cur)?;
    let form = state.store.custom_form(&cur.actor, id).await?;
    Ok(crate::files::download(&format!("form-{id}.json"), "application/json", file::to_file(&form.draft, form.target)))
}

/// `POST /admin/forms/import` (multipart `file`): a definition file becomes a new draft; a
/// file that is not one (or breaks a builder rule) shows the list again with why, nothing kept.
pub async fn import(State(state): State<AppState>, PageUser(cur): PageUser, mp: axum::extract::Multipart) -> Result<Response, PageError> {
    allowed(&cur)?;
    let r = match crate::files::read_upload(mp).await {
        Ok(up) => match file::from_file(&up.bytes) {
            Ok((def, target)) => state.store.import_custom_form(&cur.actor, def, target).await,
            Err(e) => Err(StoreError::Invalid(e)),
        },
        Err(e) => Err(e),
    };
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/admin/forms/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => list_page(&state, &cur, &FormData::default(), &e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// `POST /admin/forms/{id}/share` (`shared=1|0`): offer the published form to the other
/// organisations, or stop (copies already adopted stay theirs).
pub async fn share(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let shared = FormData(pairs).get("shared").as_deref() == Some("1");
    let done = state.store.share_custom_form(&cur.actor, id, shared).await;
    back_to_form(&state, &cur, id, done).await
}

/// `POST /admin/forms/{id}/registration` (`on=1|0`): ask a child form's questions on the
/// child's registration form (a household form's on the household's form), or stop.
pub async fn registration(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let on = FormData(pairs).get("on").as_deref() == Some("1");
    let done = state.store.set_custom_form_in_registration(&cur.actor, id, on).await;
    back_to_form(&state, &cur, id, done).await
}

#[derive(Template)]
#[template(path = "form_shared.html")]
struct SharedPage {
    l: Layout,
    id: String,
    by: String,
    national: bool,
    adopted: bool,
    version: String,
    fields: Vec<FieldView>,
    disabled: bool,
}

/// `GET /admin/shared-forms/{id}`: a shared form as its workers would see it, to adopt.
pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    allowed(&cur)?;
    let tr = cur.tr;
    let f = state.store.shared_custom_form(&cur.actor, id).await?;
    let preview = super::fields::offered(&state.store, &cur, &f.definition, &BTreeMap::new(), None).await?;
    Ok(render(SharedPage {
        l: Layout::new(&cur, f.definition.name(tr.is_km()).to_string(), "/admin/case-settings"),
        id: id.to_string(),
        by: f.org_name,
        national: f.national,
        adopted: f.adopted,
        version: tr.t1("msg-form-version", "version", tr.num(f.version)),
        fields: field_views(tr, &f.definition, &BTreeMap::new(), &Invalid::default(), &preview),
        disabled: true,
    }))
}

/// `POST /admin/shared-forms/{id}/adopt`: the shared form's published version becomes a
/// draft of the reader's organisation, to check, change and publish.
pub async fn adopt(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    allowed(&cur)?;
    let new = state.store.adopt_custom_form(&cur.actor, id).await?;
    Ok(Redirect::to(&format!("/admin/forms/{new}")).into_response())
}
