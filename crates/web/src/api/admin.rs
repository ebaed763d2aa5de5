//! The organisation's directory, teams, accounts and devices in the API: the same store
//! operations and policy as the administration pages (`Store::organisation_directory`,
//! `managed_teams`, `manageable_users`, `set_user_team`, `org_devices`, `revoke_device`).

use super::json_body;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::pages::parse_id;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_store::accounts::User;
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /organisations`: every organisation's id, name and kind (who a referral can go to),
/// the caller's own marked `own`. Nothing of their people or cases.
pub async fn organisations(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state.store.organisation_directory(&cur.actor).await?;
    Ok(Json(json!({ "items": items, "next": null })).into_response())
}

/// `GET /teams`: the teams of the caller's organisation, for its administrator.
pub async fn teams(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state.store.managed_teams(&cur.actor, cur.actor.org_id).await?;
    Ok(Json(json!({ "items": items, "next": null })).into_response())
}

/// An account as the API shows it to an administrator (no secrets, no sign-in state).
fn account(u: &User) -> Value {
    json!({
        "id": u.id, "org_id": u.org_id, "username": u.username, "display_name": u.display_name,
        "role": u.role, "team_id": u.team_id, "disabled": u.disabled, "version": u.version,
    })
}

/// `GET /users`: the accounts the caller administers.
pub async fn users(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let users = state.store.manageable_users(&cur.actor).await?;
    Ok(Json(json!({ "items": users.iter().map(account).collect::<Vec<_>>(), "next": null })).into_response())
}

/// `PUT /users/{id}/team` `{"team_id": ID | null}`: put an account in a team of its
/// organisation (or none), as the account's page does. `team_id` must be there (`null` takes
/// the account out of its team; an empty body must not).
pub async fn set_team(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let v: Value = json_body(&body)?;
    let bad = || ApiError(AppError::BadRequest("err-bad-json"));
    let obj = v.as_object().ok_or_else(bad)?;
    if obj.keys().any(|k| k != "team_id") {
        return Err(bad());
    }
    let refuse = |code| {
        let mut e = krousar_domain::Invalid::default();
        e.push("team_id", code);
        ApiError(AppError::Invalid(e))
    };
    let team = match obj.get("team_id") {
        None => return Err(refuse("err-required")),
        Some(Value::Null) => None,
        Some(Value::String(t)) => Some(parse_id(t.trim()).ok_or_else(|| refuse("err-invalid-choice"))?),
        Some(_) => return Err(bad()),
    };
    let u = state.store.set_user_team(&cur.actor, id, team).await?;
    Ok(Json(account(&u)).into_response())
}

#[derive(Deserialize, Default)]
pub struct DevicesQuery {
    /// `true`: every device of the caller's organisation (its administrator).
    all: Option<bool>,
}

/// `GET /devices`: the caller's own devices, or with `all=true` the organisation's.
pub async fn devices(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<DevicesQuery>) -> Result<Response, ApiError> {
    let items = if q.all.unwrap_or(false) {
        state.store.org_devices(&cur.actor, cur.actor.org_id).await
    } else {
        state.store.my_devices(&cur.actor).await
    }?;
    Ok(Json(json!({ "items": items, "next": null })).into_response())
}

/// `POST /devices/{id}/revoke`: its user, or an administrator of its organisation (a lost
/// phone). Its key is destroyed and at its next contact it wipes what it holds.
pub async fn revoke_device(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let d = state.store.revoke_device(&cur.actor, id).await?;
    Ok(Json(d).into_response())
}
