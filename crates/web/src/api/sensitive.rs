//! `GET|PUT /children/{id}/sensitive`: a child's sensitive information, for the case's workers
//! and supervisor only; every call is audited by the store.

use super::schema::{BadRequest, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use super::{invalid_field, json_body};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::sensitive::SensitiveInput;
use krousar_store::sensitive::Sensitive;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The child's sensitive information, whole, and the version it replaces. A misspelt field is
/// refused rather than silently not saved.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SensitiveBody {
    /// The version as read (0 when nothing was recorded); a stale one is refused (409).
    #[schema(required = true)]
    version: Option<i64>,
    hiv_status: Option<String>,
    health: Option<String>,
    disability_detail: Option<String>,
    sexual_abuse: Option<String>,
    harmful_behaviour: Option<String>,
}

/// Read it (audited).
#[utoipa::path(get, path = "/api/v1/children/{id}/sensitive", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = Sensitive), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let s = state.store.view_sensitive(&cur.actor, id, "api").await?;
    Ok(Json(s).into_response())
}

/// Replace it whole. `version` is required (0 when nothing was recorded); a stale one is 409.
#[utoipa::path(put, path = "/api/v1/children/{id}/sensitive", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    request_body = SensitiveBody,
    responses((status = 200, body = Sensitive), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 422, response = Invalid)))]
pub async fn put(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let body: SensitiveBody = json_body(&body)?;
    let Some(version) = body.version else { return Err(invalid_field("version", "err-required")) };
    let input = SensitiveInput {
        hiv_status: body.hiv_status,
        health: body.health,
        disability_detail: body.disability_detail,
        sexual_abuse: body.sexual_abuse,
        harmful_behaviour: body.harmful_behaviour,
    };
    let info = input.validate().map_err(|e| ApiError(AppError::Invalid(e)))?;
    let s = state.store.update_sensitive(&cur.actor, id, version, info).await?;
    Ok(Json(s).into_response())
}
