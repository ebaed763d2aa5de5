//! The installable offline app: its shell (one static page and its script), the service worker
//! that keeps the shell on the device, the web app manifest, and the texts of the app in the
//! user's language. The shell holds no personal data: the script asks the sync API for it.

use crate::auth::Caller;
use crate::route_table::{get, RouteTable};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::policy::{decide, Target};
use krousar_domain::Action;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const SHELL: &str = include_str!("../static/offline/app.html");
const KEYS_SCRIPT: &str = include_str!("../static/offline/offline-keys.js");
const DATA_SCRIPT: &str = include_str!("../static/offline/offline-data.js");
const DEVICE_SCRIPT: &str = include_str!("../static/offline/offline-device.js");
const SCRIPT: &str = include_str!("../static/offline/offline.js");
const FORMS_SCRIPT: &str = include_str!("../static/offline/offline-forms.js");
const PUSH_SCRIPT: &str = include_str!("../static/offline/offline-push.js");
const WORKER: &str = include_str!("../static/offline/sw.js");
const MANIFEST: &str = include_str!("../static/offline/manifest.webmanifest");
const ICON: &str = include_str!("../static/offline/icon.svg");
/// Made from `icon.svg` by Chromium (installing an app wants PNG icons of these sizes).
const ICON_192: &[u8] = include_bytes!("../static/offline/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../static/offline/icon-512.png");

/// Every text the app shows, sent to it in the user's language and kept on the device.
pub const APP_TEXTS: &[&str] = &[
    "month-1",
    "month-2",
    "month-3",
    "month-4",
    "month-5",
    "month-6",
    "month-7",
    "month-8",
    "month-9",
    "month-10",
    "month-11",
    "month-12",
    "msg-day-at-time",
    "app-accepted",
    "app-correct",
    "app-age",
    "app-carried",
    "app-case-number",
    "app-conflict-values",
    "app-decide",
    "app-default-device-name",
    "app-device-name",
    "app-discard",
    "app-discard-confirm",
    "app-expired",
    "app-home-title",
    "app-last-sync",
    "app-locked-idle",
    "app-needs-decision",
    "app-needs-https",
    "app-never",
    "app-next-visit",
    "app-next-visit-label",
    "app-no-case",
    "app-not-for-role",
    "app-not-saved",
    "app-not-yours",
    "app-nothing-carried",
    "app-nothing-waiting",
    "app-offline",
    "app-online",
    "app-open",
    "app-other-name",
    "app-outcome-accepted",
    "app-outcome-already",
    "app-outcome-conflict",
    "app-password",
    "app-password-changed",
    "app-photo",
    "app-photo-sending",
    "app-photo-unreadable",
    "app-place",
    "app-push-denied",
    "app-push-failed",
    "app-push-help",
    "app-push-is-on",
    "app-push-off",
    "app-push-on",
    "app-push-title",
    "app-recent",
    "app-register",
    "app-revoked",
    "app-risk",
    "app-save",
    "app-saved",
    "app-saved-help",
    "app-send-later",
    "app-send-now",
    "app-sending",
    "app-setup-button",
    "app-setup-help",
    "app-setup-sign-in",
    "app-setup-title",
    "app-sex",
    "app-sign-in",
    "app-sign-in-to-send",
    "app-stage",
    "app-task-done",
    "app-tasks",
    "app-unlock-button",
    "app-unreadable",
    "app-unlock-help",
    "app-unlock-title",
    "app-waiting",
    "app-wrong-password",
];

/// A new service worker (and so a fresh copy of the shell) whenever the shell changes.
static WORKER_VERSIONED: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for part in [SHELL, KEYS_SCRIPT, DATA_SCRIPT, DEVICE_SCRIPT, SCRIPT, FORMS_SCRIPT, PUSH_SCRIPT, crate::security::CSS, MANIFEST, ICON] {
        h.update(part.as_bytes());
    }
    WORKER.replace("__VERSION__", &hex::encode(&h.finalize()[..6]))
});

fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, cache)], body).into_response()
}

