//! `GET|PUT /children/{id}/sensitive`: a child's sensitive information, for the case's workers
//! and supervisor only; every call is audited by the store.

use super::json_body;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::sensitive::SensitiveInput;
use serde::Deserialize;

/// A misspelt field is refused rather than silently not saved.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    version: Option<i64>,
    hiv_status: Option<String>,
    health: Option<String>,
    disability_detail: Option<String>,
    sexual_abuse: Option<String>,
    harmful_behaviour: Option<String>,
}

pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let s = state.store.view_sensitive(&cur.actor, id, "api").await?;
    Ok(Json(s).into_response())
}

/// Replace it whole. `version` is required (0 when nothing was recorded); a stale one is 409.
pub async fn put(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: Body = json_body(&body)?;
    let Some(version) = body.version else {
        let mut e = krousar_domain::Invalid::default();
        e.push("version", "err-required");
        return Err(ApiError(AppError::Invalid(e)));
    };
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
