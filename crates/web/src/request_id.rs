//! Every request gets an id of the server's own making: in the `X-Request-Id` answer header, on
//! every log line written while it is served (a tracing span), and on error pages, so that a
//! user can quote it to whoever keeps the server. A proxy's id, when it is a plain token, is
//! logged beside it (`upstream`), never taken as ours: a client cannot borrow another request's.
//! Each request is also counted and timed here for `/metrics`, labelled by the route that
//! answered it (`RouteName`, the router's pattern), never by the address asked.

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

/// The pattern of the route that answered (`/children/{id}`), put on the answer by `tag_route`.
#[derive(Clone)]
pub struct RouteName(pub String);

/// On every route the router matched: name the route on its answer.
pub async fn tag_route(matched: Option<axum::extract::MatchedPath>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if let Some(m) = matched {
        res.extensions_mut().insert(RouteName(m.as_str().to_string()));
    }
    res
}

/// The methods a label may carry; anything else is "other".
fn method_label(m: &axum::http::Method) -> &'static str {
    match m.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// The address as logged: a calendar feed's secret never goes into a log.
fn logged_path(path: &str) -> String {
    match path.strip_prefix("/calendar/") {
        Some(_) => "/calendar/{secret}".to_string(),
        None => path.to_string(),
    }
}

fn given(req: &Request) -> Option<String> {
    let v = req.headers().get(HEADER)?.to_str().ok()?;
    (!v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then(|| v.to_string())
}

pub async fn layer(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::now_v7().simple().to_string()[16..].to_string();
    let upstream = given(&req).unwrap_or_default();
    let method = method_label(req.method());
    let path = logged_path(req.uri().path());
    let span = tracing::info_span!("request", id = %id, upstream = %upstream, method, path = %path);
    let started = std::time::Instant::now();
    let mut res = ID.scope(id.clone(), next.run(req).instrument(span.clone())).await;
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    if crate::metrics_page::recording() {
        let route = res.extensions().get::<RouteName>().map_or("unmatched", |r| r.0.as_str()).to_string();
        metrics::counter!("krousar_http_requests_total", "route" => route.clone(), "method" => method, "status" => status.to_string())
            .increment(1);
        metrics::histogram!("krousar_http_request_duration_seconds", "route" => route, "method" => method).record(elapsed.as_secs_f64());
    }
    let ms = elapsed.as_millis();
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
