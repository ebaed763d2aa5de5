//! The carer register in the API: `GET|POST /carers`, `GET /carers/{id}` (with its history),
//! `POST /carers/{id}/steps` (with `version`), `GET /children/{id}/carer-matches`. A child is
//! placed with a carer through the case's placement (`household_id` = the carer's household),
//! where the carer's rules are checked.

use super::json_body;
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
use serde::Deserialize;
use serde_json::{json, Value};

fn invalid(e: krousar_domain::Invalid) -> ApiError {
    ApiError(AppError::Invalid(e))
}

pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state.store.carers(&cur.actor, cur.actor.today()).await?;
    Ok(Json(json!({ "items": items, "next": null })).into_response())
}

pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: CarerInput = json_body(&body)?;
    let fields = input.validate(cur.actor.today()).map_err(invalid)?;
    let carer = state.store.register_carer(&cur.actor, fields, cur.actor.today()).await?;
    Ok((StatusCode::CREATED, Json(carer)).into_response())
}

pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let (carer, history) = state.store.carer(&cur.actor, id, cur.actor.today()).await?;
    let mut v = serde_json::to_value(carer).unwrap_or_default();
    v["history"] = serde_json::to_value(history).unwrap_or_default();
    Ok(Json(v).into_response())
}

pub async fn step(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let raw: Value = json_body(&body)?;
    let Some(version) = raw.get("version").and_then(Value::as_i64) else {
        let mut e = krousar_domain::Invalid::default();
        e.push("version", "err-required");
        return Err(invalid(e));
    };
    let mut obj = raw.clone();
    if let Some(o) = obj.as_object_mut() {
        o.remove("version");
        for (_, v) in o.iter_mut() {
            if v.is_number() {
                *v = Value::String(v.to_string());
            }
        }
    }
    let input: StepInput = serde_json::from_value(obj).map_err(|_| ApiError(AppError::BadRequest("err-bad-json")))?;
    let step = input.validate(cur.actor.today()).map_err(invalid)?;
    let carer = state.store.record_carer_step(&cur.actor, id, version, step, cur.actor.today()).await?;
    Ok(Json(carer).into_response())
}

#[derive(Deserialize, Default)]
pub struct MatchQuery {
    siblings: Option<u32>,
    language: Option<String>,
    kinship: Option<bool>,
}

/// Available carers for a child, best fit first, each with its reasons (or why it cannot).
pub async fn matches(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    Query(q): Query<MatchQuery>,
) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api-carer-match").await?;
    let carers = state.store.available_carers(&cur.actor, cur.actor.today()).await?;
    let needs = ChildNeeds::of(&child.fields, cur.actor.today(), q.siblings.unwrap_or(0), q.language.clone(), q.kinship.unwrap_or(false));
    let offers: Vec<CarerOffer> = carers.iter().filter_map(|c| c.offer()).collect();
    let items: Vec<Value> = rank(&needs, &offers)
        .into_iter()
        .map(|r| {
            let c = carers.iter().find(|c| c.id == r.id).expect("ranked from these");
            json!({"carer_id": c.id, "name": c.name, "household_id": c.household_id, "score": r.score, "reasons": r.reasons, "excluded": r.excluded})
        })
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}
