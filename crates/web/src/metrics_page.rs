//! `/metrics` in Prometheus's text format, for whoever runs the server: requests by route and
//! status with their latency, the database pool, the notice queue and background jobs, sync
//! changes by outcome, sign-in failures and lockouts. Behind a token (`metrics_token`): without
//! one configured the page does not exist. Routes are labelled by their shape (ids folded), and
//! an unknown address is one label, so nobody can grow the series without end.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Buckets of the request latency histogram, in seconds.
const LATENCY: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process's recorder, installed once (every router of the process shares it).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("krousar_http_request_duration_seconds".into()), LATENCY)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// A request's route as a label: its path with ids, numbers and secrets folded; every address
/// nothing answers is "unmatched".
pub fn route_label(path: &str, status: u16) -> String {
    if status == 404 {
        return "unmatched".into();
    }
    let fold = |seg: &str| -> String {
        let (stem, ext) = seg.rsplit_once('.').map_or((seg, ""), |(s, e)| (s, e));
        let hexish = stem.len() >= 16 && stem.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if hexish {
            if ext.is_empty() {
                "{id}".into()
            } else {
                format!("{{id}}.{ext}")
            }
        } else if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
            "{n}".into()
        } else if seg.len() > 40 {
            "{long}".into()
        } else {
            seg.to_string()
        }
    };
    path.split('/').map(fold).collect::<Vec<_>>().join("/")
}

fn token_matches(given: &str, wanted: &str) -> bool {
    // Compared as digests: the time taken says nothing of how much of the token was right.
    Sha256::digest(given.as_bytes()) == Sha256::digest(wanted.as_bytes())
}

pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(wanted) = state.config.metrics_token.as_deref().filter(|t| !t.is_empty()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    if !token_matches(given, wanted) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    let Some(handle) = install() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    // What is read at the time of asking: the pool, and the queues in the database.
    let pool = state.store.pool();
    metrics::gauge!("krousar_db_pool_connections", "state" => "open").set(f64::from(pool.size()));
    metrics::gauge!("krousar_db_pool_connections", "state" => "idle").set(pool.num_idle() as f64);
    if let Ok(queues) = state.store.queue_sizes().await {
        for (what, state_name, n) in queues {
            metrics::gauge!("krousar_queue", "queue" => what, "state" => state_name).set(n as f64);
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn routes_are_labelled_by_their_shape() {
        assert_eq!(route_label("/children/0190a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b/case", 200), "/children/{id}/case");
        assert_eq!(
            route_label("/calendar/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.ics", 200),
            "/calendar/{id}.ics"
        );
        assert_eq!(route_label("/api/v1/sync/photos/123", 200), "/api/v1/sync/photos/{n}");
        assert_eq!(route_label("/anything/at/all", 404), "unmatched");
        assert_eq!(route_label("/", 200), "/");
    }
}
