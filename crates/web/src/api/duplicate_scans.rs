//! `POST /duplicate-scans` starts scanning the caller's organisation for children registered
//! twice (supervisors, managers); `GET /duplicate-scans/latest` answers its progress and the
//! pairs the caller may see.

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn start(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let id = state.store.start_duplicate_scan(&cur.actor).await?;
    crate::jobs::duplicate_scan(state.store.clone(), id);
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": id }))).into_response())
}

pub async fn latest(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let found = state.store.latest_duplicate_scan(&cur.actor, crate::pages::DUPLICATE_PAIRS_SHOWN).await?;
    Ok(Json(match found {
        None => json!({ "scan": null, "items": [] }),
        Some((scan, pairs)) => json!({ "scan": scan, "items": pairs }),
    })
    .into_response())
}
