//! `GET /notifications`, `POST /notifications/{id}/read` and `POST /notifications/read`: the
//! caller's own inbox. Nobody reads another person's notices; one that is not the caller's is
//! "not found", as one that does not exist.

use super::schema::{Forbidden, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::Ids;
use crate::pages::notice_line;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::notify::Notice;
use krousar_store::notifications::inbox::InboxNotice;
use serde::Serialize;
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
