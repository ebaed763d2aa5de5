//! The organisation's directory, teams, accounts and devices in the API: the same store
//! operations and policy as the administration pages (`Store::organisation_directory`,
//! `managed_teams`, `manageable_users`, `set_user_team`, `org_devices`, `revoke_device`).

use super::schema::{BadRequest, Forbidden, Invalid, NotFound, Unauthorized};
use super::{invalid_field, json_body};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::Ids;
use crate::pages::parse_id;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::Role;
use krousar_store::accounts::{OrgEntry, Team, User};
use krousar_store::children::Page;
use krousar_store::sync::Device;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `GET /organisations`: every organisation's id, name and kind (who a referral can go to),
/// the caller's own marked `own`. Nothing of their people or cases.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "administration",
    responses((status = 200, body = Page<OrgEntry>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn organisations(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state.store.organisation_directory(&cur.actor).await?;
    Ok(Json(Page { items, next: None }).into_response())
}

/// `GET /teams`: the teams of the caller's organisation, for its administrator.
#[utoipa::path(get, path = "/api/v1/teams", tag = "administration",
    responses((status = 200, body = Page<Team>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn teams(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state.store.managed_teams(&cur.actor, cur.actor.org_id).await?;
    Ok(Json(Page { items, next: None }).into_response())
}

/// An account as the API shows it to an administrator (no secrets, no sign-in state).
#[derive(Serialize, ToSchema)]
pub struct Account {
    id: Uuid,
    org_id: Uuid,
    username: String,
    display_name: String,
    role: Role,
    team_id: Option<Uuid>,
    disabled: bool,
    version: i64,
}

impl From<&User> for Account {
    fn from(u: &User) -> Account {
        Account {
            id: u.id,
            org_id: u.org_id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            team_id: u.team_id,
            disabled: u.disabled,
            version: u.version,
        }
    }
}

/// `GET /users`: the accounts the caller administers.
#[utoipa::path(get, path = "/api/v1/users", tag = "administration",
    responses((status = 200, body = Page<Account>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn users(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let users = state.store.manageable_users(&cur.actor).await?;
    Ok(Json(Page { items: users.iter().map(Account::from).collect(), next: None }).into_response())
}

/// Which team an account belongs to. `team_id` must be there: `null` takes the account out of
/// its team; an empty body must not.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamAssignment {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>, required = true)]
    team_id: Option<Option<String>>,
}

/// A field that is there, `null` or not: `Some(None)` for `null`, `None` (the default) when
/// left out.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PUT /users/{id}/team` `{"team_id": ID | null}`: put an account in a team of its
/// organisation (or none), as the account's page does.
#[utoipa::path(put, path = "/api/v1/users/{id}/team", tag = "administration", params(("id" = Uuid, Path, description = "The account's id")),
    request_body = TeamAssignment,
    responses((status = 200, body = Account), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn set_team(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let a: TeamAssignment = json_body(&body)?;
    let team = match a.team_id {
        None => return Err(invalid_field("team_id", "err-required")),
        Some(None) => None,
        Some(Some(t)) => Some(parse_id(t.trim()).ok_or_else(|| invalid_field("team_id", "err-invalid-choice"))?),
    };
    let u = state.store.set_user_team(&cur.actor, id, team).await?;
    Ok(Json(Account::from(&u)).into_response())
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DevicesQuery {
    /// `true`: every device of the caller's organisation (its administrator).
    all: Option<bool>,
}

/// `GET /devices`: the caller's own devices, or with `all=true` the organisation's.
#[utoipa::path(get, path = "/api/v1/devices", tag = "administration", params(DevicesQuery),
    responses((status = 200, body = Page<Device>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn devices(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<DevicesQuery>) -> Result<Response, ApiError> {
    let items = if q.all.unwrap_or(false) {
        state.store.org_devices(&cur.actor, cur.actor.org_id).await
    } else {
        state.store.my_devices(&cur.actor).await
    }?;
    Ok(Json(Page { items, next: None }).into_response())
}

/// `POST /devices/{id}/revoke`: its user, or an administrator of its organisation (a lost
/// phone). Its key is destroyed and at its next contact it wipes what it holds.
#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", tag = "administration", params(("id" = Uuid, Path, description = "The device's id")),
    responses((status = 200, body = Device), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn revoke_device(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let d = state.store.revoke_device(&cur.actor, id).await?;
    Ok(Json(d).into_response())
}
