//! `GET /notifications`, `POST /notifications/{id}/read` and `POST /notifications/read`: the
//! caller's own inbox. Nobody reads another person's notices; one that is not the caller's is
//! "not found", as one that does not exist.

use super::json_body;
use super::schema::{BadRequest, Forbidden, Invalid, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::pages::notice_line;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::notify::choices::Channels;
use krousar_domain::notify::settings::email_input;
use krousar_domain::notify::{Event, Notice};
use krousar_domain::FieldError;
use krousar_store::notifications::choices::Table;
use krousar_store::notifications::inbox::InboxNotice;
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A notice with its line in the caller's language.
#[derive(Serialize, ToSchema)]
pub struct NoticeItem {
    #[serde(flatten)]
    notice: InboxNotice,
    /// "3 visits and tasks are overdue", in the caller's language.
    text: String,
}

/// The caller's latest notices (at most 100), newest first, and how many are unread.
#[derive(Serialize, ToSchema)]
pub struct Inbox {
    unread: i64,
    items: Vec<NoticeItem>,
}

/// The caller's notices.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, body = Inbox), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let notices = state.store.inbox(&cur.actor).await?;
    let unread = state.store.unread_notices(cur.actor.user_id).await?;
    let items = notices
        .into_iter()
        .map(|n| {
            let text = notice_line(cur.tr, &Notice { event: n.event, count: n.count, link: n.link.clone() });
            NoticeItem { notice: n, text }
        })
        .collect();
    Ok(Json(Inbox { unread, items }).into_response())
}

/// Mark one of the caller's notices read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = Uuid, Path, description = "The notice's id")),
    responses((status = 204), (status = 401, response = Unauthorized), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn read(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    state.store.mark_notices_read(&cur.actor, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Mark all of the caller's notices read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    responses((status = 204), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn read_all(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    state.store.mark_notices_read(&cur.actor, None).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The caller's e-mail address for notices and the channels each event goes by (besides the
/// inbox, which holds every notice); `own` says whether they chose or follow their
/// organisation's defaults.
#[derive(Serialize, ToSchema)]
pub struct Choices {
    email: Option<String>,
    own: bool,
    events: BTreeMap<Event, Channels>,
}

/// New choices: an address (empty or absent for none), and the channels of every event, or
/// `null` to follow the organisation's defaults again.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoicesInput {
    email: Option<String>,
    events: Option<BTreeMap<Event, Channels>>,
}

/// How the caller is told of things.
#[utoipa::path(get, path = "/api/v1/notifications/choices", tag = "notifications",
    responses((status = 200, body = Choices), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn choices(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let c = state.store.my_notice_choices(&cur.actor).await?;
    Ok(Json(Choices { email: c.email, own: c.own, events: c.table }).into_response())
}

/// Change how the caller is told of things. Events left out of `events` get no e-mail.
#[utoipa::path(put, path = "/api/v1/notifications/choices", tag = "notifications", request_body = ChoicesInput,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Invalid)))]
pub async fn set_choices(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let c: ChoicesInput = json_body(&body)?;
    let email = email_input(c.email.as_deref().unwrap_or_default())
        .map_err(|code| ApiError(AppError::Invalid(krousar_domain::Invalid { errors: vec![FieldError { field: "email", code }] })))?;
    let table: Option<Table> =
        c.events.map(|given| Event::ALL.into_iter().map(|e| (e, given.get(&e).cloned().unwrap_or_default())).collect());
    state.store.set_my_notice_choices(&cur.actor, email.as_deref(), table.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
