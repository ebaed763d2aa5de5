//! Children's records in the API: list and search, register (with the duplicate check),
//! read, change some fields, and possible duplicates.

use super::schema::{numbers_as_text, Items};
use super::{bad_request, invalid_field, json_body, json_body_as};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::age::AgeBand;
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::case::Stage;
use krousar_domain::child::ChildInput;
use krousar_domain::choices::{LivingArrangement, Sex};
use krousar_domain::forms::FormTarget;
use krousar_store::children::{Child, ChildFilter, Page, Registration};
use krousar_store::duplicates::Candidate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Fields of a child's record the API takes as a number or as text.
const NUMBERS: &[&str] = &["estimated_birth_year"];

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words of a name (Khmer or Latin script) or a case number.
    q: Option<String>,
    /// Province code.
    province: Option<String>,
    /// District code.
    district: Option<String>,
    sex: Option<Sex>,
    /// Age band: `0-5`, `6-11`, `12-17` or `18+`.
    #[param(value_type = Option<String>, pattern = r"^(0-5|6-11|12-17|18\+)$")]
    age_band: Option<String>,
    /// The assigned worker's id.
    worker: Option<Uuid>,
    living: Option<LivingArrangement>,
    /// The stage of the child's case with the organisation that holds the child (`closed`: its
    /// cases are all closed).
    stage: Option<Stage>,
    /// The risk level of that open case.
    risk: Option<RiskLevel>,
    /// `any`: children with a flag up; a flag kind (`safety`, `runaway`, `no_contact`, `court`,
    /// `other`): with a flag of that kind up.
    #[param(value_type = Option<String>, pattern = r"^(any|safety|runaway|no_contact|court|other)$")]
    flag: Option<String>,
    /// `next` of the previous page.
    cursor: Option<String>,
    /// At most this many (1–200, default 50).
    limit: Option<i64>,
    /// `true`: the cases the caller works on as second worker.
    shared: Option<bool>,
}

/// The children the caller may see, by case number, filtered; a page at a time.
#[utoipa::path(get, path = "/api/v1/children", tag = "children", params(ListQuery),
    responses((status = 200, body = Page<Child>), (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized), (status = 403, response = super::schema::Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    let age_band = match q.age_band.as_deref() {
        None => None,
        Some(b) => Some(AgeBand::parse(b).ok_or_else(|| bad_request("err-bad-request"))?),
    };
    let flag = match q.flag.as_deref() {
        None => None,
        Some("any") => Some(None),
        Some(code) => Some(Some(krousar_domain::flag::FlagKind::parse(code).ok_or_else(|| bad_request("err-bad-request"))?)),
    };
    let filter = ChildFilter {
        flag,
        q: q.q.filter(|s| !s.trim().is_empty()),
        province: q.province,
        district: q.district,
        org: None,
        sex: q.sex,
        age_band,
        worker: q.worker,
        co_worker: q.shared.unwrap_or(false).then_some(cur.actor.user_id),
        living: q.living,
        stage: q.stage,
        risk: q.risk,
    };
    let page =
        state.store.list_children(&cur.actor, &filter, q.cursor.as_deref().and_then(|c| c.parse().ok()), q.limit.unwrap_or(50)).await?;
    Ok(Json(page).into_response())
}

/// A child to register: the record's fields, and whether the person registering has seen the
/// possible duplicates and says this is a different child.
#[derive(Deserialize, ToSchema)]
pub struct NewChild {
    #[serde(flatten)]
    child: ChildInput,
    /// `true` after showing the possible duplicates: register without asking again.
    #[serde(default)]
    confirmed_new: Option<bool>,
    /// Answers to the organisation's own fields on the registration form (the form of
    /// `GET /forms` with `in_registration`), by question code, as `POST /children/{id}/forms/{form}`
    /// takes them; checked with the record's fields and kept with it.
    #[serde(default)]
    #[schema(value_type = Option<HashMap<String, super::custom_forms::AnswerIn>>)]
    answers: Option<HashMap<String, Value>>,
}

/// A registration refused because the child may be known already: the error, and the same
/// matches as `POST /children/duplicate-check`.
#[derive(Serialize, ToSchema)]
pub struct PossibleDuplicates {
    /// `possible_duplicates`.
    error: crate::error::ErrorDetail,
    items: Vec<Candidate>,
}

/// Register a child. A likely duplicate is not saved: 409 with the possible matches (the
/// shape of `POST /children/duplicate-check`, plus the error), unless the body says
/// `"confirmed_new": true` (after showing them to the person registering). The check counts
/// against the caller's hourly duplicate checks (429 past it), as the pages' does.
#[utoipa::path(post, path = "/api/v1/children", tag = "children", request_body = NewChild,
    responses((status = 201, body = Child), (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized), (status = 403, response = super::schema::Forbidden),
        (status = 409, description = "Possibly registered already: nothing saved", body = PossibleDuplicates),
        (status = 422, response = super::schema::Invalid), (status = 429, response = super::schema::TooMany)))]
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let new: NewChild = json_body_as(numbers_as_text(json_body(&body)?, NUMBERS))?;
    let values = super::custom_forms::values_of(new.answers.unwrap_or_default());
    let extra = crate::commands::registration_fields::extra_answers(&state.store, &cur.actor, FormTarget::Child, &values, None).await?;
    // The record's fields and the organisation's own are checked together: a problem in
    // either keeps nothing, and every problem is answered.
    let (fields, extra) = match (new.child.validate(cur.actor.today()), extra) {
        (Ok(f), Ok(x)) => (f, x.filter(|x| !x.answers.is_empty())),
        (a, b) => return Err(ApiError(AppError::Invalid(crate::commands::registration_fields::merged(a.err(), b.err())))),
    };
    match state.store.register_new_child_with(&cur.actor, fields, new.confirmed_new.unwrap_or(false), extra.as_ref()).await? {
        Registration::Registered(child) => Ok((StatusCode::CREATED, Json(child)).into_response()),
        Registration::PossibleDuplicates(found) => {
            let error = crate::error::ErrorDetail {
                code: "possible_duplicates",
                message: cur.tr.t("err-possible-duplicates"),
                fields: None,
                current_version: None,
            };
            Ok((StatusCode::CONFLICT, Json(PossibleDuplicates { error, items: found })).into_response())
        }
    }
}