fn png(body: &'static [u8]) -> Response {
    ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> RouteTable<S> {
    // The shell and its worker are checked on every opening ("no-cache"), so an update is
    // picked up; the service worker keeps its own copy for when there is no network.
    RouteTable::new()
        .route("/app", get(|| async { asset(SHELL, "text/html; charset=utf-8", "no-cache") }))
        .route("/static/offline-keys.js", get(|| async { asset(KEYS_SCRIPT, "text/javascript; charset=utf-8", "no-cache") }))
        .route("/static/offline-device.js", get(|| async { asset(DEVICE_SCRIPT, "text/javascript; charset=utf-8", "no-cache") }))
        .route("/static/offline-data.js", get(|| async { asset(DATA_SCRIPT, "text/javascript; charset=utf-8", "no-cache") }))
        .route("/static/offline-forms.js", get(|| async { asset(FORMS_SCRIPT, "text/javascript; charset=utf-8", "no-cache") }))
        .route("/static/offline.js", get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8", "no-cache") }))
        .route("/static/offline-push.js", get(|| async { asset(PUSH_SCRIPT, "text/javascript; charset=utf-8", "no-cache") }))
        .route(
            "/sw.js",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], WORKER_VERSIONED.as_str())
                    .into_response()
            }),
        )
        .route("/manifest.webmanifest", get(|| async { asset(MANIFEST, "application/manifest+json", "public, max-age=86400") }))
        .route("/static/icon.svg", get(|| async { asset(ICON, "image/svg+xml", "public, max-age=86400") }))
        .route("/static/icon-192.png", get(|| async { png(ICON_192) }))
        .route("/static/icon-512.png", get(|| async { png(ICON_512) }))
}

/// The app's texts in the caller's language, and who is signed in (with the token the app
/// sends back on writes). Open to anyone: the app asks before sign-in too.
/// What the app asks first: the language and its texts, and who is signed in.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Hello {
    /// `km` or `en`.
    lang: &'static str,
    /// The app's texts in that language, by key.
    texts: std::collections::BTreeMap<String, String>,
    signed_in: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<String>,
    /// The token the session's writes send as `X-CSRF-Token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf: Option<String>,
    /// The user may enrol a device and work offline (and has set up any two-step sign-in the
    /// organisation requires).
    #[serde(skip_serializing_if = "Option::is_none")]
    may_work_offline: Option<bool>,
}

/// The app's first call: works signed in or not.
#[utoipa::path(get, path = "/api/v1/sync/hello", tag = "sync", security((), ("session" = [])),
    responses((status = 200, body = Hello)))]
pub async fn hello(Caller(c): Caller) -> Response {
    let tr = c.tr;
    let texts = APP_TEXTS.iter().map(|k| (k.to_string(), tr.t_for_script(k))).collect();
    let mut out = Hello { lang: tr.lang.code(), texts, signed_in: false, user_name: None, csrf: None, may_work_offline: None };
    if let Some(cur) = c.current {
        out.signed_in = true;
        out.user_name = Some(cur.user.display_name.clone());
        out.csrf = Some(cur.csrf());
        // Not before the two-step sign-in the organisation requires is set up: every sync call
        // would be refused (`auth::second_step_gate`).
        let may = decide(&cur.actor, Action::WorkOffline, Target::Organisation(cur.actor.org_id)).allowed();
        out.may_work_offline = Some(may && !cur.must_set_up_totp);
    }
    let mut res = Json(out).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    /// Every text the app is sent resolves in both languages, arguments left for the script.
    #[test]
    fn every_text_sent_to_the_app_resolves() {
        for lang in [crate::i18n::Lang::Km, crate::i18n::Lang::En] {
            let tr = crate::i18n::Tr::new(lang);
            for key in super::APP_TEXTS {
                let text = tr.t_for_script(key);
                assert_ne!(&text, key, "{key} in {lang:?}");
            }
            assert!(tr.t_for_script("app-not-yours").contains("{name}"));
        }
    }

    #[test]
    fn every_text_the_script_uses_is_sent_to_it() {
        let mut used = std::collections::BTreeSet::new();
        // Texts shown with T("…"), and those passed by key to lock("…") and wipe("…").
        for script in [super::DATA_SCRIPT, super::DEVICE_SCRIPT, super::SCRIPT, super::FORMS_SCRIPT, super::PUSH_SCRIPT] {
            for call in ["T(\"", "lock(\"", "wipe(\""] {
                for (i, _) in script.match_indices(call) {
                    let rest = &script[i + call.len()..];
                    used.insert(&rest[..rest.find('"').unwrap()]);
                }
            }
        }
        for k in ["app-outcome-accepted", "app-outcome-already", "app-outcome-conflict"] {
            used.insert(k);
        }
        used.remove("app-outcome-");
        // The month names, looked up by number ("month-" + n).
        used.remove("month-");
        used.extend(super::APP_TEXTS.iter().copied().filter(|k| k.starts_with("month-")));
        let sent: std::collections::BTreeSet<&str> = super::APP_TEXTS.iter().copied().collect();
        assert_eq!(used, sent);
    }
}
