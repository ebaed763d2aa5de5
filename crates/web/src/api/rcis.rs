//! The RCI register and a child's stays in the API: the same domain validation and store
//! operations as the pages (`RciInput`, `StayInput`; `Store::create_rci`, `update_rci`,
//! `add_residence`, `update_residence`), so the permissions, checks and audit are the pages'.

use super::children::normalise;
use super::json_body;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::rci::{RciInput, StayInput};
use serde_json::{json, Value};

fn bad_json() -> ApiError {
    ApiError(AppError::BadRequest("err-bad-json"))
}

fn invalid(e: krousar_domain::Invalid) -> ApiError {
    ApiError(AppError::Invalid(e))
}

/// `POST /rcis`: register an institution (supervisors, managers, the ministry).
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let raw: Value = json_body(&body)?;
    let input: RciInput = serde_json::from_value(normalise(raw)).map_err(|_| bad_json())?;
    let fields = input.validate().map_err(invalid)?;
    let rci = state.store.create_rci(&cur.actor, fields).await?;
    Ok((StatusCode::CREATED, Json(rci)).into_response())
}

/// `GET /rcis/{id}`: one institution of the shared register, with its version.
pub async fn get(State(state): State<AppState>, ApiUser(_): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let rci = state.store.rci(id).await?;
    Ok(Json(rci).into_response())
}

/// `PATCH /rcis/{id}`: change some of an institution's details; `version` is required and a
/// stale one gets 409 with nothing written. A field sent as `null` is cleared.
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let raw: Value = json_body(&body)?;
    let Some(obj) = raw.as_object() else { return Err(bad_json()) };
    let Some(version) = obj.get("version").and_then(Value::as_i64) else {
        let mut e = krousar_domain::Invalid::default();
        e.push("version", "err-required");
        return Err(invalid(e));
    };
    let current = state.store.rci(id).await?;
    let mut merged = serde_json::to_value(current.fields.to_input()).unwrap_or_default();
    for (k, v) in normalise(raw.clone()).as_object().into_iter().flatten() {
        if k != "version" {
            merged[k.as_str()] = v.clone();
        }
    }
    let input: RciInput = serde_json::from_value(merged).map_err(|_| bad_json())?;
    let fields = input.validate().map_err(invalid)?;
    let rci = state.store.update_rci(&cur.actor, id, version, fields).await?;
    Ok(Json(rci).into_response())
}

/// `GET /children/{id}/stays`: the child's stays in institutions, latest first. Whoever may
/// open the record asks (audited as a read of it); only the case's own people read the stays,
/// others get none with `withheld: true`, as the record page shows them.
pub async fn stays(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api-stays").await?;
    let stays = state.store.stays_as_read_by(&cur.actor, &child).await?;
    let withheld = stays.is_none();
    Ok(Json(json!({ "items": stays.unwrap_or_default(), "next": null, "withheld": withheld })).into_response())
}

fn stay_input(body: &Bytes) -> Result<StayInput, ApiError> {
    let raw: Value = json_body(body)?;
    serde_json::from_value(raw).map_err(|_| bad_json())
}

/// `POST /children/{id}/stays`: record a stay (the child's workers); the record's living
/// situation follows an open stay.
pub async fn add_stay(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (rci, period) = stay_input(&body)?.validate(cur.actor.today()).map_err(invalid)?;
    let stay = state.store.add_residence(&cur.actor, id, rci, period).await?;
    Ok((StatusCode::CREATED, Json(stay)).into_response())
}

/// `PUT /children/{id}/stays/{stay}`: the stay as it should be (its institution and dates, or
/// the day she left), with the same checks as adding one.
pub async fn put_stay(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, stay)): Ids<(uuid::Uuid, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (rci, period) = stay_input(&body)?.validate(cur.actor.today()).map_err(invalid)?;
    let stay = state.store.update_residence(&cur.actor, id, stay, rci, period).await?;
    Ok(Json(stay).into_response())
}
