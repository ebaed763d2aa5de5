//! `/metrics` in Prometheus's text format, for whoever runs the server: requests by route and
//! status with their latency, the database pool, the notice queue and background jobs, sync
//! changes by outcome, sign-in failures and lockouts. Behind a token (`metrics_token`): without
//! one configured the page does not exist and nothing is recorded. Requests are labelled by the
//! route that answered (its pattern, `/children/{id}`) and a known method, an unknown address
//! being one label, so nobody can grow the series without end.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
/// The queue states seen so far (a handful), so that one that empties is set back to 0.
static SEEN: std::sync::Mutex<std::collections::BTreeSet<(&'static str, String)>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Buckets of the request latency histogram, in seconds.
const LATENCY: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process's recorder, installed once (every router of the process shares it) by a server
/// with a metrics token; the histograms' samples are drained by `upkeep`.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("krousar_http_request_duration_seconds".into()), LATENCY)
                .ok()?
                .set_buckets_for_metric(Matcher::Full("krousar_audit_batch_seconds".into()), LATENCY)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Whether this process records metrics (a server with a token installed the recorder).
pub fn recording() -> bool {
    HANDLE.get().is_some_and(Option::is_some)
}

/// Fold the histograms' samples into their buckets every few seconds, scraped or not.
pub async fn upkeep() {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Some(Some(h)) = HANDLE.get() {
            h.run_upkeep();
        }
    }
}

fn token_matches(given: &str, wanted: &str) -> bool {
    // Compared as digests: the time taken says nothing of how much of the token was right.
    Sha256::digest(given.as_bytes()) == Sha256::digest(wanted.as_bytes())
}

pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(wanted) = state.config.metrics_token.as_deref().filter(|t| !t.is_empty()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, t)| t.trim());
    if !token_matches(given, wanted) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    let Some(Some(handle)) = HANDLE.get() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    // What is read at the time of asking: the pool, and the queues in the database.
    let pool = state.store.pool();
    metrics::gauge!("krousar_db_pool_connections", "state" => "open").set(f64::from(pool.size()));
    metrics::gauge!("krousar_db_pool_connections", "state" => "idle").set(pool.num_idle() as f64);
    if let Ok(queues) = state.store.queue_sizes().await {
        // A state that emptied since the last scrape says 0, not its last number.
        let mut seen = SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (what, state_name) in seen.iter() {
            metrics::gauge!("krousar_queue", "queue" => *what, "state" => state_name.clone()).set(0.0);
        }
        for (what, state_name, n) in queues {
            seen.insert((what, state_name.clone()));
            metrics::gauge!("krousar_queue", "queue" => what, "state" => state_name).set(n as f64);
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
