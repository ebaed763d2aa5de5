//! Offline sync for the installable app (`/app`): enrol a device, fetch its key, download what
//! it carries, send what was recorded offline, and photos in resumable pieces. Every call but
//! enrolment names its device (`X-Krousar-Device`); a revoked device gets 410 and wipes itself.
//! Bodies may be gzip-compressed (`Content-Encoding: gzip`), answers are compressed too.

use super::json_body;
use super::sync_pull::{conflict_json, delta, forms, places, places_hash};
use super::sync_push::{receive, Change};
use crate::auth::{verify_password, ApiUser, Current};
use crate::error::{ApiError, AppError};
use crate::views::today;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::sync::MAX_BATCH;
use krousar_store::sign_in_guard::Attempt;
use krousar_store::sync::{Device, PhotoState};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub const DEVICE_HEADER: &str = "x-krousar-device";

fn err(cur: &Current, e: AppError) -> ApiError {
    ApiError { err: e, tr: cur.tr }
}

/// The caller's device named in the request, if it is theirs and not revoked, with its key.
async fn device(state: &AppState, cur: &Current, headers: &HeaderMap) -> Result<(Device, String), ApiError> {
    if cur.session.is_none() {
        // A device works for a person signed in on it; an API token opens no device.
        return Err(err(cur, AppError::Forbidden));
    }
    let id = headers
        .get(DEVICE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
        .ok_or_else(|| err(cur, AppError::DeviceRevoked))?;
    let found = state.store.usable_device(&cur.actor, id).await.map_err(cur.api_err())?;
    // Issue 20: this session now works for the device, so revoking the device ends it.
    crate::device_session::synced(state, cur, found.0.id).await?;
    Ok(found)
}

async fn offline_days(state: &AppState, cur: &Current) -> Result<u32, ApiError> {
    Ok(state.store.case_settings(cur.actor.org_id).await.map_err(cur.api_err())?.offline_days)
}

#[derive(Deserialize)]
struct Enrol {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// Enrol this browser as a device. The password is asked again: the app wraps the device's key
/// with it, so that the copy can be opened offline by this user only.
pub async fn enrol(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let e: Enrol = json_body(&cur, &body)?;
    if cur.session.is_none() {
        // A device belongs to a person signed in on it, never to an API token.
        return Err(err(&cur, AppError::Forbidden));
    }
    // The same guard as signing in: counted before the check, refused while locked.
    let limits = crate::pages::session::lockout(&state);
    let refuse = |key: &'static str| {
        let mut i = krousar_domain::Invalid::default();
        i.push("password", key);
        err(&cur, AppError::Invalid(i))
    };
    let n = match state.store.reserve_attempt(&cur.user, limits).await.map_err(cur.api_err())? {
        Attempt::Check(n) => n,
        Attempt::Locked => return Err(refuse("err-locked")),
    };
    if !verify_password(&e.password, &cur.user.password_hash) {
        state.store.attempt_failed(&cur.user, n, limits).await.map_err(cur.api_err())?;
        return Err(refuse("err-wrong-password"));
    }
    state.store.attempt_succeeded(&cur.user).await.map_err(cur.api_err())?;
    let (d, key) = state.store.enrol_device(&cur.actor, &e.name).await.map_err(cur.api_err())?;
    let device_id = d.id;
    let mut res =
        (StatusCode::CREATED, Json(json!({"device": d, "key": key, "offline_days": offline_days(&state, &cur).await?}))).into_response();
    // Issue 20: the session works for the device from now on, and the browser keeps its id.
    crate::device_session::enrolled(&state, &cur, device_id, &mut res).await?;
    Ok(res)
}

/// The device's key, released to its own user's session (the app opens its copy with it while
/// online), with who is signed in and the texts of the app in their language.
pub async fn key(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap) -> Result<Response, ApiError> {
    let (_, key) = device(&state, &cur, &headers).await?;
    Ok(Json(json!({
        "key": key,
        "user": cur.user.id,
        "user_name": cur.user.display_name,
        "lang": cur.tr.lang.code(),
        "offline_days": offline_days(&state, &cur).await?,
        "csrf": cur.csrf(),
    }))
    .into_response())
}

#[derive(Deserialize)]
struct Pull {
    /// What the device holds: child id → stamp.
    #[serde(default)]
    have: HashMap<Uuid, String>,
    /// The hash of the forms it has.
    #[serde(default)]
    forms: String,
    /// The hash of the places it has.
    #[serde(default)]
    places: String,
}

pub async fn pull(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let (dev, _) = device(&state, &cur, &headers).await?;
    let p: Pull = json_body(&cur, &body)?;
    let d = delta(&state.store, &cur.actor, cur.tr, &p.have).await.map_err(cur.api_err())?;
    let places_hash = places_hash(&state.store, cur.tr, &d.provinces).await.map_err(cur.api_err())?;
    let conflicts = state.store.open_conflicts(&cur.actor, None).await.map_err(cur.api_err())?;
    let mine: Vec<Value> = conflicts.iter().filter(|c| c.user_id == cur.user.id).map(|c| conflict_json(cur.tr, c)).collect();
    let (form_defs, hash) = forms(cur.tr);
    let hash = hash.as_str();
    let mut out = json!({
        "children": d.children,
        "drop": d.drop,
        "places_hash": places_hash,
        "conflicts": mine,
        "forms_hash": hash,
        "offline_days": offline_days(&state, &cur).await?,
        "today": today().to_string(),
    });
    if p.forms != hash {
        out["forms"] = form_defs.clone();
    }
    if p.places != places_hash {
        out["places"] = places(&state.store, cur.tr, &d.provinces).await.map_err(cur.api_err())?;
    }
    state.store.device_synced(&dev).await.map_err(cur.api_err())?;
    Ok(Json(out).into_response())
}

#[derive(Deserialize)]
struct Push {
    changes: Vec<Change>,
}

pub async fn push(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let (dev, _) = device(&state, &cur, &headers).await?;
    let p: Push = json_body(&cur, &body)?;
    if p.changes.len() > MAX_BATCH {
        return Err(err(&cur, AppError::BadRequest("err-sync-batch")));
    }
    let mut results = Vec::with_capacity(p.changes.len());
    for c in &p.changes {
        results.push(receive(&state.store, &cur.actor, cur.tr, dev.id, c).await);
    }
    state.store.device_synced(&dev).await.map_err(cur.api_err())?;
    Ok(Json(json!({"results": results})).into_response())
}

fn photo_json(s: PhotoState) -> Value {
    match s {
        PhotoState::Partial(n) => json!({"received": n, "stored": false}),
        PhotoState::Stored => json!({"stored": true}),
    }
}

fn change_id(cur: &Current, raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| err(cur, AppError::NotFound))
}

