//! The HTTP layer of Krousar: server-rendered pages (Khmer and English, working without
//! JavaScript) and the JSON API under `/api/v1`. Handlers extract input and the caller, call
//! the store (which asks the domain policy), and render. No SQL and no permission rule here.

pub mod api;
pub mod auth;
pub mod caller;
pub mod charts;
pub mod commands;
pub mod connections;
pub mod device_session;
pub mod error;
pub mod extract;
pub mod files;
pub mod i18n;
pub mod import_report;
pub mod import_template;
pub mod jobs;
pub mod metrics_page;
pub mod notify;
pub mod offline_app;
pub mod ops;
pub mod pages;
pub mod pdf;
pub mod request_id;
pub mod route_table;
pub mod security;
pub mod tls;
pub mod views;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::Router;
use krousar_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    pub idle_minutes: i64,
    pub absolute_hours: i64,
    /// Failed sign-ins before the account is locked, and for how long.
    pub max_failures: i64,
    pub lock_minutes: i64,
    /// Where requests take their time from (`Actor::now`, and so their day).
    pub clock: Clock,
    /// A demonstration's accounts (username and role), which its sign-in page names so that a
    /// newcomer knows whom to try first (the first); empty on a real installation.
    pub demo_users: Vec<(String, krousar_domain::Role)>,
    /// Whether this server sends notices by e-mail and push (off for a restored copy or a
    /// rehearsal, whose queued messages would otherwise reach real staff; they stay queued).
    pub send_mail: bool,
    /// Push services the server may call besides the browsers' own (URL prefixes: a private
    /// push service, or a test's on 127.0.0.1).
    pub push_services: Vec<String>,
    /// The token `/metrics` asks for (`Authorization: Bearer …`); none: no metrics page.
    pub metrics_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            idle_minutes: 60,
            absolute_hours: 12,
            max_failures: 6,
            lock_minutes: 30,
            clock: Clock::default(),
            demo_users: Vec::new(),
            send_mail: true,
            push_services: Vec::new(),
            metrics_token: None,
        }
    }
}

/// The time a request is said to happen at: the server's clock, or — for tests and for a
/// training copy that rehearses a given day — the server's clock moved by a fixed amount, so
/// time still passes. Sessions and sign-in lockouts keep the real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    offset: chrono::Duration,
}

impl Clock {
    /// A clock that reads `at` now and runs on from there.
    pub fn starting_at(at: chrono::DateTime<chrono::Utc>) -> Clock {
        Clock { offset: at - chrono::Utc::now() }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.offset
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
}

pub fn router(store: Store, config: Config) -> Router {
    if config.metrics_token.as_deref().is_some_and(|t| !t.is_empty()) {
        metrics_page::install();
    }
    let secure = config.secure_cookies;
    let state = AppState { store, config: Arc::new(config) };
    let (dynamic, _) = dynamic_routes().into_parts();
    let (fixed, _) = fixed_routes().into_parts();
    let dynamic = dynamic
        .route_layer(middleware::from_fn(request_id::tag_route))
        .layer(middleware::from_fn_with_state(state.clone(), auth::context))
        .with_state(state);
    Router::new()
        .merge(dynamic)
        .merge(fixed.route_layer(middleware::from_fn(request_id::tag_route)))
        .layer(middleware::from_fn_with_state(secure, security::headers))
        .layer(DefaultBodyLimit::max(auth::MAX_BODY))
        // gzip level 4: half the CPU of the default 6 for pages 7 % larger (list page 5.2 → 5.5 KB).
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(4)))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(middleware::from_fn(request_id::layer))
}

/// Every route the server answers (method and full path, parameters as `{name}`), from the
/// same tables that build the router: the leak sweep requests each of them.
pub fn routes() -> Vec<route_table::Route> {
    let (_, mut all) = dynamic_routes().into_parts();
    all.extend(fixed_routes().into_parts().1);
    all
}

/// The pages and the API: they need the caller (sessions, CSRF).
fn dynamic_routes() -> route_table::RouteTable<AppState> {
    pages::routes().nest("/api/v1", api::routes())
}

/// Static assets and the offline app's shell: the same for everyone, no personal data.
fn fixed_routes() -> route_table::RouteTable {
    security::static_routes().merge(offline_app::routes())
}

/// Serve until Ctrl-C / SIGTERM, finishing requests in flight.
/// Serve on `listener`: a plain `TcpListener`, or a `tls::TlsListener` for HTTPS.
pub async fn serve<L>(store: Store, config: Config, listener: L) -> anyhow::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    jobs::upkeep(store.clone(), config.idle_minutes, config.clock, config.send_mail, config.push_services.clone());
    let app = router(store, config);
    connections::serve_connections(listener, app, connections::Timeouts::default(), shutdown_signal()).await;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what systemd and container runtimes send to stop a service): requests in
/// flight are answered before the server stops.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(t) => t,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
