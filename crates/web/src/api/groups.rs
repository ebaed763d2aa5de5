//! Community groups through the API: the same store calls as the pages, with the same checks.

use super::json_body;
use super::schema::{BadRequest, Conflict, Forbidden, Invalid, Items, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::community::{GroupInput, GroupKind, MemberInput, SessionInput};
use krousar_store::community::members::MemberLine;
use krousar_store::community::sessions::SessionLine;
use krousar_store::community::GroupRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct Created {
    id: Uuid,
}

/// A group with its members and sessions.
#[derive(Serialize, ToSchema)]
pub struct WithMembers {
    group: GroupRecord,
    members: Vec<MemberLine>,
    sessions: Vec<SessionLine>,
}

/// A change to a group's details, made on the version read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupChange {
    version: i64,
    group: GroupInput,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only groups of this kind.
    kind: Option<String>,
}

fn invalid(e: krousar_domain::Invalid) -> ApiError {
    ApiError(AppError::Invalid(e))
}

/// The organisation's community groups, by name.
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", params(ListParams),
    responses((status = 200, body = Items<GroupRecord>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 422, response = Invalid)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(p): Query<ListParams>) -> Result<Response, ApiError> {
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => {
            Some(GroupKind::parse(k).ok_or_else(|| ApiError::from(krousar_store::StoreError::invalid("kind", "err-invalid-choice")))?)
        }
    };
    Ok(Json(Items { items: state.store.community_groups(&cur.actor, kind).await? }).into_response())
}

/// Start a group.
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = GroupInput,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Invalid)))]
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: GroupInput = json_body(&body)?;
    let g = input.validate(cur.actor.today()).map_err(invalid)?;
    let id = state.store.create_group(&cur.actor, &g).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// A group with its members and sessions (another organisation's is not found). Audited.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = Uuid, Path, description = "The group's id")),
    responses((status = 200, body = WithMembers), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let group = state.store.community_group(&cur.actor, id).await?;
    let members = state.store.group_members(&cur.actor, id, false).await?;
    let sessions = state.store.group_sessions(&cur.actor, id).await?;
    Ok(Json(WithMembers { group, members, sessions }).into_response())
}

/// Change a group's details, on the version read (409 when someone changed it meanwhile).
#[utoipa::path(put, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = Uuid, Path, description = "The group's id")),
    request_body = GroupChange,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict), (status = 422, response = Invalid)))]
pub async fn update(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let c: GroupChange = json_body(&body)?;
    let g = c.group.validate(cur.actor.today()).map_err(invalid)?;
    state.store.update_group(&cur.actor, id, c.version, &g).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Add a member: a child or a household member of the organisation's records, or a person
/// named with sex and age group.
#[utoipa::path(post, path = "/api/v1/groups/{id}/members", tag = "groups", params(("id" = Uuid, Path, description = "The group's id")),
    request_body = MemberInput,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn add_member(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: MemberInput = json_body(&body)?;
    let m = input.validate().map_err(invalid)?;
    let member = state.store.add_group_member(&cur.actor, id, &m).await?;
    Ok((StatusCode::CREATED, Json(Created { id: member })).into_response())
}

/// A member leaves the group (kept with the sessions they came to).
#[utoipa::path(post, path = "/api/v1/groups/{id}/members/{member}/leave", tag = "groups",
    params(("id" = Uuid, Path, description = "The group's id"), ("member" = Uuid, Path, description = "The member's id")),
    responses((status = 204), (status = 401, response = Unauthorized), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn leave(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, member)): Ids<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    state.store.leave_group(&cur.actor, id, member).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Record a session held: the day, the topic, the members who came, people reached.
#[utoipa::path(post, path = "/api/v1/groups/{id}/sessions", tag = "groups", params(("id" = Uuid, Path, description = "The group's id")),
    request_body = SessionInput,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn create_session(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: SessionInput = json_body(&body)?;
    let s = input.validate(cur.actor.today()).map_err(invalid)?;
    let session = state.store.save_group_session(&cur.actor, id, None, &s).await?;
    Ok((StatusCode::CREATED, Json(Created { id: session })).into_response())
}

/// Correct a session: all of it is written anew (its attendance too).
#[utoipa::path(put, path = "/api/v1/groups/{id}/sessions/{session}", tag = "groups",
    params(("id" = Uuid, Path, description = "The group's id"), ("session" = Uuid, Path, description = "The session's id")),
    request_body = SessionInput,
    responses((status = 204), (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn update_session(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, session)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: SessionInput = json_body(&body)?;
    let s = input.validate(cur.actor.today()).map_err(invalid)?;
    state.store.save_group_session(&cur.actor, id, Some(session), &s).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
