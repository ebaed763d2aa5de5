//! For whoever runs the server: `/healthz` (the process answers) and `/readyz` (it can serve:
//! database reachable, schema current, keys loaded), with 503 and what is wrong otherwise.
//! Neither needs sign-in, and neither says more than ok or not.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn readyz(State(state): State<AppState>) -> Response {
    // A database that does not answer is "not ready" within two seconds, not at the pool's timeout.
    let Ok(r) = tokio::time::timeout(std::time::Duration::from_secs(2), state.store.readiness()).await else {
        let body = serde_json::json!({"database": "failing", "migrations": "unknown", "keys": "unknown"});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    };
    let word = |ok: bool| if ok { "ok" } else { "failing" };
    let body = serde_json::json!({
        "database": word(r.database),
        "migrations": match r.schema {
            Some(v) if v == r.expected_schema => "current",
            Some(v) if v < r.expected_schema => "behind",
            Some(_) => "newer than this server",
            None => "unknown",
        },
        "keys": word(r.keys),
    });
    let status = if r.ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}
