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
use krousar_domain::household::HouseholdInput;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    province: Option<String>,
    district: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

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

#[derive(Deserialize)]
pub struct NewHousehold {
    #[serde(flatten)]
    household: HouseholdInput,
    child_id: Option<String>,
}

pub async fn create(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    let input: NewHousehold = json_body(&body)?;
    let child = match input.child_id.as_deref() {
        Some(c) => Some(parse_id(c).ok_or(ApiError(AppError::BadRequest("err-bad-json")))?),
        None => None,
    };
    let fields = input.household.validate(cur.actor.today()).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let h = state.store.create_household(&cur.actor, fields, child).await?;
    Ok((StatusCode::CREATED, Json(h)).into_response())
}

pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let h = state.store.view_household(&cur.actor, id, "api").await?;
    let children = state.store.children_of_household(&cur.actor, id).await?;
    let mut body = serde_json::to_value(h).unwrap_or_default();
    body["children"] = json!(children);
    Ok(Json(body).into_response())
}

#[derive(Deserialize, Default)]
pub struct RciQuery {
    q: Option<String>,
    province: Option<String>,
    /// Transition stage: operating, planning, transitioning, community_centre, closed.
    stage: Option<String>,
    /// At least this many children living there now.
    min_children: Option<i64>,
    cursor: Option<String>,
    limit: Option<i64>,
}

pub async fn rcis(State(state): State<AppState>, ApiUser(_): ApiUser, Query(q): Query<RciQuery>) -> Result<Response, ApiError> {
    let page = state
        .store
        .list_rcis(
            &krousar_store::rcis::RciFilter {
                q: q.q.as_deref(),
                province: q.province.as_deref(),
                stage: q.stage.as_deref().and_then(krousar_domain::rci_transition::TransitionStage::parse),
                min_children: q.min_children,
            },
            q.cursor.as_deref().and_then(parse_id),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(page).into_response())
}
