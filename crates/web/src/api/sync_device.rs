//! The offline app's device: enrolment, unlocking and re-keying, and the check every other sync
//! call makes. A browser names its device (`X-Krousar-Device`) and proves it with the secret the
//! device made at enrolment (`X-Krousar-Device-Secret`). The data key that opens the copy is
//! released only when the owner types their password on the device (the sign-in lockout counts
//! every try), never to a session alone, so the app re-wraps it with the password just typed and
//! a reset password stops opening the copy. Answers: 403 `device_not_yours` when another person
//! is signed in or the browser is not the device (the app locks and keeps its copy), 410
//! `device_revoked` for a revoked device (the app wipes).

use super::json_body;
use super::schema::{BadRequest, Forbidden, Gone, Invalid, Unauthorized};
use crate::auth::{verify_password, ApiUser, Caller, Current};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_store::accounts::User;
use krousar_store::sign_in_guard::Attempt;
use krousar_store::sync::{Claimed, Device};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

pub const DEVICE_HEADER: &str = "x-krousar-device";
pub const SECRET_HEADER: &str = "x-krousar-device-secret";
/// The app locks itself after this many minutes without a touch (or the sessions' idle time,
/// if shorter).
const APP_IDLE_MINUTES: i64 = 15;

/// The device a request names and the secret that proves it; a request without them is "not
/// yours": the app locks, nothing is wiped.
fn named(headers: &HeaderMap) -> Result<(Uuid, String), ApiError> {
    let id = headers.get(DEVICE_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| Uuid::parse_str(v.trim()).ok());
    let secret = headers.get(SECRET_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    match id {
        Some(id) => Ok((id, secret.to_string())),
        None => Err(ApiError(AppError::DeviceNotYours)),
    }
}

/// The caller's device named and proved in the request, for a sync call made with a session.
pub(super) async fn device(state: &AppState, cur: &Current, headers: &HeaderMap) -> Result<Device, ApiError> {
    if cur.session.is_none() {
        // A device works for a person signed in on it; an API token opens no device.
        return Err(ApiError(AppError::Forbidden));
    }
    let (id, secret) = named(headers)?;
    let d = state.store.device_for(&cur.actor, id, &secret).await?;
    // This session now works for the device, so revoking the device ends it.
    crate::device_session::synced(state, cur, d.id).await?;
    Ok(d)
}

pub(super) async fn offline_days(state: &AppState, cur: &Current) -> Result<u32, ApiError> {
    org_offline_days(state, cur.actor.org_id).await
}

async fn org_offline_days(state: &AppState, org: Uuid) -> Result<u32, ApiError> {
    let settings = state.store.case_settings(org).await.map_err(ApiError::from)?;
    Ok(settings.offline_days)
}

fn idle_minutes(state: &AppState) -> i64 {
    state.config.idle_minutes.clamp(1, APP_IDLE_MINUTES)
}

/// Check `password` for `user` as signing in does: counted before the check, refused while
/// locked, each failure audited.
async fn check_password(state: &AppState, user: &User, password: &str) -> Result<(), ApiError> {
    let limits = crate::pages::session::lockout(state);
    let refuse = |key: &'static str| {
        let mut i = krousar_domain::Invalid::default();
        i.push("password", key);
        ApiError(AppError::Invalid(i))
    };
    let store_err = ApiError::from;
    let n = match state.store.reserve_attempt(user, limits).await.map_err(store_err)? {
        Attempt::Check(n) => n,
        Attempt::Locked => return Err(refuse("err-locked")),
    };
    if !verify_password(password, &user.password_hash) {
        state.store.attempt_failed(user, n, limits).await.map_err(store_err)?;
        return Err(refuse("err-wrong-password"));
    }
    state.store.attempt_succeeded(user).await.map_err(store_err)
}

/// This browser as a device: its name, the user's password (asked again), and the secret the
/// device made.
#[derive(Deserialize, ToSchema)]
pub struct Enrol {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    /// Made by the device and kept on it; it proves the device from now on.
    #[serde(default)]
    secret: String,
}

/// A device enrolled, and the key its copy is sealed with.
#[derive(Serialize, ToSchema)]
pub struct Enrolled {
    device: Device,
    /// The data key (base64), to be wrapped with the password on the device.
    key: String,
    offline_days: u32,
    password_epoch: String,
    /// The app locks itself after this many minutes without a touch.
    idle_minutes: i64,
}

/// Enrol this browser as a device. The password is asked again: the app wraps the device's key
/// with it, so that the copy can be opened offline by this user only. A session only (never an
/// API token).
#[utoipa::path(post, path = "/api/v1/sync/devices", tag = "sync", request_body = Enrol,
    responses((status = 201, body = Enrolled), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Invalid)))]
pub async fn enrol(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let e: Enrol = json_body(&body)?;
    if cur.session.is_none() {
        // A device belongs to a person signed in on it, never to an API token.
        return Err(ApiError(AppError::Forbidden));
    }
    check_password(&state, &cur.user, &e.password).await?;
    let (d, key) = state.store.enrol_device(&cur.actor, &e.name, &e.secret).await?;
    let d_id = d.id;
    let body = Enrolled {
        device: d,
        key,
        offline_days: offline_days(&state, &cur).await?,
        password_epoch: state.store.password_epoch(cur.user.id).await?,
        idle_minutes: idle_minutes(&state),
    };
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    // The session works for the device from now on, and the browser keeps its id.
    crate::device_session::enrolled(&state, &cur, d_id, &mut res).await?;
    Ok(res)
}

