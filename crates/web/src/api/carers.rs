//! The carer register in the API: `GET|POST /carers`, `GET /carers/{id}` (with its history),
//! `POST /carers/{id}/steps` (with `version`), `GET /children/{id}/carer-matches`. A child is
//! placed with a carer through the case's placement (`household_id` = the carer's household),
//! where the carer's rules are checked.

use super::schema::{numbers_as_text, BadRequest, Conflict, Forbidden, Invalid, Items, NotFound, Unauthorized};
use super::{invalid_field, json_body, json_body_as};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::carer::matching::{rank, CarerOffer, ChildNeeds};
use krousar_domain::carer::{CarerInput, StepInput};
use krousar_store::carers::{Carer, CarerEntry};
use krousar_store::children::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Fields of a step the API takes as a number or as text.
const NUMBERS: &[&str] = &["max_children", "age_min", "age_max"];

fn invalid(e: krousar_domain::Invalid) -> ApiError {
    ApiError(AppError::Invalid(e))
}

/// The carers the caller may see (one page: the register is small).
#[utoipa::path(get, path = "/api/v1/carers", tag = "carers",
    responses((status = 200, body = Page<Carer>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state.store.carers(&cur.actor).await?;
    Ok(Json(Page { items, next: None }).into_response())
}

/// Register an enquiry from a possible carer.
#[utoipa::path(post, path = "/api/v1/carers", tag = "carers", request_body = CarerInput,
    responses((status = 201, body = Carer), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Invalid)))]
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: CarerInput = json_body(&body)?;
    let fields = input.validate(cur.actor.today()).map_err(invalid)?;
    let carer = state.store.register_carer(&cur.actor, fields).await?;
    Ok((StatusCode::CREATED, Json(carer)).into_response())
}

/// A carer and every step of their assessment, oldest first.
#[derive(Serialize, ToSchema)]
pub struct CarerWithHistory {
    #[serde(flatten)]
    carer: Carer,
    history: Vec<CarerEntry>,
}

/// One carer, with their history.
#[utoipa::path(get, path = "/api/v1/carers/{id}", tag = "carers", params(("id" = Uuid, Path, description = "The carer's id")),
    responses((status = 200, body = CarerWithHistory), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let (carer, history) = state.store.carer(&cur.actor, id).await?;
    Ok(Json(CarerWithHistory { carer, history }).into_response())
}

/// A step of the carer's assessment (`kind` says which fields matter), and the carer's version.
#[derive(Deserialize, ToSchema)]
pub struct CarerStep {
    /// The carer's version as read; a stale one is refused (409).
    #[schema(required = true)]
    version: Option<i64>,
    #[serde(flatten)]
    step: StepInput,
}

/// Record a step (a visit, a check, training, the panel's decision, a placement's end…).
#[utoipa::path(post, path = "/api/v1/carers/{id}/steps", tag = "carers", params(("id" = Uuid, Path, description = "The carer's id")),
    request_body = CarerStep,
    responses((status = 200, body = Carer), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 422, response = Invalid)))]
pub async fn step(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let s: CarerStep = json_body_as(numbers_as_text(json_body(&body)?, NUMBERS))?;
    let Some(version) = s.version else { return Err(invalid_field("version", "err-required")) };
    let step = s.step.validate(cur.actor.today()).map_err(invalid)?;
    let carer = state.store.record_carer_step(&cur.actor, id, version, step).await?;
    Ok(Json(carer).into_response())
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// Brothers and sisters to be placed with the child.
    siblings: Option<u32>,
    /// A language the child speaks at home besides Khmer.
    language: Option<String>,
    /// Kinship care only.
    kinship: Option<bool>,
}

/// A carer as a match for a child.
#[derive(Serialize, ToSchema)]
pub struct CarerMatch {
    carer_id: Uuid,
    name: String,
    household_id: Uuid,
    score: u32,
    /// Message keys of what speaks for (`+`) or against (`-`) the carer, in order.
    reasons: Vec<&'static str>,
    /// Why the carer cannot take the child (a message key), if so.
    excluded: Option<&'static str>,
}

/// Available carers for a child, best fit first, each with its reasons (or why it cannot).
#[utoipa::path(get, path = "/api/v1/children/{id}/carer-matches", tag = "carers",
    params(("id" = Uuid, Path, description = "The child's id"), MatchQuery),
    responses((status = 200, body = Items<CarerMatch>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn matches(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<MatchQuery>,
) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api-carer-match").await?;
    let carers = state.store.available_carers(&cur.actor).await?;
    let needs = ChildNeeds::of(&child.fields, cur.actor.today(), q.siblings.unwrap_or(0), q.language.clone(), q.kinship.unwrap_or(false));
    let offers: Vec<CarerOffer> = carers.iter().filter_map(|c| c.offer()).collect();
    let items = rank(&needs, &offers)
        .into_iter()
        .map(|r| {
            let c = carers.iter().find(|c| c.id == r.id).expect("ranked from these");
            CarerMatch {
                carer_id: c.id,
                name: c.name.clone(),
                household_id: c.household_id,
                score: r.score,
                reasons: r.reasons,
                excluded: r.excluded,
            }
        })
        .collect();
    Ok(Json(Items { items }).into_response())
}
