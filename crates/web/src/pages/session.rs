//! Sign-in (password, then the second factor where required), sign-out, language choice.

use super::render;
use crate::auth::{hash_password, set_cookie, verify_password, Caller, LANG_COOKIE, PRE_SESSION_COOKIE, SESSION_COOKIE};
use crate::i18n::{Lang, Tr};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use krousar_store::sign_in_guard::{Attempt, Lockout, MAX_CODE_FAILURES};
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    pre_csrf: String,
    username: String,
    error: String,
    /// On a demonstration: its accounts, the one to try first leading (username, role).
    demo: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    l: Layout,
    error: String,
}

fn login_form(state: &AppState, tr: Tr, username: &str, error: String) -> Response {
    // A fresh pre-session token, double-submitted as cookie and form field (login CSRF).
    let pre = krousar_store::sessions::random_secret();
    let mut l = Layout::anonymous(tr, "page-sign-in");
    l.csrf = pre.clone();
    let demo = state.config.demo_users.iter().map(|(u, role)| (u.clone(), tr.t(&format!("role-{}", role.as_str())))).collect();
    let page = LoginPage { l, pre_csrf: pre.clone(), username: username.to_string(), error, demo };
    ([(SET_COOKIE, set_cookie(state, PRE_SESSION_COOKIE, &pre, Some(3600)))], render(page)).into_response()
}

pub async fn login_page(State(state): State<AppState>, Caller(c): Caller) -> Response {
    if c.current.is_some() {
        return Redirect::to("/").into_response();
    }
    login_form(&state, c.tr, "", String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

/// A hash to verify against when the username is unknown, so that timing does not reveal
/// which usernames exist.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
}

/// The lockout's limits, from the configuration.
pub fn lockout(state: &AppState) -> Lockout {
    Lockout { max_failures: state.config.max_failures, lock_minutes: state.config.lock_minutes }
}

/// Every refusal answers alike — unknown username, wrong password, disabled or locked account:
/// same text, same status, and a password hash checked each time so the time taken is alike too.
pub async fn login(State(state): State<AppState>, Caller(c): Caller, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let tr = c.tr;
    let refuse = |state: &AppState| login_form(state, tr, &f.username, tr.t("err-sign-in"));
    let user = state.store.user_by_username(&f.username).await.ok().filter(|u| !u.disabled);
    let Some(user) = user else {
        metrics::counter!("krousar_sign_in_refused_total", "reason" => "unknown_or_disabled").increment(1);
        verify_password(&f.password, dummy_hash());
        return refuse(&state);
    };
    // The attempt is counted before the password is checked: parallel guesses cannot pass more
    // checks than the limit, and a locked account is refused whatever the password.
    let n = match state.store.reserve_attempt(&user, lockout(&state)).await {
        Ok(Attempt::Check(n)) => n,
        Ok(Attempt::Locked) => {
            metrics::counter!("krousar_sign_in_refused_total", "reason" => "locked").increment(1);
            verify_password(&f.password, dummy_hash());
            return refuse(&state);
        }
        Err(_) => return login_form(&state, tr, &f.username, tr.t("err-internal")),
    };
    if !verify_password(&f.password, &user.password_hash) {
        let _ = state.store.attempt_failed(&user, n, lockout(&state)).await;
        return refuse(&state);
    }
    let needs_second = user.totp_on();
    match state.store.start_session(&user, needs_second).await {
        Ok((secret, session)) => {
            if !needs_second {
                crate::device_session::signed_in(&state, &headers, &session).await;
            }
            let to = if needs_second {
                "/login/totp"
            } else if user.org_requires_totp {
                // The organisation requires two-factor sign-in: set it up first.
                "/account"
            } else {
                "/"
            };
            let cookie = set_cookie(&state, SESSION_COOKIE, &secret, None);
            ([(SET_COOKIE, cookie)], Redirect::to(to)).into_response()
        }
        Err(_) => login_form(&state, tr, &f.username, tr.t("err-internal")),
    }
}

pub async fn totp_page(Caller(c): Caller) -> Response {
    match &c.pending {
        None => Redirect::to("/").into_response(),
        Some((_, s)) => {
            let mut l = Layout::anonymous(c.tr, "page-second-factor");
            l.csrf = s.csrf.clone();
            render(TotpPage { l, error: String::new() })
        }
    }
}

#[derive(Deserialize)]
pub struct TotpForm {
    code: String,
}

pub fn totp_ok(secret_b32: &str, code: &str) -> bool {
    let Some(secret) = totp_rs::Secret::Encoded(secret_b32.to_string()).to_bytes().ok() else { return false };
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).is_ok_and(|t| t.check_current(code.trim()).unwrap_or(false))
}

