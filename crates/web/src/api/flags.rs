//! `GET|POST /children/{id}/flags` and `POST /children/{id}/flags/{flag}/remove`: a child's
//! flags, read by whoever may read them and raised or removed by the people working on the
//! child; the store asks the policy and audits every change.

use super::json_body;
use super::schema::{BadRequest, Forbidden, Invalid, Items, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::flag::{removal_reason, FlagInput};
use krousar_store::flags::Flag;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Why a flag is taken down.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    /// Required: why the warning no longer holds.
    reason: Option<String>,
}

/// A flag raised.
#[derive(Serialize, ToSchema)]
pub struct Raised {
    id: Uuid,
}

/// The child's flags, newest first: those still up (`active`) and those removed or ended.
/// Opening the child is audited as reading its record.
#[utoipa::path(get, path = "/api/v1/children/{id}/flags", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = Items<Flag>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api").await?;
    let items = state.store.flags_of(&cur.actor, &child).await?.ok_or(ApiError(AppError::Forbidden))?;
    Ok(Json(Items { items }).into_response())
}

/// Raise a flag: a kind, a reason and, if it ends, its last day (today or later).
#[utoipa::path(post, path = "/api/v1/children/{id}/flags", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    request_body = FlagInput,
    responses((status = 201, body = Raised), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn raise(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let input: FlagInput = json_body(&body)?;
    let flag = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let id = state.store.raise_flag(&cur.actor, id, flag).await?;
    Ok((StatusCode::CREATED, Json(Raised { id })).into_response())
}

/// Take a flag down, saying why. A flag already removed is 404.
#[utoipa::path(post, path = "/api/v1/children/{id}/flags/{flag}/remove", tag = "children",
    params(("id" = Uuid, Path, description = "The child's id"), ("flag" = Uuid, Path, description = "The flag's id")),
    request_body = Removal,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, flag)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let r: Removal = json_body(&body)?;
    let reason = removal_reason(r.reason.as_deref()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    state.store.remove_flag(&cur.actor, id, flag, &reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
