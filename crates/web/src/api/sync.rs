//! Offline sync for the installable app (`/app`): enrol a device, fetch its key, download what
//! it carries, send what was recorded offline, and photos in resumable pieces. Every call but
//! enrolment names its device (`X-Krousar-Device`); a revoked device gets 410 and wipes itself.
//! Bodies may be gzip-compressed (`Content-Encoding: gzip`), answers are compressed too.

use super::json_body;
use super::sync_pull::{conflict_json, delta, forms, places, places_hash};
use super::sync_push::{receive, Change};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::sync::MAX_BATCH;
use krousar_store::sync::PhotoState;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub use super::sync_device::{enrol, rekeyed, unlock};

use super::sync_device::{device, offline_days};

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
    let dev = device(&state, &cur, &headers).await?;
    let p: Pull = json_body(&body)?;
    let d = delta(&state.store, &cur.actor, cur.tr, &p.have).await?;
    let places_hash = places_hash(&state.store, cur.tr, &d.provinces).await?;
    let conflicts = state.store.open_conflicts(&cur.actor, None).await?;
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
        "password_epoch": state.store.password_epoch(cur.user.id).await?,
        "today": cur.actor.today().to_string(),
    });
    if p.forms != hash {
        out["forms"] = form_defs.clone();
    }
    if p.places != places_hash {
        out["places"] = places(&state.store, cur.tr, &d.provinces).await?;
    }
    state.store.device_synced(&dev).await?;
    Ok(Json(out).into_response())
}

#[derive(Deserialize)]
struct Push {
    changes: Vec<Change>,
}

pub async fn push(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let dev = device(&state, &cur, &headers).await?;
    let p: Push = json_body(&body)?;
    if p.changes.len() > MAX_BATCH {
        return Err(ApiError(AppError::BadRequest("err-sync-batch")));
    }
    let mut results = Vec::with_capacity(p.changes.len());
    for c in &p.changes {
        results.push(receive(&state.store, &cur.actor, cur.tr, dev.id, c).await);
    }
    state.store.device_synced(&dev).await?;
    Ok(Json(json!({"results": results})).into_response())
}

fn photo_json(s: PhotoState) -> Value {
    match s {
        PhotoState::Partial(n) => json!({"received": n, "stored": false}),
        PhotoState::Stored => json!({"stored": true}),
    }
}

fn change_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError(AppError::NotFound))
}

pub async fn photo_state(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    headers: HeaderMap,
    Path(change): Path<String>,
) -> Result<Response, ApiError> {
    device(&state, &cur, &headers).await?;
    let s = state.store.photo_state(&cur.actor, change_id(&change)?).await?;
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
    let s = state.store.photo_part(&cur.actor, change_id(&change)?, q.offset, &body).await?;
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
    let d: PhotoDone = json_body(&body)?;
    let id = state.store.photo_finish(&cur.actor, change_id(&change)?, &d.name, &d.sha256, cur.actor.today()).await?;
    Ok(Json(json!({"attachment": id})).into_response())
}
