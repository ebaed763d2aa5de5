//! Indicators for a period within a reach the user holds, written the field's way — "42 (17F)"
//! — each with its definition, broken down by a dimension when asked, and each number linked to
//! the records behind it (for national figures, counts only).

use super::indicator_view::{self as view, Choice, FigureRow, Params};
use super::render;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::views::{Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use krousar_domain::indicators::{Dimension, Period};

/// A quick choice of period.
pub struct Preset {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    l: Layout,
    from: String,
    to: String,
    presets: Vec<Preset>,
    reaches: Vec<Opt>,
    provinces: Vec<Opt>,
    dimensions: Vec<Opt>,
    national: bool,
    rows: Vec<FigureRow>,
    csi: Vec<(String, String)>,
    csi_children: String,
    query: String,
    /// Said when national figures counted a whole quarter in place of the period asked for.
    snapped: String,
    /// The organisation's own forms answered in the period (name, count, its report), counted
    /// over what the reader sees: shown with that reach only.
    own_forms: Vec<(String, String, String)>,
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<Params>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let c = Choice::of(&q, &cur);
    let rows = view::figure_rows(&state, &cur, &c).await?;
    let csi = state.store.csi_change(&cur.actor, c.reach, c.province(), c.period).await?;
    let now = cur.actor.today();
    let reach = format!("&reach={}{}", c.reach.code(), c.province.as_ref().map(|p| format!("&province={p}")).unwrap_or_default());
    let presets = [
        ("msg-period-month", Period::month_of(now)),
        ("msg-period-quarter", Period::quarter_of(now)),
        ("msg-period-last-quarter", Period::quarter_of(now).previous()),
        ("msg-period-year", Period::year_of(now)),
    ]
    .into_iter()
    .map(|(k, p)| Preset { label: tr.t(k), href: format!("/indicators?from={}&to={}{reach}", p.from, p.to) })
    .collect();
    let own_forms = if c.reach == krousar_store::indicators::Reach::Visible {
        super::dashboard::own_forms(&state, &cur, c.period).await?
    } else {
        Vec::new()
    };
    Ok(render(IndicatorsPage {
        own_forms,
        l: Layout::new(&cur, tr.t("page-indicators"), "/indicators"),
        from: c.period.from.to_string(),
        to: c.period.to.to_string(),
        presets,
        reaches: view::reach_options(tr, &cur, &c),
        provinces: view::province_options(&state, &cur, &c).await?,
        dimensions: view::dimension_options(tr, &c),
        national: c.reach == krousar_store::indicators::Reach::National,
        rows,
        csi: csi.domains.iter().map(|(d, v)| (tr.t(&format!("csi-domain-{d}")), tr.num(format!("{v:+.1}")))).collect(),
        csi_children: if csi.suppressed { tr.t("msg-hidden") } else { tr.num(csi.children) },
        query: c.query(),
        snapped: c.snapped_notice(tr),
    }))
}

#[derive(Template)]
#[template(path = "indicator_list.html")]
struct DrillPage {
    l: Layout,
    definition: String,
    period: String,
    group: String,
    records: Vec<(String, String)>,
    back: String,
}

/// The records behind one figure, or behind one value of its breakdown (the first 1,000).
pub async fn records(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Path(code): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let i = krousar_domain::indicators::Indicator::parse(&code).ok_or(PageError(AppError::NotFound))?;
    let c = Choice::of(&q, &cur);
    let group: Option<(Dimension, &str)> = c.by.filter(|d| d.applies_to(i)).zip(q.value.as_deref());
    let records = state
        .store
        .indicator_records(&cur.actor, c.reach, c.province(), i, group, c.period, 1000, tr.is_km())
        .await?
        .into_iter()
        .map(|r| {
            // An event says its day; a record that counts several says how many.
            let mut label = match &r.on {
                Some(day) => format!("{} · {}", tr.day(day), r.label),
                None => r.label,
            };
            if let Some(n) = r.count {
                label = format!("{label} — {}", tr.tn("msg-people-counted", n));
            }
            (r.href, label)
        })
        .collect();
    let group = match group {
        Some((d, v)) => {
            let mut g = [krousar_store::indicators::Group {
                value: v.to_string(),
                name_km: None,
                name_latin: None,
                count: krousar_domain::figures::Count::new(0, 0),
            }];
            state.store.name_indicator_groups(d, &mut g).await?;
            format!("{}: {}", tr.t(&d.label_key()), view::group_label(tr, d, &g[0]))
        }
        None => String::new(),
    };
    Ok(render(DrillPage {
        l: Layout::new(&cur, tr.t(&i.label_key()), "/indicators"),
        definition: tr.t(&i.definition_key()),
        period: tr.period(c.period.from, c.period.to),
        group,
        records,
        back: format!("/indicators?{}", c.query()),
    }))
}