/// One child's record (audited as a read).
#[utoipa::path(get, path = "/api/v1/children/{id}", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = Child), (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden), (status = 404, response = super::schema::NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api").await?;
    Ok(Json(child).into_response())
}

/// Some fields of a child's record and the version they change: a field left out stays as it
/// is, one sent as `null` is cleared.
#[derive(Deserialize, ToSchema)]
pub struct ChildPatch {
    /// The record's version as read (`version` of the record); a stale one is refused (409).
    #[schema(required = true)]
    version: Option<i64>,
    /// Read only to check each field's type; the fields are merged by name (see `patch`).
    #[serde(flatten)]
    #[allow(dead_code)]
    fields: ChildInput,
}

/// Change some fields. `version` is required: a stale one gets 409 and nothing is written.
#[utoipa::path(patch, path = "/api/v1/children/{id}", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    request_body = ChildPatch,
    responses((status = 200, body = Child), (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized), (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound), (status = 409, response = super::schema::Conflict),
        (status = 422, response = super::schema::Invalid)))]
pub async fn patch(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let raw = numbers_as_text(json_body(&body)?, NUMBERS);
    // Read whole to check every field's type; the fields sent are then merged by name, so that
    // one left out keeps its value and one sent as `null` is cleared.
    let typed: ChildPatch = json_body_as(raw.clone())?;
    let Some(version) = typed.version else { return Err(invalid_field("version", "err-required")) };
    let current = state.store.view_child(&cur.actor, id, "api-patch").await?;
    let mut merged = serde_json::to_value(current.fields.to_input()).unwrap_or_default();
    for (k, v) in raw.as_object().into_iter().flatten() {
        if k != "version" {
            if k == "date_of_birth" && !v.is_null() {
                merged["estimated_birth_year"] = Value::Null;
            }
            merged[k.as_str()] = v.clone();
        }
    }
    let input: ChildInput = json_body_as(merged)?;
    let fields = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let child = state.store.update_child(&cur.actor, id, version, fields).await?;
    Ok(Json(child).into_response())
}

/// Possible duplicates of a registered child (other organisations' records: only where they are).
#[utoipa::path(get, path = "/api/v1/children/{id}/duplicates", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = Items<Candidate>), (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden), (status = 404, response = super::schema::NotFound),
        (status = 429, response = super::schema::TooMany)))]
pub async fn duplicates(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api-duplicates").await?;
    let items = state.store.possible_duplicates(&cur.actor, &child.fields, Some(id)).await?;
    Ok(Json(Items { items }).into_response())
}

/// Possible duplicates of a child about to be registered (same body as `POST /children`);
/// nothing is saved.
#[utoipa::path(post, path = "/api/v1/children/duplicate-check", tag = "children", request_body = ChildInput,
    responses((status = 200, body = Items<Candidate>), (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized), (status = 403, response = super::schema::Forbidden),
        (status = 422, response = super::schema::Invalid), (status = 429, response = super::schema::TooMany)))]
pub async fn duplicate_check(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: ChildInput = json_body_as(numbers_as_text(json_body(&body)?, NUMBERS))?;
    let fields = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let items = state.store.possible_duplicates(&cur.actor, &fields, None).await?;
    Ok(Json(Items { items }).into_response())
}
