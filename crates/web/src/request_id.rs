//! Every request gets an id: in the `X-Request-Id` answer header, on every log line written
//! while it is served (a tracing span), and on error pages, so that a user can quote it to
//! whoever keeps the server. A proxy's own id is kept when it is a plain token. Each request is
//! also counted and timed here for `/metrics`.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

tokio::task_local! {
    static ID: String;
}

pub const HEADER: &str = "x-request-id";

/// The id of the request being served, if any.
pub fn current() -> Option<String> {
    ID.try_with(Clone::clone).ok()
}

fn given(req: &Request) -> Option<String> {
    let v = req.headers().get(HEADER)?.to_str().ok()?;
    (!v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then(|| v.to_string())
}

pub async fn layer(req: Request, next: Next) -> Response {
    let id = given(&req).unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string()[20..].to_string());
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let span = tracing::info_span!("request", id = %id, %method, %path);
    let started = std::time::Instant::now();
    let mut res = ID.scope(id.clone(), next.run(req).instrument(span.clone())).await;
    let elapsed = started.elapsed();
    let ms = elapsed.as_millis();
    let status = res.status().as_u16();
    let route = crate::metrics_page::route_label(&path, status);
    metrics::counter!("krousar_http_requests_total", "route" => route.clone(), "method" => method.to_string(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("krousar_http_request_duration_seconds", "route" => route, "method" => method.to_string())
        .record(elapsed.as_secs_f64());
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, ms, "request failed");
        } else {
            tracing::debug!(status, ms, "request served");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}
