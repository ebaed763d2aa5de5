use super::json_body;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::pages::parse_id;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::age::AgeBand;
use krousar_domain::child::ChildInput;
use krousar_domain::choices::{LivingArrangement, Sex};
use krousar_store::children::{ChildFilter, Registration};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    province: Option<String>,
    district: Option<String>,
    sex: Option<String>,
    age_band: Option<String>,
    worker: Option<String>,
    living: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
    /// `true`: the cases the caller works on as second worker.
    shared: Option<bool>,
}

pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    let filter = ChildFilter {
        q: q.q.filter(|s| !s.trim().is_empty()),
        province: q.province,
        district: q.district,
        org: None,
        sex: q.sex.as_deref().and_then(Sex::parse),
        age_band: q.age_band.as_deref().and_then(AgeBand::parse),
        worker: q.worker.as_deref().and_then(parse_id),
        co_worker: q.shared.unwrap_or(false).then_some(cur.actor.user_id),
        living: q.living.as_deref().and_then(LivingArrangement::parse),
    };
    let page = state
        .store
        .list_children(&cur.actor, &filter, q.cursor.as_deref().and_then(|c| c.parse().ok()), q.limit.unwrap_or(50), cur.actor.today())
        .await?;
    Ok(Json(page).into_response())
}

/// The API accepts `estimated_birth_year` as a number or a string.
pub(super) fn normalise(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        for (_, val) in o.iter_mut() {
            if val.is_number() {
                *val = Value::String(val.to_string());
            }
        }
    }
    v
}

/// Register a child. A likely duplicate is not saved: 409 with the possible matches (the
/// shape of `POST /children/duplicate-check`, plus the error), unless the body says
/// `"confirmed_new": true` (after showing them to the person registering). The check counts
/// against the caller's hourly duplicate checks (429 past it), as the pages' does.
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let mut raw: Value = json_body(&body)?;
    let bad = || ApiError(AppError::BadRequest("err-bad-json"));
    let confirmed_new = match raw.as_object_mut().ok_or_else(bad)?.remove("confirmed_new") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => return Err(bad()),
    };
    let input: ChildInput = serde_json::from_value(normalise(raw)).map_err(|_| bad())?;
    let fields = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    match state.store.register_new_child(&cur.actor, fields, confirmed_new).await? {
        Registration::Registered(child) => Ok((StatusCode::CREATED, Json(child)).into_response()),
        Registration::PossibleDuplicates(found) => {
            let body = serde_json::json!({
                "error": {"code": "possible_duplicates", "message": cur.tr.t("err-possible-duplicates")},
                "items": found,
            });
            Ok((StatusCode::CONFLICT, Json(body)).into_response())
        }
    }
}

pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api").await?;
    Ok(Json(child).into_response())
}

/// Change some fields. `version` is required: a stale one gets 409 and nothing is written.
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let raw: Value = json_body(&body)?;
    let Some(obj) = raw.as_object() else { return Err(ApiError(AppError::BadRequest("err-bad-json"))) };
    let Some(version) = obj.get("version").and_then(Value::as_i64) else {
        let mut e = krousar_domain::Invalid::default();
        e.push("version", "err-required");
        return Err(ApiError(AppError::Invalid(e)));
    };
    let current = state.store.view_child(&cur.actor, id, "api-patch").await?;
    let mut merged = serde_json::to_value(current.fields.to_input()).unwrap_or_default();
    for (k, v) in normalise(raw.clone()).as_object().into_iter().flatten() {
        if k != "version" {
            if k == "date_of_birth" && !v.is_null() {
                merged["estimated_birth_year"] = Value::Null;
            }
            merged[k.as_str()] = v.clone();
        }
    }
    let input: ChildInput = serde_json::from_value(merged).map_err(|_| ApiError(AppError::BadRequest("err-bad-json")))?;
    let fields = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let child = state.store.update_child(&cur.actor, id, version, fields).await?;
    Ok(Json(child).into_response())
}

/// Possible duplicates of a registered child (other organisations' records: only where they are).
pub async fn duplicates(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let child = state.store.view_child(&cur.actor, id, "api-duplicates").await?;
    let found = state.store.possible_duplicates(&cur.actor, &child.fields, Some(id)).await?;
    Ok(Json(serde_json::json!({ "items": found })).into_response())
}

/// Possible duplicates of a child about to be registered (same body as `POST /children`);
/// nothing is saved.
pub async fn duplicate_check(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let raw: Value = json_body(&body)?;
    let input: ChildInput = serde_json::from_value(normalise(raw)).map_err(|_| ApiError(AppError::BadRequest("err-bad-json")))?;
    let fields = input.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let found = state.store.possible_duplicates(&cur.actor, &fields, None).await?;
    Ok(Json(serde_json::json!({ "items": found })).into_response())
}
