//! Families searching for a child, through the API: the office's inquiries (`/inquiries`) and
//! the searches that may concern the caller's organisation's children (`/inquiries/incoming`).
//! The same store calls as the pages, with the same checks and audit.

use super::json_body;
use super::schema::{BadRequest, Forbidden, Invalid, Items, NotFound, TooMany, Unauthorized};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::inquiry::{HitState, InquiryInput, InquiryOutcome};
use krousar_domain::FieldError;
use krousar_store::inquiries::{IncomingMatch, InquiryRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An inquiry recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    id: Uuid,
}

/// How an inquiry ended.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closing {
    /// reunited, in_contact, not_found or withdrawn.
    outcome: String,
    note: Option<String>,
}

/// The answer of the organisation where a possible match is known.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// confirmed (with `child_id`, one of the children the match names), not_ours or declined.
    answer: String,
    child_id: Option<Uuid>,
    /// For the office where the family came (whom to call).
    message: Option<String>,
}

fn invalid(field: &'static str, code: &'static str) -> ApiError {
    ApiError(AppError::Invalid(krousar_domain::Invalid { errors: vec![FieldError { field, code }] }))
}

/// Record a family's search and look for the child in every organisation.
#[utoipa::path(post, path = "/api/v1/inquiries", tag = "inquiries", request_body = InquiryInput,
    responses((status = 201, body = Recorded), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Invalid), (status = 429, response = TooMany)))]
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: InquiryInput = json_body(&body)?;
    let inquiry = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let id = state.store.record_inquiry(&cur.actor, inquiry).await?;
    Ok((StatusCode::CREATED, Json(Recorded { id })).into_response())
}

/// The office's inquiries, newest first, each with where a possible match is known.
#[utoipa::path(get, path = "/api/v1/inquiries", tag = "inquiries",
    responses((status = 200, body = Items<InquiryRecord>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(Items { items: state.store.inquiries(&cur.actor).await? }).into_response())
}

/// One of the office's inquiries (another office's is not found).
#[utoipa::path(get, path = "/api/v1/inquiries/{id}", tag = "inquiries", params(("id" = Uuid, Path, description = "The inquiry's id")),
    responses((status = 200, body = InquiryRecord), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    Ok(Json(state.store.inquiry(&cur.actor, id).await?).into_response())
}

/// Close an inquiry with how it ended.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/close", tag = "inquiries", params(("id" = Uuid, Path, description = "The inquiry's id")),
    request_body = Closing,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn close(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let c: Closing = json_body(&body)?;
    let outcome = InquiryOutcome::parse(&c.outcome).ok_or_else(|| invalid("outcome", "err-invalid-choice"))?;
    state.store.close_inquiry(&cur.actor, id, outcome, c.note.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Searches that may concern the caller's organisation's children (its supervisors and
/// managers), with the organisation's own children each one means. Reading them is audited.
#[utoipa::path(get, path = "/api/v1/inquiries/incoming", tag = "inquiries",
    responses((status = 200, body = Items<IncomingMatch>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn incoming(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(Items { items: state.store.incoming_inquiries(&cur.actor, cur.tr.is_km()).await? }).into_response())
}

/// Answer a search: confirmed (records a tracing attempt on the child's open case), not ours,
/// or declined. Only a waiting match is answered.
#[utoipa::path(post, path = "/api/v1/inquiries/incoming/{id}", tag = "inquiries", params(("id" = Uuid, Path, description = "The match's id")),
    request_body = Answer,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn answer(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let a: Answer = json_body(&body)?;
    let kind = HitState::parse(&a.answer).filter(|s| *s != HitState::Waiting).ok_or_else(|| invalid("answer", "err-invalid-choice"))?;
    state.store.answer_inquiry(&cur.actor, id, kind, a.child_id, a.message.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
