//! Offline sync for the installable app (`/app`): enrol a device, fetch its key, download what
//! it carries, send what was recorded offline, and photos in resumable pieces. Every call but
//! enrolment names its device (`X-Krousar-Device`); a revoked device gets 410 and wipes itself.
//! Bodies may be gzip-compressed (`Content-Encoding: gzip`), answers are compressed too.

use super::json_body;
use super::schema::{BadRequest, Forbidden, Gone, Invalid, NotFound, Unauthorized};
use super::sync_pull::{conflict_json, delta, places, places_hash};
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
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The header naming the device (`X-Krousar-Device`) and the one proving it
/// (`X-Krousar-Device-Secret`), on every sync call but enrolment.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct DeviceHeaders {
    /// The device's id, as enrolment answered it.
    #[param(rename = "X-Krousar-Device")]
    device: Uuid,
    /// The secret the device made at enrolment.
    #[param(rename = "X-Krousar-Device-Secret")]
    secret: String,
}

pub use super::sync_device::{enrol, rekeyed, unlock};

use super::sync_device::{device, offline_days};

/// What the device holds, so that only what changed is sent.
#[derive(Deserialize, ToSchema)]
pub struct Pull {
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

/// What a device downloads. The children and forms are the offline app's own data (built by
/// `sync_pull`, in the user's language); their shape is the app's, not a stable API.
#[derive(Serialize, ToSchema)]
pub struct Pulled {
    /// The carried children whose stamp changed: the record as the app shows it, its case,
    /// open tasks and recent events.
    children: Vec<Value>,
    /// Ids the device must drop (no longer carried or visible).
    drop: Vec<Uuid>,
    places_hash: String,
    /// Sync conflicts waiting for this user.
    conflicts: Vec<super::sync_pull::ConflictOut>,
    forms_hash: String,
    /// Days the device may stay offline before it must sync.
    offline_days: u32,
    /// When the user's password last changed ('' if never).
    password_epoch: String,
    #[schema(format = Date)]
    today: String,
    /// The offline forms by kind (when `forms` differs from `forms_hash`).
    #[serde(skip_serializing_if = "Option::is_none")]
    forms: Option<Value>,
    /// The places tree `[code, name, [...]]` (when `places` differs from `places_hash`).
    #[serde(skip_serializing_if = "Option::is_none")]
    places: Option<Value>,
}

/// Download what changed for the device.
#[utoipa::path(post, path = "/api/v1/sync/pull", tag = "sync", params(DeviceHeaders), request_body = Pull,
    responses((status = 200, body = Pulled), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 410, response = Gone)))]
pub async fn pull(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let dev = device(&state, &cur, &headers).await?;
    let p: Pull = json_body(&body)?;
    let d = delta(&state.store, &cur.actor, cur.tr, &p.have).await?;
    let places_hash = places_hash(&state.store, cur.tr, &d.provinces).await?;
    let conflicts = state.store.open_conflicts(&cur.actor, None).await?;
    let mine = conflicts.iter().filter(|c| c.user_id == cur.user.id).map(|c| conflict_json(cur.tr, c)).collect();
    let (form_defs, hash) = super::sync_forms::user_forms(&state.store, &cur.actor, cur.tr).await?;
    let places = if p.places != places_hash { Some(places(&state.store, cur.tr, &d.provinces).await?) } else { None };
    let out = Pulled {
        children: d.children,
        drop: d.drop,
        places_hash,
        conflicts: mine,
        forms: (p.forms != hash).then_some(form_defs),
        forms_hash: hash,
        offline_days: offline_days(&state, &cur).await?,
        password_epoch: state.store.password_epoch(cur.user.id).await?,
        today: cur.actor.today().to_string(),
        places,
    };
    state.store.device_synced(&dev).await?;
    Ok(Json(out).into_response())
}

/// Changes recorded offline, at most `MAX_BATCH` at once.
#[derive(Deserialize, ToSchema)]
pub struct Push {
    changes: Vec<Change>,
}

/// Each change's answer, in the order sent.
#[derive(Serialize, ToSchema)]
pub struct Pushed {
    results: Vec<super::sync_push::Outcome>,
}

/// Send what was recorded offline; each change is carried out as the same change from a page.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", params(DeviceHeaders), request_body = Push,
    responses((status = 200, body = Pushed), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 410, response = Gone)))]
pub async fn push(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let dev = device(&state, &cur, &headers).await?;
    let p: Push = json_body(&body)?;
    if p.changes.len() > MAX_BATCH {
        return Err(ApiError(AppError::BadRequest("err-sync-batch")));
    }
    let mut results = Vec::with_capacity(p.changes.len());
    for c in &p.changes {
        let r = receive(&state.store, &cur.actor, cur.tr, dev.id, c).await;
        metrics::counter!("krousar_sync_changes_total", "outcome" => r.outcome_code()).increment(1);
        results.push(r);
    }
    state.store.device_synced(&dev).await?;
    Ok(Json(Pushed { results }).into_response())
}

/// How much of a photo has arrived.
#[derive(Serialize, ToSchema)]
pub struct PhotoProgress {
    /// Bytes received so far (left out once stored).
    #[serde(skip_serializing_if = "Option::is_none")]
    received: Option<u64>,
    stored: bool,
}

fn photo_json(s: PhotoState) -> PhotoProgress {
    match s {
        PhotoState::Partial(n) => PhotoProgress { received: Some(n), stored: false },
        PhotoState::Stored => PhotoProgress { received: None, stored: true },
    }
}

fn change_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError(AppError::NotFound))
}

/// How much of a photo (named by its change id) has arrived.
#[utoipa::path(get, path = "/api/v1/sync/photos/{change}", tag = "sync",
    params(("change" = Uuid, Path, description = "The change id the photo belongs to"), DeviceHeaders),
    responses((status = 200, body = PhotoProgress), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 410, response = Gone)))]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Offset {
    /// Where this piece starts, in bytes.
    offset: u64,
}

/// One piece of a photo, at `offset`; the answer says how much has arrived.
#[utoipa::path(put, path = "/api/v1/sync/photos/{change}", tag = "sync",
    params(("change" = Uuid, Path, description = "The change id the photo belongs to"), Offset, DeviceHeaders),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The bytes from `offset` on"),
    responses((status = 200, body = PhotoProgress), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 410, response = Gone),
        (status = 422, response = Invalid)))]
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

/// The whole photo has been sent: its file name and SHA-256 (hex), checked against what arrived.
#[derive(Deserialize, ToSchema)]
pub struct PhotoDone {
    #[serde(default)]
    name: String,
    sha256: String,
}

/// The photo's id as an attachment of the case.
#[derive(Serialize, ToSchema)]
pub struct PhotoStored {
    attachment: Uuid,
}

/// Finish a photo: it becomes an attachment of the case.
#[utoipa::path(post, path = "/api/v1/sync/photos/{change}/done", tag = "sync",
    params(("change" = Uuid, Path, description = "The change id the photo belongs to"), DeviceHeaders),
    request_body = PhotoDone,
    responses((status = 200, body = PhotoStored), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 410, response = Gone),
        (status = 422, response = Invalid)))]
pub async fn photo_done(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    headers: HeaderMap,
    Path(change): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    device(&state, &cur, &headers).await?;
    let d: PhotoDone = json_body(&body)?;
    let id = state.store.photo_finish(&cur.actor, change_id(&change)?, &d.name, &d.sha256).await?;
    Ok(Json(PhotoStored { attachment: id }).into_response())
}
