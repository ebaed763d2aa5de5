//! Who is asking: sessions (cookies) for pages, bearer tokens for the API, passwords, CSRF.
//! The `context` middleware resolves the caller once per request; extractors hand it out.

use crate::error::{ApiError, AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::AppState;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::context::Via;
use krousar_store::accounts::User;
use krousar_store::db::parse_time;
use krousar_store::sessions::Session;

pub const SESSION_COOKIE: &str = "krousar_session";
pub const PRE_SESSION_COOKIE: &str = "krousar_pre";
pub const LANG_COOKIE: &str = "krousar_lang";
/// Largest form or JSON body accepted.
pub const MAX_BODY: usize = 256 * 1024;
/// A file upload: the largest attachment plus room for the form around it.
/// A workbook to import, with the form around it.
pub const MAX_IMPORT_BODY: usize = krousar_import::workbook::MAX_FILE_BYTES + 64 * 1024;
pub const MAX_UPLOAD_BODY: usize = krousar_store::cases::attachments::MAX_BYTES + 64 * 1024;

pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Minimum password rule: 10 characters. Length beats composition rules.
pub fn password_acceptable(p: &str) -> bool {
    p.chars().count() >= 10 && p.chars().count() <= 200
}

pub use crate::caller::Current;

/// What the middleware found out about the caller.
#[derive(Clone)]
pub struct CallerInfo {
    pub current: Option<Current>,
    /// A session whose password step passed but whose second factor is still due.
    pub pending: Option<(User, Session)>,
    pub tr: Tr,
    pub pre_session: Option<String>,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn resolve(state: &AppState, headers: &HeaderMap, via: Via) -> CallerInfo {
    let cookie_lang = cookie(headers, LANG_COOKIE).and_then(Lang::parse);
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let anon_lang = cookie_lang.unwrap_or_else(|| Lang::from_accept(accept));
    let mut info = CallerInfo {
        current: None,
        pending: None,
        tr: Tr::new(anon_lang),
        pre_session: cookie(headers, PRE_SESSION_COOKIE).map(str::to_string),
    };
    let store = &state.store;
    // API token first; then the session cookie.
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    let (user, session) = if let Some(token) = bearer {
        match store.token_caller(token).await {
            Ok(Some(user)) => (Some(user), None),
            _ => return info,
        }
    } else if let Some(secret) = cookie(headers, SESSION_COOKIE) {
        match store.session_caller(secret).await {
            Ok(Some((s, user))) => {
                let now = chrono::Utc::now();
                let idle = parse_time(&s.last_seen_at).is_none_or(|t| now - t > chrono::Duration::minutes(state.config.idle_minutes));
                let old = parse_time(&s.created_at).is_none_or(|t| now - t > chrono::Duration::hours(state.config.absolute_hours));
                if idle || old {
                    let _ = store.end_session_hash(&s.id_hash).await;
                    return info;
                }
                // Write the activity time at most once a minute.
                if parse_time(&s.last_seen_at).is_some_and(|t| now - t > chrono::Duration::seconds(60)) {
                    let _ = store.touch_session(&s.id_hash).await;
                }
                (Some(user), Some(s))
            }
            _ => return info,
        }
    } else {
        return info;
    };
    let Some(user) = user.filter(|u| !u.disabled) else { return info };
    let tr = Tr::new(Lang::parse(&user.locale).unwrap_or(Lang::Km));
    info.tr = tr;
    if let Some(s) = session.as_ref().filter(|s| s.second_factor_pending) {
        info.pending = Some((user, s.clone()));
        return info;
    }
    // Whether the caller came with a session or an API token: the organisation's rule binds
    // both (`second_step_gate`).
    let must_set_up_totp = !user.totp_on() && user.org_requires_totp;
    let actor = user.actor().via(via).at(state.config.clock.now());
    info.current = Some(Current { actor, user, session, tr, must_set_up_totp });
    info
}

/// Where a caller who must still set up two-step sign-in may go: the account page (to set it
/// up), sign-out (here and everywhere), the language switch, and the offline app's hello (which
/// tells the app it may not work offline).
const OPEN_BEFORE_SECOND_STEP: &[&str] = &["/account", "/account/totp", "/account/sessions/end", "/logout", "/lang", "/api/v1/sync/hello"];

/// The one rule for two-step sign-in an organisation requires, applied to every route (the
/// `context` middleware) and again by the extractors: until the caller (session or API token)
/// has set it up, every API route answers 403 in the API's error shape, and every page sends
/// them to their account page to set it up.
pub fn second_step_gate(info: &CallerInfo, path: &str, api: bool) -> Option<Response> {
    info.current.as_ref().filter(|c| c.must_set_up_totp)?;
    if OPEN_BEFORE_SECOND_STEP.contains(&path) {
        return None;
    }
    Some(if api { ApiError(AppError::SecondStepRequired).into_response() } else { Redirect::to("/account").into_response() })
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Resolve the caller and enforce CSRF on every state-changing request in one place:
/// form posts carry `_csrf` equal to the session's token (or, before sign-in, to the
/// pre-session cookie); API writes with a cookie session need the `X-CSRF-Token` header.
pub async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // The request's context: from where it came and when (the clock read once, here).
    let via = if parts.uri.path().starts_with("/api/") { Via::Api } else { Via::Page };
    let info = resolve(&state, &parts.headers, via).await;
    let (tr, current) = (info.tr, info.current.clone());
    // Every error on the way back, early refusals here included, is said in one place.
    let res = handle(&state, info, parts, body, next).await;
    crate::error::localise(res, tr, current.as_ref())
}

async fn handle(state: &AppState, info: CallerInfo, mut parts: axum::http::request::Parts, body: Body, next: Next) -> Response {
    if let Some(refused) = second_step_gate(&info, parts.uri.path(), parts.uri.path().starts_with("/api/")) {
        return refused;
    }
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let is_api = parts.uri.path().starts_with("/api/");
    let body = if unsafe_method && !is_api {
        let boundary = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| multer::parse_boundary(ct).ok());
        let limit = match (&boundary, parts.uri.path()) {
            (Some(_), "/admin/import") => MAX_IMPORT_BODY,
            (Some(_), _) => MAX_UPLOAD_BODY,
            (None, _) => MAX_BODY,
        };
        let bytes = match to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => return PageError(AppError::BadRequest("err-too-large")).into_response(),
        };
        let sent: Option<String> = match &boundary {
            Some(b) => multipart_csrf(bytes.clone(), b).await,
            None => {
                // The form is read here, once: the handler takes these pairs (`extract::Posted`).
                let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).ok();
                let sent = pairs.as_ref().and_then(|p| p.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.clone()));
                if let Some(pairs) = pairs {
                    parts.extensions.insert(crate::extract::PostedPairs(pairs));
                }
                sent
            }
        };
        let expected = match (&info.current, &info.pending) {
            (Some(c), _) => c.session.as_ref().map(|s| s.csrf.clone()),
            (None, Some((_, s))) => Some(s.csrf.clone()),
            (None, None) => info.pre_session.clone(),
        };
        match (sent, expected) {
            (Some(s), Some(e)) if constant_time_eq(&s, &e) => {}
            _ => return (StatusCode::FORBIDDEN, PageError(AppError::BadRequest("err-csrf"))).into_response(),
        }
        Body::from(bytes)
    } else {
        if unsafe_method && is_api {
            if let Some(Current { session: Some(s), .. }) = &info.current {
                let header = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
                if !constant_time_eq(header, &s.csrf) {
                    return ApiError(AppError::BadRequest("err-csrf")).into_response();
                }
            }
        }
        body
    };
    let device = crate::device_session::named(&parts);
    if let Some(revoked) = crate::device_session::revoked_without_session(state, &info, device.as_ref()).await {
        return revoked;
    }
    parts.extensions.insert(info);
    let mut res = next.run(Request::from_parts(parts, body)).await;
    crate::device_session::renew_cookie(state, device.as_ref(), &mut res);
    res
}

