//! Read access to the registers around the cases: a child's cash support, the training report
//! and an RCI's transition. (Changes go through the pages, which check the same rules.)

use super::bad_id;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::pages::parse_id;
use crate::views::today;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// `GET /children/{id}/cash`: the child's government cash support, eligibility and what is due.
pub async fn cash(State(state): State<AppState>, ApiUser(cur): ApiUser, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id).ok_or_else(|| bad_id(&cur))?;
    let v = state.store.cash_support(&cur.actor, id).await.map_err(cur.api_err())?;
    let (months, amount) = v.support.unpaid(today());
    Ok(Json(json!({"support": v.support, "eligible": v.eligible, "unpaid_months": months, "unpaid_riel": amount})).into_response())
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    by: Option<String>,
}

/// `GET /training/report?by=course|sex|province|organisation`: people trained and test improvement.
pub async fn training_report(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let by = q.by.as_deref().filter(|b| matches!(*b, "sex" | "province" | "organisation")).unwrap_or("course");
    let items = state.store.trained_report(&cur.actor, by).await.map_err(cur.api_err())?;
    Ok(Json(json!({ "items": items })).into_response())
}

/// `GET /rcis/{id}/transition`: the RCI's stage changes, inspections and staff counts.
pub async fn rci_transition(State(state): State<AppState>, ApiUser(cur): ApiUser, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id).ok_or_else(|| bad_id(&cur))?;
    let rci = state.store.rci(id).await.map_err(cur.api_err())?;
    let events = state.store.rci_events(id).await.map_err(cur.api_err())?;
    Ok(Json(json!({"stage": rci.transition_stage, "stage_since": rci.stage_since, "residents": rci.residents, "events": events}))
        .into_response())
}