/// The owner's password, typed on the device.
#[derive(Deserialize, ToSchema)]
pub struct Unlock {
    #[serde(default)]
    password: String,
}

/// Whether a device last brought its copy up to date longer ago than its organisation allows:
/// the server's clock decides, not the phone's.
fn expired(d: &Device, days: u32) -> bool {
    let last = d.last_sync_at.as_deref().unwrap_or(&d.created_at);
    krousar_store::db::parse_time(last).is_none_or(|t| chrono::Utc::now() - t > chrono::Duration::days(i64::from(days)))
}

/// The keys that open the device's copy, and how long it may stay offline.
#[derive(Serialize, ToSchema)]
pub struct Unlocked {
    key: String,
    /// The key before a rotation that is not finished (`sync/rekeyed`).
    previous_key: Option<String>,
    password_epoch: String,
    offline_days: u32,
    /// The device has been offline longer than its organisation allows: it must sync first.
    expired: bool,
    idle_minutes: i64,
    user_name: String,
}

/// A refused password: the error, and when the password last changed (a wrapping made before
/// then is dropped by the device).
#[derive(Serialize, ToSchema)]
pub struct UnlockRefused {
    error: crate::error::ErrorDetail,
    password_epoch: String,
}

/// The owner typed their password on the device: release its key (and the previous one while a
/// rotation is unfinished). Works without a session (the app opens before its user signs in);
/// the device's secret and the owner's password are the proof.
#[utoipa::path(post, path = "/api/v1/sync/unlock", tag = "sync", security((), ("session" = [])), params(super::sync::DeviceHeaders),
    request_body = Unlock,
    responses((status = 200, body = Unlocked), (status = 400, response = BadRequest),
        (status = 403, response = Forbidden), (status = 410, response = Gone),
        (status = 422, description = "Wrong password, or locked out", body = UnlockRefused)))]
pub async fn unlock(State(state): State<AppState>, Caller(c): Caller, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let (id, secret) = named(&headers)?;
    let u: Unlock = serde_json::from_slice(&body).map_err(|_| ApiError(AppError::BadRequest("err-bad-request")))?;
    let claimed: Claimed = state.store.claim_device(id, &secret).await.map_err(ApiError::from)?;
    if !claimed.proved() && c.current.as_ref().is_none_or(|cur| cur.user.id != claimed.owner.id) {
        // A device of an older version has no secret yet: the first to unlock it gives it one,
        // so its owner must be signed in on it — knowing a device's id is not enough.
        return Err(ApiError(AppError::DeviceNotYours));
    }
    if claimed.owner.org_requires_totp && !claimed.owner.totp_on() {
        // The organisation's two-step rule holds here too, session or not.
        return Err(ApiError(AppError::SecondStepRequired));
    }
    if let Err(refused) = check_password(&state, &claimed.owner, &u.password).await {
        // The device learns when the password last changed even when the one typed is refused:
        // a wrapping made before then is dropped, so an old password cannot open the copy
        // offline either, once the phone has been online.
        let epoch = state.store.password_epoch(claimed.owner.id).await.map_err(ApiError::from)?;
        // Said here, in the caller's language, so that the epoch can join the error's JSON.
        let said = crate::error::localise(refused.into_response(), c.tr, c.current.as_ref());
        return Ok(with_epoch(said, epoch).await);
    }
    let unlocked = state.store.unlock_device(&claimed, &secret).await.map_err(ApiError::from)?;
    let days = org_offline_days(&state, claimed.owner.org_id).await?;
    let mut res = Json(Unlocked {
        key: unlocked.keys.key,
        previous_key: unlocked.keys.previous,
        password_epoch: unlocked.password_epoch,
        offline_days: days,
        expired: expired(&claimed.device, days),
        idle_minutes: idle_minutes(&state),
        user_name: claimed.owner.display_name,
    })
    .into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// An error answer with the time of the last password change added to its JSON.
async fn with_epoch(res: Response, epoch: String) -> Response {
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
    v["password_epoch"] = json!(epoch);
    (parts.status, Json(v)).into_response()
}

/// Proof that the device re-sealed its copy with its new key.
#[derive(Deserialize, ToSchema)]
pub struct Rekeyed {
    /// `krousar_store::sync::rekey_proof` of the key the copy is now sealed with: proof the
    /// device holds it.
    #[serde(default)]
    key_hash: String,
}

/// The device re-sealed its copy with its new key: the previous key is destroyed. The device's
/// secret is the proof; no session is needed.
#[utoipa::path(post, path = "/api/v1/sync/rekeyed", tag = "sync", security(()), params(super::sync::DeviceHeaders),
    request_body = Rekeyed,
    responses((status = 204, description = "The previous key is destroyed"), (status = 400, response = BadRequest),
        (status = 403, response = Forbidden), (status = 410, response = Gone), (status = 422, response = Invalid)))]
pub async fn rekeyed(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let (id, secret) = named(&headers)?;
    let r: Rekeyed = serde_json::from_slice(&body).map_err(|_| ApiError(AppError::BadRequest("err-bad-request")))?;
    let claimed = state.store.claim_device(id, &secret).await.map_err(ApiError::from)?;
    if !claimed.proved() {
        // A device of an older version has no secret yet: only an unlock gives it one.
        return Err(ApiError(AppError::DeviceNotYours));
    }
    state.store.device_rekeyed(&claimed, r.key_hash.trim()).await.map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
