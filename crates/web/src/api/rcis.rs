//! The RCI register and a child's stays in the API: the same domain validation and store
//! operations as the pages (`RciInput`, `StayInput`; `Store::create_rci`, `update_rci`,
//! `add_residence`, `update_residence`), so the permissions, checks and audit are the pages'.

use super::schema::{numbers_as_text, BadRequest, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use super::{invalid_field, json_body, json_body_as};
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
use krousar_store::rcis::{Rci, Residence};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Fields of an institution the API takes as a number or as text.
const NUMBERS: &[&str] = &["capacity"];

fn invalid(e: krousar_domain::Invalid) -> ApiError {
    ApiError(AppError::Invalid(e))
}

/// `POST /rcis`: register an institution (supervisors, managers, the ministry).
#[utoipa::path(post, path = "/api/v1/rcis", tag = "rcis", request_body = RciInput,
    responses((status = 201, body = Rci), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Invalid)))]
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: RciInput = json_body_as(numbers_as_text(json_body(&body)?, NUMBERS))?;
    let fields = input.validate().map_err(invalid)?;
    let rci = state.store.create_rci(&cur.actor, fields).await?;
    Ok((StatusCode::CREATED, Json(rci)).into_response())
}

/// `GET /rcis/{id}`: one institution of the shared register, with its version.
#[utoipa::path(get, path = "/api/v1/rcis/{id}", tag = "rcis", params(("id" = Uuid, Path, description = "The RCI's id")),
    responses((status = 200, body = Rci), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let rci = state.store.rci(&cur.actor, id).await?;
    Ok(Json(rci).into_response())
}

/// Some of an institution's details and the version they change: a field left out stays as it
/// is, one sent as `null` is cleared.
#[derive(Deserialize, ToSchema)]
pub struct RciPatch {
    /// The institution's version as read; a stale one is refused (409).
    #[schema(required = true)]
    version: Option<i64>,
    /// The organisation that works with the institution (`null`: none); only the ministry
    /// changes it (403 for anyone else who sends another one).
    #[serde(default)]
    #[schema(nullable)]
    partner_org_id: Option<Uuid>,
    /// Read only to check each field's type; the fields are merged by name (see `patch`).
    #[serde(flatten)]
    #[allow(dead_code)]
    fields: RciInput,
}

/// `PATCH /rcis/{id}`: change some of an institution's details; `version` is required and a
/// stale one gets 409 with nothing written. A field sent as `null` is cleared.
#[utoipa::path(patch, path = "/api/v1/rcis/{id}", tag = "rcis", params(("id" = Uuid, Path, description = "The RCI's id")),
    request_body = RciPatch,
    responses((status = 200, body = Rci), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 422, response = Invalid)))]
pub async fn patch(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let raw = numbers_as_text(json_body(&body)?, NUMBERS);
    let typed: RciPatch = json_body_as(raw.clone())?;
    let Some(version) = typed.version else { return Err(invalid_field("version", "err-required")) };
    let current = state.store.rci(&cur.actor, id).await?;
    let mut merged = serde_json::to_value(current.fields.to_input()).unwrap_or_default();
    for (k, v) in raw.as_object().into_iter().flatten() {
        if k != "version" && k != "partner_org_id" {
            merged[k.as_str()] = v.clone();
        }
    }
    let input: RciInput = json_body_as(merged)?;
    let fields = input.validate().map_err(invalid)?;
    // Sent (even as null): name that partner; left out: keep it.
    let partner = raw.as_object().and_then(|o| o.contains_key("partner_org_id").then_some(typed.partner_org_id));
    let rci = state.store.update_rci(&cur.actor, id, version, fields, partner).await?;
    Ok(Json(rci).into_response())
}

/// A child's stays, or none with `withheld: true` for a reader who is not one of the case's
/// own people.
#[derive(Serialize, ToSchema)]
pub struct Stays {
    items: Vec<Residence>,
    /// Always `null`: every stay is in one answer.
    next: Option<String>,
    withheld: bool,
}

/// `GET /children/{id}/stays`: the child's stays in institutions, latest first. Whoever may
/// open the record asks (audited as a read of it); only the case's own people read the stays,
/// others get none with `withheld: true`, as the record page shows them.
#[utoipa::path(get, path = "/api/v1/children/{id}/stays", tag = "rcis", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = Stays), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn stays(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api-stays").await?;
    let stays = state.store.stays_as_read_by(&cur.actor, &child).await?;
    let withheld = stays.is_none();
    Ok(Json(Stays { items: stays.unwrap_or_default(), next: None, withheld }).into_response())
}

/// `POST /children/{id}/stays`: record a stay (the child's workers); the record's living
/// situation follows an open stay.
#[utoipa::path(post, path = "/api/v1/children/{id}/stays", tag = "rcis", params(("id" = Uuid, Path, description = "The child's id")),
    request_body = StayInput,
    responses((status = 201, body = Residence), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn add_stay(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let (rci, period) = json_body::<StayInput>(&body)?.validate(cur.actor.today()).map_err(invalid)?;
    let stay = state.store.add_residence(&cur.actor, id, rci, period).await?;
    Ok((StatusCode::CREATED, Json(stay)).into_response())
}

/// `PUT /children/{id}/stays/{stay}`: the stay as it should be (its institution and dates, or
/// the day she left), with the same checks as adding one.
#[utoipa::path(put, path = "/api/v1/children/{id}/stays/{stay}", tag = "rcis",
    params(("id" = Uuid, Path, description = "The child's id"), ("stay" = Uuid, Path, description = "The stay's id")),
    request_body = StayInput,
    responses((status = 200, body = Residence), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn put_stay(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, stay)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (rci, period) = json_body::<StayInput>(&body)?.validate(cur.actor.today()).map_err(invalid)?;
    let stay = state.store.update_residence(&cur.actor, id, stay, rci, period).await?;
    Ok(Json(stay).into_response())
}
