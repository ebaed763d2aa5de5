//! Web push for the offline app's device: the installation's VAPID public key (made the first
//! time it is asked for), and the device's subscription turned on or off. The device is named
//! and proved like every other sync call; a subscription goes only to a known push service.

use super::json_body;
use super::schema::{BadRequest, Forbidden, Gone, Invalid, Unauthorized};
use super::sync::DeviceHeaders;
use super::sync_device::device;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::notify::push;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the app needs to subscribe, and whether this device already is.
#[derive(Serialize, ToSchema)]
pub struct PushState {
    /// The VAPID public key, base64url (the browser's `applicationServerKey`).
    public_key: String,
    /// Whether notices are pushed to this device.
    on: bool,
}

/// The browser's keys of a subscription (`PushSubscription.toJSON().keys`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    p256dh: String,
    auth: String,
}

/// A subscription as the browser gives it (`PushSubscription.toJSON()`).
#[derive(Deserialize, ToSchema)]
pub struct Subscription {
    endpoint: String,
    keys: SubscriptionKeys,
    /// Sent by some browsers; not used.
    #[serde(default, rename = "expirationTime")]
    #[allow(dead_code)]
    expiration_time: Option<f64>,
}

fn invalid(field: &'static str) -> ApiError {
    krousar_store::StoreError::invalid(field, "err-push-subscription").into()
}

/// The VAPID public key, and whether push is on for this device.
#[utoipa::path(get, path = "/api/v1/sync/web-push", tag = "sync", params(DeviceHeaders),
    responses((status = 200, body = PushState), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 410, response = Gone)))]
pub async fn state_of(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap) -> Result<Response, ApiError> {
    let d = device(&state, &cur, &headers).await?;
    let (public_key, _) = state.store.push_key(push::new_key).await?;
    let on = state.store.push_on(&cur.actor, d.id).await?;
    Ok(Json(PushState { public_key, on }).into_response())
}

/// Push notices to this device: its subscription replaces any it had.
#[utoipa::path(put, path = "/api/v1/sync/web-push", tag = "sync", params(DeviceHeaders), request_body = Subscription,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 410, response = Gone), (status = 422, response = Invalid)))]
pub async fn subscribe(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let d = device(&state, &cur, &headers).await?;
    let s: Subscription = json_body(&body)?;
    if !push::allowed_endpoint(&s.endpoint, &state.config.push_services) {
        return Err(invalid("endpoint"));
    }
    if push::browser_keys(&s.keys.p256dh, &s.keys.auth).is_none() {
        return Err(invalid("keys"));
    }
    let host = reqwest::Url::parse(&s.endpoint).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
    state.store.subscribe_push(&cur.actor, d.id, &s.endpoint, &s.keys.p256dh, &s.keys.auth, &host).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Push no more notices to this device.
#[utoipa::path(delete, path = "/api/v1/sync/web-push", tag = "sync", params(DeviceHeaders),
    responses((status = 204), (status = 401, response = Unauthorized), (status = 403, response = Forbidden), (status = 410, response = Gone)))]
pub async fn unsubscribe(State(state): State<AppState>, ApiUser(cur): ApiUser, headers: HeaderMap) -> Result<Response, ApiError> {
    let d = device(&state, &cur, &headers).await?;
    state.store.unsubscribe_push(&cur.actor, d.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
