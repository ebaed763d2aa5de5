//! `POST /duplicate-scans` starts scanning the caller's organisation for children registered
//! twice (supervisors, managers); `GET /duplicate-scans/latest` answers its progress and the
//! pairs the caller may see.

use super::schema::{Created, Forbidden, Unauthorized};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_store::duplicate_scan::{Scan, ScanPair};
use serde::Serialize;
use utoipa::ToSchema;

/// Start a scan; it runs in the background (`GET /duplicate-scans/latest` follows it).
#[utoipa::path(post, path = "/api/v1/duplicate-scans", tag = "children",
    responses((status = 202, description = "Started", body = Created), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn start(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let id = state.store.start_duplicate_scan(&cur.actor).await?;
    crate::jobs::duplicate_scan(state.store.clone(), id);
    Ok((StatusCode::ACCEPTED, Json(Created { id })).into_response())
}

/// The latest scan (none yet: `null`) and the pairs it found that the caller may see.
#[derive(Serialize, ToSchema)]
pub struct LatestScan {
    scan: Option<Scan>,
    items: Vec<ScanPair>,
}

/// The latest scan's progress and findings.
#[utoipa::path(get, path = "/api/v1/duplicate-scans/latest", tag = "children",
    responses((status = 200, body = LatestScan), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn latest(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let found = state.store.latest_duplicate_scan(&cur.actor, crate::pages::DUPLICATE_PAIRS_SHOWN).await?;
    let (scan, items) = match found {
        None => (None, Vec::new()),
        Some((scan, pairs)) => (Some(scan), pairs),
    };
    Ok(Json(LatestScan { scan, items }).into_response())
}
