//! Indicators for a period within what the user may see, written the field's way — "42 (17F)" —
//! each with its definition and a link to the children behind it.

use super::render;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::views::{today, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use krousar_domain::indicators::{Indicator, Period};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

pub struct Row {
    pub label: String,
    pub definition: String,
    pub value: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    l: Layout,
    from: String,
    to: String,
    rows: Vec<Row>,
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<PeriodQuery>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let p = Period::parse(q.from.as_deref(), q.to.as_deref(), today());
    let values = state.store.indicators(&cur.actor, p).await.map_err(cur.page_err())?;
    let rows = values
        .into_iter()
        .filter_map(|v| {
            let i = Indicator::parse(v.code)?;
            Some(Row {
                label: tr.t(&i.label_key()),
                definition: tr.t(&i.definition_key()),
                value: tr.t2("msg-count-female", ("total", tr.num(v.total)), ("female", tr.num(v.female))),
                href: format!("/indicators/{}?from={}&to={}", i.code(), p.from, p.to),
            })
        })
        .collect();
    Ok(render(IndicatorsPage {
        l: Layout::new(&cur, tr.t("page-indicators"), "/indicators"),
        from: p.from.to_string(),
        to: p.to.to_string(),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "indicator_list.html")]
struct DrillPage {
    l: Layout,
    definition: String,
    period: String,
    children: Vec<(String, String)>,
}

/// The children behind one figure (the first 1,000).
pub async fn children(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let i = Indicator::parse(&code).ok_or_else(|| cur.fail(AppError::NotFound))?;
    let p = Period::parse(q.from.as_deref(), q.to.as_deref(), today());
    let children = state
        .store
        .indicator_children(&cur.actor, i, p, 1000)
        .await
        .map_err(cur.page_err())?
        .into_iter()
        .map(|(id, num, name)| (format!("/children/{id}"), format!("{num} · {name}")))
        .collect();
    Ok(render(DrillPage {
        l: Layout::new(&cur, tr.t(&i.label_key()), "/indicators"),
        definition: tr.t(&i.definition_key()),
        period: format!("{} – {}", p.from, p.to),
        children,
    }))
}
