//! The indicators as data: the same figures, breakdowns and lists as the pages, with the same
//! reach, suppression and checks (`krousar_store::indicators`).

use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::pages::indicator_view::{Choice, Params};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::indicators::Indicator;
use serde_json::json;

/// `GET /indicators?from&to&reach&province&by`: every indicator within the reach.
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<Params>) -> Result<Response, ApiError> {
    let c = Choice::of(&q, &cur);
    let store = &state.store;
    let figures = store.indicator_figures(&cur.actor, c.reach, c.province(), c.period).await?;
    let mut items = Vec::new();
    for f in &figures {
        let mut item = json!({"code": f.code, "section": f.indicator.section(), "count": f.count, "has_sex": f.has_sex});
        if let Some(dim) = c.by.filter(|d| d.applies_to(f.indicator)) {
            let (groups, _) = store.indicator_breakdown(&cur.actor, c.reach, c.province(), f.indicator, dim, c.period).await?;
            item["by"] = json!(dim.code());
            item["groups"] = json!(groups);
        }
        items.push(item);
    }
    let csi = store.csi_change(&cur.actor, c.reach, c.province(), c.period).await?;
    // `from`/`to` are the period counted: national figures are whole quarters only.
    Ok(Json(json!({
        "from": c.period.from, "to": c.period.to, "reach": c.reach, "province": c.province,
        "period_snapped": c.asked.is_some(),
        "items": items, "csi_change": csi,
    }))
    .into_response())
}

/// `GET /indicators/{code}/records?…&by&value`: the records behind a figure (not for national
/// figures).
pub async fn records(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Path(code): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, ApiError> {
    let i = Indicator::parse(&code).ok_or(ApiError(AppError::NotFound))?;
    let c = Choice::of(&q, &cur);
    let group = c.by.filter(|d| d.applies_to(i)).zip(q.value.as_deref());
    let items = state.store.indicator_records(&cur.actor, c.reach, c.province(), i, group, c.period, 1000).await?;
    Ok(Json(json!({ "items": items })).into_response())
}
