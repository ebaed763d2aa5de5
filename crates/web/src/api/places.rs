use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_store::gazetteer::Level;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    level: Option<String>,
    within: Option<String>,
    limit: Option<i64>,
}

/// Type-ahead over the gazetteer: Khmer script or any common romanisation.
pub async fn search(State(state): State<AppState>, ApiUser(_): ApiUser, Query(q): Query<SearchQuery>) -> Result<Response, ApiError> {
    let level = q.level.as_deref().and_then(Level::parse);
    let found = state.store.search_locations(q.q.as_deref().unwrap_or(""), level, q.within.as_deref(), q.limit.unwrap_or(15)).await?;
    let items: Vec<_> = found
        .iter()
        .map(|p| json!({"code": p.code, "level": p.level, "label_km": p.label(true), "label_latin": p.label(false), "path": p.parts}))
        .collect();
    Ok(Json(json!({"items": items, "next": null})).into_response())
}

#[derive(Deserialize)]
pub struct ChildrenQuery {
    parent: Option<String>,
}

/// Places directly under `parent` (provinces without it), for cascading selects.
pub async fn children(State(state): State<AppState>, ApiUser(_): ApiUser, Query(q): Query<ChildrenQuery>) -> Result<Response, ApiError> {
    let items = state.store.child_locations(q.parent.as_deref().filter(|p| !p.is_empty())).await?;
    Ok(Json(json!({"items": items, "next": null})).into_response())
}
