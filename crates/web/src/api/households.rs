//! Households in the API (list, register, read with their children) and the RCI register's
//! list.

use super::schema::{BadRequest, Forbidden, Invalid, NotFound, Unauthorized};
use super::{bad_request, json_body};
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
use krousar_domain::household::HouseholdInput;
use krousar_domain::rci_transition::TransitionStage;
use krousar_store::children::Page;
use krousar_store::households::{Household, LinkedChild};
use krousar_store::rcis::Rci;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words of the household's name or phone.
    q: Option<String>,
    /// Province code.
    province: Option<String>,
    /// District code.
    district: Option<String>,
    /// `next` of the previous page.
    cursor: Option<String>,
    /// At most this many (default 50).
    limit: Option<i64>,
}

/// The households the caller may see, a page at a time.
#[utoipa::path(get, path = "/api/v1/households", tag = "households", params(ListQuery),
    responses((status = 200, body = Page<Household>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    let page = state
        .store
        .list_households(
            &cur.actor,
            q.q.as_deref(),
            q.province.as_deref(),
            q.district.as_deref(),
            q.cursor.as_deref().and_then(|c| c.parse().ok()),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(page).into_response())
}

/// A household to register, and the child it is the family of (if any).
#[derive(Deserialize, ToSchema)]
pub struct NewHousehold {
    #[serde(flatten)]
    household: HouseholdInput,
    /// The child whose family this is.
    #[schema(value_type = Option<Uuid>)]
    child_id: Option<String>,
}

/// Register a household (with its members).
#[utoipa::path(post, path = "/api/v1/households", tag = "households", request_body = NewHousehold,
    responses((status = 201, body = Household), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: NewHousehold = json_body(&body)?;
    let child = match input.child_id.as_deref() {
        Some(c) => Some(parse_id(c).ok_or(bad_request("err-bad-json"))?),
        None => None,
    };
    let fields = input.household.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let h = state.store.create_household(&cur.actor, fields, child).await?;
    Ok((StatusCode::CREATED, Json(h)).into_response())
}

/// A household and the children linked to it that the caller may know of.
#[derive(Serialize, ToSchema)]
pub struct HouseholdWithChildren {
    #[serde(flatten)]
    household: Household,
    children: Vec<LinkedChild>,
}

/// One household.
#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "households", params(("id" = Uuid, Path, description = "The household's id")),
    responses((status = 200, body = HouseholdWithChildren), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let household = state.store.view_household(&cur.actor, id, "api").await?;
    let children = state.store.children_of_household(&cur.actor, id).await?;
    Ok(Json(HouseholdWithChildren { household, children }).into_response())
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RciQuery {
    /// Words of the institution's name.
    q: Option<String>,
    /// Province code.
    province: Option<String>,
    /// Transition stage.
    stage: Option<TransitionStage>,
    /// At least this many children living there now.
    min_children: Option<i64>,
    /// `next` of the previous page.
    cursor: Option<Uuid>,
    /// At most this many (default 50).
    limit: Option<i64>,
}

/// The shared register of residential care institutions (every signed-in user reads it).
#[utoipa::path(get, path = "/api/v1/rcis", tag = "rcis", params(RciQuery),
    responses((status = 200, body = Page<Rci>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn rcis(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<RciQuery>) -> Result<Response, ApiError> {
    let page = state
        .store
        .list_rcis(
            &cur.actor,
            &krousar_store::rcis::RciFilter {
                q: q.q.as_deref(),
                province: q.province.as_deref(),
                stage: q.stage,
                min_children: q.min_children,
            },
            q.cursor,
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(page).into_response())
}
