//! The indicators as data: the same figures, breakdowns and lists as the pages, with the same
//! reach, suppression and checks (`krousar_store::indicators`).

use super::bad_request;
use super::schema::{BadRequest, Forbidden, Items, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::pages::indicator_view::{Choice, Params};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use krousar_domain::figures::Count;
use krousar_domain::indicators::{Dimension, Indicator};
use krousar_store::indicators::{CsiChange, Group, Reach, Record};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

/// The indicators' query, as the indicator pages take it.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// First day counted (default: the quarter's); national figures are whole quarters.
    #[param(format = Date)]
    from: Option<String>,
    /// Last day counted.
    #[param(format = Date)]
    to: Option<String>,
    /// Whose records: `own`, `organisation`, `province` or `national`, as the caller holds them
    /// (one not held falls back to the caller's default).
    #[param(value_type = Option<Reach>)]
    reach: Option<String>,
    /// Province code (reach `province`).
    province: Option<String>,
    /// Break each figure down by this dimension (where it applies).
    #[param(schema_with = dimensions)]
    by: Option<String>,
    /// `records` only: one value of the breakdown (drill-down).
    value: Option<String>,
}

/// Every breakdown the code accepts (`Dimension::ALL`).
fn dimensions() -> utoipa::openapi::schema::Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(Dimension::ALL.iter().map(|d| d.code()))).build()
}

impl IndicatorQuery {
    /// The pages' parameters; a breakdown, reach or day the code does not know is a bad request
    /// (a page falls back to its default; a program is told, as its description says).
    fn params(self) -> Result<Params, ApiError> {
        let not_a_day =
            |d: &Option<String>| d.as_deref().is_some_and(|d| !d.is_empty() && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err());
        if self.by.as_deref().is_some_and(|b| Dimension::parse(b).is_none())
            || self.reach.as_deref().is_some_and(|r| Reach::parse(r).is_none())
            || not_a_day(&self.from)
            || not_a_day(&self.to)
        {
            return Err(bad_request("err-bad-request"));
        }
        Ok(Params { from: self.from, to: self.to, reach: self.reach, province: self.province, by: self.by, value: self.value })
    }
}

/// One indicator's figure, and its breakdown when asked for (`by`) and it applies.
#[derive(Serialize, ToSchema)]
pub struct IndicatorItem {
    code: &'static str,
    section: &'static str,
    count: Count,
    has_sex: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<Group>>,
}

/// Every indicator within the reach, for the period counted.
#[derive(Serialize, ToSchema)]
pub struct Indicators {
    from: NaiveDate,
    to: NaiveDate,
    reach: Reach,
    province: Option<String>,
    /// The period asked for was widened to whole quarters (national figures).
    period_snapped: bool,
    items: Vec<IndicatorItem>,
    csi_change: CsiChange,
}

/// `GET /indicators?from&to&reach&province&by`: every indicator within the reach.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(IndicatorQuery),
    responses((status = 200, body = Indicators), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser, Query(q): Query<IndicatorQuery>) -> Result<Response, ApiError> {
    let c = Choice::of(&q.params()?, &cur);
    let store = &state.store;
    let figures = store.indicator_figures(&cur.actor, c.reach, c.province(), c.period).await?;
    let mut items = Vec::new();
    for f in &figures {
        let mut item =
            IndicatorItem { code: f.code, section: f.indicator.section(), count: f.count, has_sex: f.has_sex, by: None, groups: None };
        if let Some(dim) = c.by.filter(|d| d.applies_to(f.indicator)) {
            let (groups, _) = store.indicator_breakdown(&cur.actor, c.reach, c.province(), f.indicator, dim, c.period).await?;
            item.by = Some(dim.code());
            item.groups = Some(groups);
        }
        items.push(item);
    }
    let csi_change = store.csi_change(&cur.actor, c.reach, c.province(), c.period).await?;
    // `from`/`to` are the period counted: national figures are whole quarters only.
    Ok(Json(Indicators {
        from: c.period.from,
        to: c.period.to,
        reach: c.reach,
        province: c.province.clone(),
        period_snapped: c.asked.is_some(),
        items,
        csi_change,
    })
    .into_response())
}

/// `GET /indicators/{code}/records?…&by&value`: the records behind a figure (not for national
/// figures).
#[utoipa::path(get, path = "/api/v1/indicators/{code}/records", tag = "indicators",
    params(("code" = String, Path, description = "The indicator's code"), IndicatorQuery),
    responses((status = 200, body = Items<Record>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn records(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Path(code): Path<String>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response, ApiError> {
    let i = Indicator::parse(&code).ok_or(ApiError(AppError::NotFound))?;
    let q = q.params()?;
    let c = Choice::of(&q, &cur);
    let group = c.by.filter(|d| d.applies_to(i)).zip(q.value.as_deref());
    let items = state.store.indicator_records(&cur.actor, c.reach, c.province(), i, group, c.period, 1000, false).await?;
    Ok(Json(Items { items }).into_response())
}
