//! Which sessions work for an enrolled device (issue 20: revoking a lost phone must end its web
//! session at once, not at the session's timeout hours later). A session is tagged with its
//! device when the device is enrolled from it, when it syncs as the device, and when someone
//! signs in on a browser that carries the device (the `krousar_device` cookie, set at enrolment
//! and on every accepted sync call). The store checks that the device is the session's user's
//! and not revoked; `revoke_device` deletes the sessions tagged with it.

use crate::auth::{cookie, set_cookie, CallerInfo, Current};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use krousar_store::sessions::Session;
use uuid::Uuid;

pub const DEVICE_COOKIE: &str = "krousar_device";
/// The headers every sync call but enrolment names its device and its secret in
/// (`api/sync_device.rs`).
const DEVICE_HEADER: &str = "x-krousar-device";
const SECRET_HEADER: &str = "x-krousar-device-secret";
/// The cookie outlives sessions (it is how a later sign-in on the phone is known), not the
/// device: a year, renewed by every sync.
const COOKIE_DAYS: i64 = 365;

/// Sent only to the sign-in pages (`Path=/login`), where it is read: not with every request of
/// a 2G line.
fn device_cookie(state: &AppState, device: Uuid) -> Option<HeaderValue> {
    let c = set_cookie(state, DEVICE_COOKIE, &device.to_string(), Some(COOKIE_DAYS * 86400)).replacen("Path=/;", "Path=/login;", 1);
    HeaderValue::from_str(&c).ok()
}

/// A device was just enrolled from this session: tag it, and give the browser the cookie.
pub async fn enrolled(state: &AppState, cur: &Current, device: Uuid, res: &mut Response) -> Result<(), ApiError> {
    synced(state, cur, device).await?;
    if let Some(v) = device_cookie(state, device) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(())
}

/// A sync call from this session named `device`, already accepted as the user's own.
pub async fn synced(state: &AppState, cur: &Current, device: Uuid) -> Result<(), ApiError> {
    match &cur.session {
        Some(s) => state.store.tag_session_device(s, device).await.map_err(ApiError::from),
        None => Ok(()),
    }
}

/// A new session on a browser that carries a device: tagged if the device is the user's and
/// not revoked (otherwise nothing happens: a colleague's phone, an old cookie).
pub async fn signed_in(state: &AppState, headers: &HeaderMap, session: &Session) {
    let Some(device) = cookie(headers, DEVICE_COOKIE).and_then(|v| Uuid::parse_str(v).ok()) else { return };
    if let Err(e) = state.store.tag_session_device(session, device).await {
        tracing::warn!(error = %e, "could not tag a new session with its device");
    }
}

/// The device an offline-app sync call names.
pub struct Named {
    pub id: Uuid,
    /// The secret that proves it.
    pub secret: String,
    /// An unlock (once a day or so): the cookie is set again then, renewing its year.
    pub renew: bool,
}

/// The device an offline-app sync call names, if any (read before the request is handled).
pub fn named(parts: &axum::http::request::Parts) -> Option<Named> {
    let path = parts.uri.path();
    if !path.starts_with("/api/v1/sync/") {
        return None;
    }
    let id = parts.headers.get(DEVICE_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| Uuid::parse_str(v.trim()).ok())?;
    let secret = parts.headers.get(SECRET_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_string();
    Some(Named { id, secret, renew: path.ends_with("/unlock") })
}

/// A sync call from the revoked device itself (its secret proves it), from a session that ended
/// with the revocation: still answered "revoked" (410), as before the session ended, so the app
/// wipes its copy rather than asking to sign in again and keeping it.
pub async fn revoked_without_session(state: &AppState, info: &CallerInfo, device: Option<&Named>) -> Option<Response> {
    let d = device.filter(|_| info.current.is_none())?;
    match state.store.claim_device(d.id, &d.secret).await {
        Err(krousar_store::StoreError::DeviceRevoked) => Some(ApiError(AppError::DeviceRevoked).into_response()),
        _ => None,
    }
}

/// After an unlock that was accepted, the browser's cookie is set again (a device enrolled
/// before the cookie existed gets it too).
pub fn renew_cookie(state: &AppState, device: Option<&Named>, res: &mut Response) {
    let due = device.filter(|d| res.status().is_success() && d.renew);
    if let Some(v) = due.and_then(|d| device_cookie(state, d.id)) {
        res.headers_mut().append(SET_COOKIE, v);
    }
}