/// The `_csrf` field of a file upload form (multipart), read from the buffered body.
async fn multipart_csrf(bytes: axum::body::Bytes, boundary: &str) -> Option<String> {
    let stream = futures_util::stream::once(std::future::ready(Ok::<_, std::convert::Infallible>(bytes)));
    let mut mp = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some("_csrf") {
            return field.text().await.ok();
        }
    }
    None
}

/// The request's path as sent: a nested router (the API under `/api/v1`) hands its handlers
/// the path without its prefix.
fn full_path(parts: &Parts) -> String {
    parts.extensions.get::<axum::extract::OriginalUri>().map_or_else(|| parts.uri.path().to_string(), |u| u.0.path().to_string())
}

fn info(parts: &Parts) -> CallerInfo {
    parts.extensions.get::<CallerInfo>().cloned().unwrap_or(CallerInfo {
        current: None,
        pending: None,
        tr: Tr::new(Lang::Km),
        pre_session: None,
    })
}

/// A signed-in user on a page; anyone else is sent to the sign-in page.
pub struct PageUser(pub Current);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let i = info(parts);
        if let Some(refused) = second_step_gate(&i, &full_path(parts), false) {
            return Err(refused);
        }
        match i.current {
            Some(c) => Ok(PageUser(c)),
            None if i.pending.is_some() => Err(Redirect::to("/login/totp").into_response()),
            None => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// A caller of the API with a valid token or session; anyone else gets 401.
pub struct ApiUser(pub Current);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let i = info(parts);
        if let Some(refused) = second_step_gate(&i, &full_path(parts), true) {
            return Err(refused);
        }
        i.current.map(ApiUser).ok_or_else(|| ApiError(AppError::Unauthorized).into_response())
    }
}

/// Whoever is calling, signed in or not (sign-in pages, language switch).
pub struct Caller(pub CallerInfo);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller(info(parts)))
    }
}

/// A `Set-Cookie` value with the attributes every Krousar cookie carries.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; krousar_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
