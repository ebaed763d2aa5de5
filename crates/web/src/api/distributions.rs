//! Distributions through the API: the same store calls as the pages, with the same checks.

use super::json_body;
use super::schema::{BadRequest, Forbidden, Invalid, Items, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::distribution::{DistributionInput, Receipt};
use krousar_domain::FieldError;
use krousar_store::distributions::{Adding, DistributionRecord, ListLine, SupportLine};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct Created {
    id: Uuid,
}

/// A distribution and its list.
#[derive(Serialize, ToSchema)]
pub struct WithList {
    distribution: DistributionRecord,
    households: Vec<ListLine>,
}

/// Households to put on the list: by id, every household of a village (a gazetteer code), or
/// the households of a community group's members — one of the three.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddHouseholds {
    #[serde(default)]
    households: Vec<Uuid>,
    village: Option<String>,
    group: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct Added {
    added: usize,
}

/// One household's receipt.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLine {
    household_id: Uuid,
    /// planned, received or not_received.
    state: String,
    #[serde(default)]
    signed: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipts {
    /// The day the households received it (YYYY-MM-DD).
    received_on: String,
    households: Vec<ReceiptLine>,
}

fn invalid(field: &'static str, code: &'static str) -> ApiError {
    ApiError(AppError::Invalid(krousar_domain::Invalid { errors: vec![FieldError { field, code }] }))
}

/// The organisation's distributions, newest first.
#[utoipa::path(get, path = "/api/v1/distributions", tag = "distributions",
    responses((status = 200, body = Items<DistributionRecord>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(Items { items: state.store.distributions(&cur.actor).await? }).into_response())
}

/// Plan a distribution: what each household gets, and when.
#[utoipa::path(post, path = "/api/v1/distributions", tag = "distributions", request_body = DistributionInput,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Invalid)))]
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: DistributionInput = json_body(&body)?;
    let d = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let id = state.store.create_distribution(&cur.actor, &d).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// A distribution with its list (another organisation's is not found). Audited.
#[utoipa::path(get, path = "/api/v1/distributions/{id}", tag = "distributions", params(("id" = Uuid, Path, description = "The distribution's id")),
    responses((status = 200, body = WithList), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let (distribution, households) = state.store.distribution(&cur.actor, id).await?;
    Ok(Json(WithList { distribution, households }).into_response())
}

/// Put households on the list (each the organisation's); those already on it stay as they are.
#[utoipa::path(post, path = "/api/v1/distributions/{id}/households", tag = "distributions",
    params(("id" = Uuid, Path, description = "The distribution's id")), request_body = AddHouseholds,
    responses((status = 200, body = Added), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn add(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let a: AddHouseholds = json_body(&body)?;
    let adding = match (a.village, a.group, a.households.is_empty()) {
        (Some(v), None, true) => Adding::Village(v),
        (None, Some(g), true) => Adding::Group(g),
        (None, None, _) => Adding::Households(a.households),
        _ => return Err(invalid("households", "err-village-or-households")),
    };
    let added = state.store.add_to_distribution(&cur.actor, id, adding).await?;
    Ok(Json(Added { added }).into_response())
}

/// Record who received it, signed or not, and who did not; all or nothing.
#[utoipa::path(post, path = "/api/v1/distributions/{id}/receipts", tag = "distributions",
    params(("id" = Uuid, Path, description = "The distribution's id")), request_body = Receipts,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn receipts(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let r: Receipts = json_body(&body)?;
    let on = chrono::NaiveDate::parse_from_str(&r.received_on, "%Y-%m-%d").map_err(|_| invalid("received_on", "err-date"))?;
    let lines = r
        .households
        .iter()
        .map(|l| Receipt::parse(&l.state).map(|s| (l.household_id, s, l.signed)).ok_or_else(|| invalid("state", "err-invalid-choice")))
        .collect::<Result<Vec<_>, _>>()?;
    state.store.record_receipts(&cur.actor, id, &lines, on).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The support a household received or is listed for, from the caller's organisation.
#[utoipa::path(get, path = "/api/v1/households/{id}/support", tag = "distributions", params(("id" = Uuid, Path, description = "The household's id")),
    responses((status = 200, body = Items<SupportLine>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn household_support(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    state.store.view_household(&cur.actor, id, "api").await?;
    Ok(Json(Items { items: state.store.household_support(&cur.actor, id).await? }).into_response())
}
