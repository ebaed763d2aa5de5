//! The gazetteer in the API: type-ahead search and cascading lists of places.

use super::schema::{BadRequest, Forbidden, Unauthorized};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_store::children::Page;
use krousar_store::gazetteer::Level;
use krousar_store::locations::Location;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Khmer script or any common romanisation.
    q: Option<String>,
    /// Only places of this level.
    #[param(pattern = "^(province|district|commune|village)$")]
    level: Option<String>,
    /// Only places under this code.
    within: Option<String>,
    /// At most this many (default 15).
    limit: Option<i64>,
}

/// A place found, with the names of everything above it.
#[derive(Serialize, ToSchema)]
pub struct PlaceFound {
    code: String,
    level: String,
    label_km: String,
    label_latin: String,
    /// From the province down to this place.
    path: Vec<Location>,
}

/// Type-ahead over the gazetteer: Khmer script or any common romanisation.
#[utoipa::path(get, path = "/api/v1/locations/search", tag = "places", params(SearchQuery),
    responses((status = 200, body = Page<PlaceFound>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn search(State(state): State<AppState>, ApiUser(_): ApiUser, Query(q): Query<SearchQuery>) -> Result<Response, ApiError> {
    let level = match q.level.as_deref() {
        None => None,
        Some(l) => Some(Level::parse(l).ok_or_else(|| super::bad_request("err-bad-request"))?),
    };
    let found = state.store.search_locations(q.q.as_deref().unwrap_or(""), level, q.within.as_deref(), q.limit.unwrap_or(15)).await?;
    let items = found
        .into_iter()
        .map(|p| PlaceFound { label_km: p.label(true), label_latin: p.label(false), code: p.code, level: p.level, path: p.parts })
        .collect();
    Ok(Json(Page { items, next: None }).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildrenQuery {
    /// The place whose places to list; provinces without it.
    parent: Option<String>,
}

/// Places directly under `parent` (provinces without it), for cascading selects.
#[utoipa::path(get, path = "/api/v1/locations/children", tag = "places", params(ChildrenQuery),
    responses((status = 200, body = Page<Location>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn children(State(state): State<AppState>, ApiUser(_): ApiUser, Query(q): Query<ChildrenQuery>) -> Result<Response, ApiError> {
    let items = state.store.child_locations(q.parent.as_deref().filter(|p| !p.is_empty())).await?;
    Ok(Json(Page { items, next: None }).into_response())
}
