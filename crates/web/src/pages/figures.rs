//! Figures for the ministry (every organisation, small counts hidden) and for managers (their own
//! organisation): "42 (17F)" by province or by organisation, never a name.

use super::render;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use krousar_domain::figures::Count;
use krousar_store::figures::{GroupBy, METRICS};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct FiguresQuery {
    by: Option<String>,
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    l: Layout,
    by_org: bool,
    heads: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
    total: Vec<String>,
    suppressed: bool,
    /// For figures across organisations: the day their snapshot was taken.
    as_of: String,
}

/// A count as shown: "42 (17F)", "11 (girls and boys hidden)" when only they are few, or
/// "hidden" — the same word for every hidden number, since "<5" would be false for one hidden
/// to protect another (or for 9 girls hidden because of 2 boys), and the difference would say
/// which hidden numbers are the small ones (`krousar_domain::figures`).
pub(crate) fn cell(tr: crate::i18n::Tr, c: &Count) -> String {
    if c.suppressed {
        tr.t("msg-hidden")
    } else if c.female_hidden {
        tr.t1("msg-count-female-hidden", "total", tr.count(c.total))
    } else {
        tr.t2("msg-count-female", ("total", tr.count(c.total)), ("female", tr.count(c.female)))
    }
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<FiguresQuery>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let by = if q.by.as_deref() == Some("org") { GroupBy::Organisation } else { GroupBy::Province };
    let f = state.store.figures(&cur.actor, by).await?;
    let names: HashMap<String, String> = match by {
        GroupBy::Organisation => state.store.list_orgs().await?.into_iter().map(|o| (o.id.to_string(), o.name)).collect(),
        GroupBy::Province => state
            .store
            .child_locations(None)
            .await?
            .into_iter()
            .map(|p| (p.code, if tr.is_km() { p.name_km } else { p.name_latin }))
            .collect(),
    };
    let rows = f
        .rows
        .iter()
        .map(|r| (names.get(&r.key).cloned().unwrap_or_else(|| tr.t("msg-no-place")), r.cells.iter().map(|c| cell(tr, c)).collect()))
        .collect();
    Ok(render(FiguresPage {
        l: Layout::new(&cur, tr.t("page-figures"), "/figures"),
        by_org: by == GroupBy::Organisation,
        heads: METRICS.iter().map(|m| tr.t(&format!("figure-{}", m.replace('_', "-")))).collect(),
        rows,
        total: f.total.cells.iter().map(|c| cell(tr, c)).collect(),
        suppressed: f.suppressed,
        as_of: f
            .as_of
            .as_deref()
            .and_then(krousar_domain::child::parse_date)
            .map(|d| tr.t1("msg-figures-as-of", "date", tr.date(d)))
            .unwrap_or_default(),
    }))
}
