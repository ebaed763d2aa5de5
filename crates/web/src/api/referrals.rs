//! Referrals in the API: send, list (incoming and outgoing), accept / decline / withdraw.

use super::{bad_id, json_body};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::referral::ReferralInput;
use serde_json::{json, Value};

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

pub async fn send(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let v: Value = json_body(&body)?;
    // `shares` as a list of codes (or one comma-separated string).
    let shares = match v.get("shares") {
        Some(Value::Array(a)) => Some(a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(",")),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let input = ReferralInput {
        to_org: text(&v, "to_org"),
        kind: text(&v, "kind"),
        services: text(&v, "services"),
        reason: text(&v, "reason"),
        urgency: text(&v, "urgency"),
        consent_by: text(&v, "consent_by"),
        consent_on: text(&v, "consent_on"),
        shares,
        override_reason: text(&v, "override_reason"),
    };
    let r = input.validate(cur.actor.today(), cur.actor.org_id).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let rid = state.store.send_referral(&cur.actor, id, r, cur.actor.today()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": rid }))).into_response())
}

pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let rows = state.store.referrals(&cur.actor, cur.tr.is_km()).await?;
    Ok(Json(json!({ "items": rows })).into_response())
}

pub async fn decide(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, action)): Ids<(uuid::Uuid, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !matches!(action.as_str(), "accept" | "decline" | "withdraw") {
        return Err(bad_id());
    }
    let v: Value = if body.is_empty() { json!({}) } else { json_body(&body)? };
    state.store.decide_referral(&cur.actor, id, &action, text(&v, "reason").as_deref(), cur.actor.today()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