/// The second step. Each code is counted before it is checked, on the pending session (a few,
/// then the password must be given again) and on the account (the same lock as passwords); a
/// locked account is refused even with the right code.
pub async fn totp(State(state): State<AppState>, Caller(c): Caller, headers: HeaderMap, Form(f): Form<TotpForm>) -> Response {
    let Some((user, session)) = c.pending else { return Redirect::to("/login").into_response() };
    let tr = c.tr;
    let start_again = |state: &AppState| login_form(state, tr, "", tr.t("err-sign-in"));
    let Ok(Some(code_n)) = state.store.reserve_code(&session).await else { return start_again(&state) };
    let n = match state.store.reserve_attempt(&user, lockout(&state)).await {
        Ok(Attempt::Check(n)) => n,
        _ => {
            let _ = state.store.end_session_hash(&session.id_hash).await;
            return start_again(&state);
        }
    };
    // The secret is sealed in the database (issue 20): opened here, only to check the code.
    let ok = match state.store.user_totp_secret(&user) {
        Ok(secret) => secret.as_deref().is_some_and(|s| totp_ok(s, &f.code)),
        Err(e) => {
            tracing::error!(error = %e, "cannot open a second-step secret");
            false
        }
    };
    if !ok {
        let _ = state.store.attempt_failed(&user, n, lockout(&state)).await;
        if code_n >= MAX_CODE_FAILURES {
            let _ = state.store.end_session_hash(&session.id_hash).await;
            return start_again(&state);
        }
        let mut l = Layout::anonymous(tr, "page-second-factor");
        l.csrf = session.csrf.clone();
        return render(TotpPage { l, error: tr.t("err-totp") });
    }
    match state.store.complete_second_factor(&session, &user).await {
        Ok((secret, session)) => {
            crate::device_session::signed_in(&state, &headers, &session).await;
            ([(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, &secret, None))], Redirect::to("/")).into_response()
        }
        Err(_) => Redirect::to("/login").into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, Caller(c): Caller) -> Response {
    let session = c.current.and_then(|cur| cur.session).or(c.pending.map(|(_, s)| s));
    if let Some(s) = session {
        let _ = state.store.sign_out_session(&s.id_hash).await;
    }
    signed_out(&state)
}

/// The answer that leaves a browser signed out. It also wipes what this browser keeps for the
/// offline app (its encrypted copy of cases, the shell): a shared or lost phone keeps nothing of
/// a signed-out worker.
pub fn signed_out(state: &AppState) -> Response {
    (
        [(SET_COOKIE, set_cookie(state, SESSION_COOKIE, "", Some(0))), (CLEAR_SITE_DATA, "\"cache\", \"storage\"".to_string())],
        Redirect::to("/login"),
    )
        .into_response()
}

const CLEAR_SITE_DATA: axum::http::HeaderName = axum::http::HeaderName::from_static("clear-site-data");

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

/// Switch the interface language: remembered on the account, and in a cookie before sign-in.
pub async fn switch_language(State(state): State<AppState>, Caller(c): Caller, Form(f): Form<LangForm>) -> Response {
    let Some(lang) = Lang::parse(&f.lang) else { return Redirect::to("/").into_response() };
    if let Some(cur) = &c.current {
        let _ = state.store.set_user_locale(cur.user.id, lang.code()).await;
    }
    let back = if c.current.is_some() { "/" } else { "/login" };
    ([(SET_COOKIE, set_cookie(&state, LANG_COOKIE, lang.code(), Some(365 * 86400)))], Redirect::to(back)).into_response()
}
