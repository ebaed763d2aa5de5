//! For whoever runs the server: `/healthz` (the process answers) and `/readyz` (it can serve:
//! database reachable, schema current, keys loaded), with 503 and what is wrong otherwise.
//! Neither needs sign-in, and neither says more than ok or not.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn readyz(State(state): State<AppState>) -> Response {
    let r = state.store.readiness().await;
    let word = |ok: bool| if ok { "ok" } else { "failing" };
    let body = serde_json::json!({
        "database": word(r.database),
        "migrations": if r.schema == Some(r.expected_schema) { "current" } else if r.database { "behind" } else { "unknown" },
        "keys": word(r.keys),
    });
    let status = if r.ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}
