//! A dashboard for each kind of user — a worker's caseload, a supervisor's team, an
//! organisation, the nation — with the key figures of the quarter and their trend, and charts
//! drawn on the server (`crate::charts`). Every figure links to the indicators behind it.

use super::indicator_view::{count_text, group_label, Choice, Params};
use super::render;
use crate::auth::{Current, PageUser};
use crate::charts::{self, Bar};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::views::{Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use krousar_domain::figures::Count;
use krousar_domain::indicators::{Dimension, Indicator, Period};
use krousar_domain::ListScope;
use krousar_store::indicators::{Figure, Reach};

pub struct Card {
    pub label: String,
    pub value: String,
    pub trend: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    heading: String,
    reaches: Vec<Opt>,
    cards: Vec<Card>,
    /// (title, SVG) — the SVG is built by `charts`, every label escaped there.
    charts: Vec<(String, String)>,
    indicators_href: String,
    report_href: String,
    /// The organisation's own forms: (name, children who answered in the quarter, report link).
    own_forms: Vec<(String, String, String)>,
}

/// The key figures, the two monthly series and the two breakdowns of each kind of dashboard.
struct Plan {
    heading: &'static str,
    key: &'static [Indicator],
    series: [Indicator; 2],
    breakdowns: [(Indicator, Dimension); 2],
}

fn plan(reach: Reach, own: bool) -> Plan {
    match (reach, own) {
        (Reach::National, _) => Plan {
            heading: "msg-dashboard-national",
            key: &[
                Indicator::Registered,
                Indicator::InRci,
                Indicator::Reintegrated,
                Indicator::InFollowUp,
                Indicator::Rcis,
                Indicator::PeopleTrained,
                Indicator::CaregiversParenting,
            ],
            series: [Indicator::Reintegrated, Indicator::Registered],
            breakdowns: [(Indicator::InRci, Dimension::Province), (Indicator::Rcis, Dimension::RciStage)],
        },
        (Reach::Caseload, _) | (_, true) => Plan {
            heading: "msg-dashboard-caseload",
            key: &[
                Indicator::OpenCases,
                Indicator::VisitsDue,
                Indicator::Visited,
                Indicator::InFollowUp,
                Indicator::Assessed,
                Indicator::Served,
            ],
            series: [Indicator::Visited, Indicator::VisitsDue],
            breakdowns: [(Indicator::OpenCases, Dimension::Stage), (Indicator::OpenCases, Dimension::Risk)],
        },
        _ => Plan {
            heading: "msg-dashboard-organisation",
            key: &[
                Indicator::Registered,
                // Where the organisation's children live: the same definition as the figures page
                // and the national dashboard (issue 21).
                Indicator::InRci,
                Indicator::OpenCases,
                Indicator::Reintegrated,
                Indicator::Visited,
                Indicator::Closed,
                Indicator::ReferralsReceived,
                // The work with families and communities beside casework (issue 26).
                Indicator::CaregiversParenting,
                Indicator::PeopleReached,
            ],
            series: [Indicator::Reintegrated, Indicator::Visited],
            breakdowns: [(Indicator::OpenCases, Dimension::Stage), (Indicator::OpenCases, Dimension::Risk)],
        },
    }
}

fn trend(tr: Tr, now: &Count, before: &Count) -> String {
    if now.suppressed || before.suppressed {
        return String::new();
    }
    let d = now.total - before.total;
    let n = tr.num(d.abs());
    match d {
        0 => tr.t("msg-trend-same"),
        d if d > 0 => tr.t1("msg-trend-up", "n", n),
        _ => tr.t1("msg-trend-down", "n", n),
    }
}

fn bar(tr: Tr, label: String, f: &Figure) -> Bar {
    let text = count_text(tr, &f.count, f.has_sex);
    let short = if f.count.suppressed { text.clone() } else { tr.num(f.count.total) };
    // Hidden girls are not drawn as a shade of the bar (a shade would show their number).
    Bar { label, total: f.count.total, female: (f.has_sex && !f.count.female_hidden).then_some(f.count.female), text, short }
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<Params>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let mut c = Choice::of(&q, &cur);
    c.period = Period::quarter_of(cur.actor.today());
    let own = matches!(krousar_domain::policy::list_scope(&cur.actor, krousar_domain::Action::ListChildren), ListScope::Own(_));
    let plan = plan(c.reach, own);
    let store = &state.store;
    let now = store.indicator_figures_of(&cur.actor, c.reach, c.province(), plan.key, c.period).await?;
    let before = store.indicator_figures_of(&cur.actor, c.reach, c.province(), plan.key, c.period.previous()).await?;
    let cards = now
        .iter()
        .map(|f| {
            let prev = before.iter().find(|b| b.indicator == f.indicator).map(|b| b.count).unwrap_or(Count::new(0, 0));
            Card {
                label: tr.t(&f.indicator.label_key()),
                value: count_text(tr, &f.count, f.has_sex),
                trend: trend(tr, &f.count, &prev),
                href: format!("/indicators?{}#i-{}", c.query(), f.indicator.code()),
            }
        })
        .collect();
    let mut charts = Vec::new();
    for i in plan.series {
        let cols = monthly(&state, &cur, &c, i).await?;
        let per = if c.reach == krousar_store::indicators::Reach::National { "msg-per-quarter" } else { "msg-per-month" };
        let title = tr.t1(per, "what", tr.t(&i.label_key()));
        if !cols.is_empty() {
            charts.push((title.clone(), charts::columns(&title, &cols)));
        }
    }
    for (i, dim) in plan.breakdowns {
        let Ok((groups, _)) = store.indicator_breakdown(&cur.actor, c.reach, c.province(), i, dim, c.period).await else { continue };
        let has_sex = i.unit().has_sex();
        let bars: Vec<Bar> = groups
            .iter()
            .take(10)
            .map(|g| {
                let text = count_text(tr, &g.count, has_sex);
                Bar {
                    label: group_label(tr, dim, g),
                    total: g.count.total,
                    female: (has_sex && !g.count.female_hidden).then_some(g.count.female),
                    short: text.clone(),
                    text,
                }
            })
            .collect();
        let title = format!("{} · {}", tr.t(&i.label_key()), tr.t1("msg-by", "what", tr.t(&dim.label_key())));
        charts.push((title.clone(), if bars.is_empty() { String::new() } else { charts::bars(&title, &bars) }));
    }
    let own_forms = own_forms(&state, &cur, c.period).await?;
    Ok(render(DashboardPage {
        own_forms,
        l: Layout::new(&cur, tr.t("page-dashboard"), "/dashboard"),
        heading: tr.t(plan.heading),
        reaches: super::indicator_view::reach_options(tr, &cur, &c),
        cards,
        charts,
        indicators_href: format!("/indicators?{}", c.query()),
        report_href: format!("/reports/quarterly?{}", c.query()),
    }))
}

/// The last six months of one indicator, oldest first (empty when it is not within the reach);
/// for national figures, which are whole quarters only, the last six quarters.
async fn monthly(state: &AppState, cur: &Current, c: &Choice, i: Indicator) -> Result<Vec<Bar>, PageError> {
    let tr = cur.tr;
    let national = c.reach == krousar_store::indicators::Reach::National;
    let mut month = if national { Period::quarter_of(cur.actor.today()) } else { Period::month_of(cur.actor.today()) };
    let mut out = Vec::new();
    for _ in 0..6 {
        let figures = state.store.indicator_figures_of(&cur.actor, c.reach, c.province(), &[i], month).await?;
        let Some(f) = figures.first() else { return Ok(Vec::new()) };
        let label = if national && month.quarter_name().is_some() { tr.period_name(month) } else { tr.month_short(month.from) };
        out.push(bar(tr, label, f));
        month = month.previous();
    }
    out.reverse();
    Ok(out)
}

/// The organisation's own forms with how many children answered each in the period (girls
/// apart), for whoever may count them; each links to its report.
pub(super) async fn own_forms(state: &AppState, cur: &crate::auth::Current, p: Period) -> Result<Vec<(String, String, String)>, PageError> {
    let tr = cur.tr;
    let mut out = Vec::new();
    for f in state.store.custom_forms(cur.actor.org_id, false).await? {
        let Some(def) = &f.current else { continue };
        let answers = match state.store.custom_form_answers(&cur.actor, f.id, p.from, p.to).await {
            Ok(a) => a,
            Err(krousar_store::StoreError::Forbidden) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let count = super::forms::report::counted(tr, f.target, &answers.iter().collect::<Vec<_>>());
        out.push((def.name(tr.is_km()).to_string(), count, format!("/admin/forms/{}/report?from={}&to={}", f.id, p.from, p.to)));
    }
    Ok(out)
}