pub async fn photo_state(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    headers: HeaderMap,
    Path(change): Path<String>,
) -> Result<Response, ApiError> {
    device(&state, &cur, &headers).await?;
    let s = state.store.photo_state(&cur.actor, change_id(&cur, &change)?).await.map_err(cur.api_err())?;
    Ok(Json(photo_json(s)).into_response())
}

#[derive(Deserialize)]
pub struct Offset {
    offset: u64,
}

/// One piece of a photo, at `offset`; the answer says how much has arrived.
pub async fn photo_part(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    headers: HeaderMap,
    Path(change): Path<String>,
    Query(q): Query<Offset>,
    body: Bytes,
) -> Result<Response, ApiError> {
    device(&state, &cur, &headers).await?;
    let s = state.store.photo_part(&cur.actor, change_id(&cur, &change)?, q.offset, &body).await.map_err(cur.api_err())?;
    Ok(Json(photo_json(s)).into_response())
}

#[derive(Deserialize)]
struct PhotoDone {
    #[serde(default)]
    name: String,
    sha256: String,
}

pub async fn photo_done(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    headers: HeaderMap,
    Path(change): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    device(&state, &cur, &headers).await?;
    let d: PhotoDone = json_body(&cur, &body)?;
    let id = state.store.photo_finish(&cur.actor, change_id(&cur, &change)?, &d.name, &d.sha256, today()).await.map_err(cur.api_err())?;
    Ok(Json(json!({"attachment": id})).into_response())
}
