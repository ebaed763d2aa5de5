//! The organisation's own forms on a record over the API: the answers a record holds and a new
//! answer, for a child's record, a household's and a carer household's, checked as the pages
//! check them and read only by who reads the record in full in its organisation.

use super::custom_forms::{raw_answers, FormAnswerBody};
use super::schema::{BadRequest, Created, Forbidden, Invalid, Items, NotFound, Unauthorized};
use crate::auth::{ApiUser, Current};
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_store::custom_form_records::{Holder, RecordAnswer};
use uuid::Uuid;

fn answers_of(items: Option<Vec<RecordAnswer>>) -> Result<Response, ApiError> {
    let items = items.ok_or(ApiError(AppError::Forbidden))?;
    Ok(Json(Items { items }).into_response())
}

async fn answer_on(state: &AppState, cur: &Current, holder: Holder, form: Uuid, body: &Bytes) -> Result<Response, ApiError> {
    let (on, raw) = raw_answers(body)?;
    let made = state.store.answer_record_form(&cur.actor, holder, form, on.as_deref(), &raw).await?;
    Ok((StatusCode::CREATED, Json(Created { id: made })).into_response())
}

/// The answers to the organisation's forms on a child's record, newest first (for who reads
/// the record in full).
#[utoipa::path(get, path = "/api/v1/children/{id}/forms", tag = "forms", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = Items<RecordAnswer>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn child_answers(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api").await?;
    answers_of(state.store.child_form_answers(&cur.actor, &child).await?)
}

/// Fill in one of the organisation's forms on a child's record (a form whose `target` is
/// `child`). Answers its id.
#[utoipa::path(post, path = "/api/v1/children/{id}/forms/{form}", tag = "forms",
    params(("id" = Uuid, Path, description = "The child's id"), ("form" = Uuid, Path, description = "The form's id")),
    request_body = FormAnswerBody,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn child_answer(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer_on(&state, &cur, Holder::Child(id), form, &body).await
}

/// The answers to the organisation's forms on a household's record, newest first.
#[utoipa::path(get, path = "/api/v1/households/{id}/forms", tag = "forms", params(("id" = Uuid, Path, description = "The household's id")),
    responses((status = 200, body = Items<RecordAnswer>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn household_answers(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let h = state.store.view_household(&cur.actor, id, "api").await?;
    answers_of(state.store.household_form_answers(&cur.actor, &h).await?)
}

/// Fill in one of the organisation's forms on a household's record (a form whose `target` is
/// `household`). Answers its id.
#[utoipa::path(post, path = "/api/v1/households/{id}/forms/{form}", tag = "forms",
    params(("id" = Uuid, Path, description = "The household's id"), ("form" = Uuid, Path, description = "The form's id")),
    request_body = FormAnswerBody,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn household_answer(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer_on(&state, &cur, Holder::Household(id), form, &body).await
}

/// The answers to the organisation's forms on a carer household's record, newest first.
#[utoipa::path(get, path = "/api/v1/carers/{id}/forms", tag = "forms", params(("id" = Uuid, Path, description = "The carer household's id")),
    responses((status = 200, body = Items<RecordAnswer>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn carer_answers(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    match state.store.carer_form_answers(&cur.actor, id).await? {
        // Another organisation's carer reads as one that does not exist.
        None => Err(ApiError(AppError::NotFound)),
        some => answers_of(some),
    }
}

/// Fill in one of the organisation's forms on a carer household's record (a form whose
/// `target` is `carer`). Answers its id.
#[utoipa::path(post, path = "/api/v1/carers/{id}/forms/{form}", tag = "forms",
    params(("id" = Uuid, Path, description = "The carer household's id"), ("form" = Uuid, Path, description = "The form's id")),
    request_body = FormAnswerBody,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn carer_answer(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer_on(&state, &cur, Holder::Carer(id), form, &body).await
}
