//! Security headers on every response, and the static assets embedded in the binary.

use crate::route_table::{get, RouteTable};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// No inline script anywhere: the CSP allows scripts and styles from this origin only.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Served over HTTPS (cookies marked Secure): browsers must keep to HTTPS for a year, so that
/// nobody on the way can take a first plain-HTTP request and its cookie.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// `secure`: the configuration's secure-cookies flag (the server is reached over HTTPS).
pub async fn headers(State(secure): State<bool>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages hold personal data: never kept by shared caches or the back button of a shared phone.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

pub const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");
/// The ministry forms' print style (also inlined into the page Chromium turns into a PDF).
pub const PRINT_CSS: &str = include_str!("../static/print.css");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

pub fn static_routes<S: Clone + Send + Sync + 'static>() -> RouteTable<S> {
    RouteTable::new()
        .route("/static/app.css", get(|| async { asset(CSS, "text/css; charset=utf-8") }))
        .route("/static/app.js", get(|| async { asset(JS, "text/javascript; charset=utf-8") }))
        .route("/static/print.css", get(|| async { asset(PRINT_CSS, "text/css; charset=utf-8") }))
        .route("/healthz", get(|| async { "ok" }))
}
