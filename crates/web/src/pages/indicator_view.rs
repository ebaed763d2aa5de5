//! What the indicator pages, dashboards and reports share: the choice of period, reach,
//! province and breakdown from the query string, and figures turned into labelled rows whose
//! numbers link to the records behind them (when the user may list them).

use super::figures::cell;
use crate::auth::Current;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::views::Opt;
use crate::AppState;
use krousar_domain::figures::Count;
use krousar_domain::indicators::{Dimension, Indicator, Period, SECTIONS};
use krousar_store::indicators::{Figure, Group, Reach};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    pub from: Option<String>,
    pub to: Option<String>,
    pub reach: Option<String>,
    pub province: Option<String>,
    pub by: Option<String>,
    /// One value of the breakdown (drill-down).
    pub value: Option<String>,
}

/// The choices, checked: a reach the user does not hold falls back to their default.
#[derive(Clone)]
pub struct Choice {
    pub period: Period,
    /// The period asked for, when national figures counted a whole quarter in its place.
    pub asked: Option<Period>,
    pub reach: Reach,
    pub province: Option<String>,
    pub by: Option<Dimension>,
}

impl Choice {
    pub fn of(p: &Params, cur: &Current) -> Choice {
        let available = Reach::available(&cur.actor);
        let reach = p.reach.as_deref().and_then(Reach::parse).filter(|r| available.contains(r)).unwrap_or(Reach::default_for(&cur.actor));
        let asked = Period::parse(p.from.as_deref(), p.to.as_deref(), cur.actor.today());
        // National figures are whole quarters only (issue 19): the user sees the one counted.
        let period = if reach == Reach::National { asked.national() } else { asked };
        Choice {
            period,
            asked: (period != asked).then_some(asked),
            reach,
            province: p.province.clone().filter(|s| s.len() == 2 && s.chars().all(|c| c.is_ascii_digit())),
            by: p.by.as_deref().and_then(Dimension::parse),
        }
    }

    /// What to tell the user when the period counted is not the one asked for.
    pub fn snapped_notice(&self, tr: Tr) -> String {
        match (self.asked, self.period.quarter_name()) {
            (Some(_), Some(_)) => tr.t1("msg-period-snapped", "period", tr.period_name(self.period)),
            _ => String::new(),
        }
    }

    pub fn province(&self) -> Option<&str> {
        self.province.as_deref()
    }

    /// The query string that keeps these choices (for links).
    pub fn query(&self) -> String {
        let mut q = format!("from={}&to={}&reach={}", self.period.from, self.period.to, self.reach.code());
        if let Some(p) = &self.province {
            q.push_str(&format!("&province={p}"));
        }
        q
    }
}

/// A count as the field writes it: "42 (17F)", "42" where there is no sex, or suppressed.
pub fn count_text(tr: Tr, c: &Count, has_sex: bool) -> String {
    if has_sex || c.suppressed {
        cell(tr, c)
    } else {
        tr.count(c.total)
    }
}

/// The label of one value of a breakdown.
pub fn group_label(tr: Tr, dim: Dimension, g: &Group) -> String {
    if g.value.is_empty() {
        return tr.t("msg-not-recorded");
    }
    let named = if tr.is_km() { g.name_km.clone() } else { g.name_latin.clone() };
    match (named, dim.value_key(&g.value)) {
        (Some(n), _) => n,
        (None, Some(key)) => tr.t(&key),
        // Age bands ("0-5", "18+") are written with the reader's digits.
        (None, None) if dim == Dimension::AgeBand => tr.num(&g.value),
        (None, None) => g.value.clone(),
    }
}

pub struct GroupRow {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
}

pub struct FigureRow {
    /// The section's heading on the first row of a section.
    pub section: Option<String>,
    pub code: &'static str,
    pub label: String,
    pub definition: String,
    pub value: String,
    pub href: Option<String>,
    /// What the figure means beside another (the change in RCI residents over the period).
    pub note: String,
    pub groups: Vec<GroupRow>,
}

/// Every figure within the choice, in section order, broken down when asked.
pub async fn figure_rows(state: &AppState, cur: &Current, c: &Choice) -> Result<Vec<FigureRow>, PageError> {
    let tr = cur.tr;
    let figures = state.store.indicator_figures(&cur.actor, c.reach, c.province(), c.period).await?;
    let mut rows = Vec::new();
    for section in SECTIONS {
        let mut first = true;
        for f in figures.iter().filter(|f| f.indicator.section() == section) {
            let mut row = figure_row(tr, c, f);
            if first {
                row.section = Some(tr.t(&format!("indicator-section-{section}")));
                first = false;
            }
            if let Some(dim) = c.by.filter(|d| d.applies_to(f.indicator)) {
                let (groups, _) = state.store.indicator_breakdown(&cur.actor, c.reach, c.province(), f.indicator, dim, c.period).await?;
                row.groups = group_rows(tr, c, f, dim, &groups);
            }
            if f.indicator == Indicator::InRci {
                row.note = resident_change(tr, &figures);
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// "+3 (+1F) since the start of the period", when neither count is hidden.
fn resident_change(tr: Tr, figures: &[Figure]) -> String {
    let of = |i: Indicator| figures.iter().find(|f| f.indicator == i).map(|f| f.count);
    match (of(Indicator::InRciAtStart), of(Indicator::InRci)) {
        (Some(a), Some(b)) if !a.any_hidden() && !b.any_hidden() => {
            let signed = |n: i64| if n > 0 { format!("+{}", tr.count(n)) } else { tr.count(n) };
            tr.t2("msg-resident-change", ("total", signed(b.total - a.total)), ("female", signed(b.female - a.female)))
        }
        _ => String::new(),
    }
}

fn figure_row(tr: Tr, c: &Choice, f: &Figure) -> FigureRow {
    let i = f.indicator;
    FigureRow {
        section: None,
        code: i.code(),
        label: tr.t(&i.label_key()),
        definition: tr.t(&i.definition_key()),
        value: count_text(tr, &f.count, f.has_sex),
        href: (f.listable && f.count.total > 0).then(|| format!("/indicators/{}?{}", i.code(), c.query())),
        note: String::new(),
        groups: Vec::new(),
    }
}

pub fn group_rows(tr: Tr, c: &Choice, f: &Figure, dim: Dimension, groups: &[Group]) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|g| GroupRow {
            label: group_label(tr, dim, g),
            value: count_text(tr, &g.count, f.has_sex),
            href: (f.listable && g.count.total > 0).then(|| {
                let value = serde_urlencoded::to_string([("value", g.value.as_str())]).unwrap_or_default();
                format!("/indicators/{}?{}&by={}&{value}", f.indicator.code(), c.query(), dim.code())
            }),
        })
        .collect()
}

/// The reach choices of this user.
pub fn reach_options(tr: Tr, cur: &Current, c: &Choice) -> Vec<Opt> {
    Reach::available(&cur.actor)
        .into_iter()
        .map(|r| Opt { value: r.code().into(), label: tr.t(&format!("opt-reach-{}", r.code())), selected: r == c.reach })
        .collect()
}

/// Every breakdown, for the choice of one.
pub fn dimension_options(tr: Tr, c: &Choice) -> Vec<Opt> {
    let mut out = vec![Opt { value: String::new(), label: tr.t("opt-by-sex-only"), selected: c.by.is_none() }];
    out.extend(Dimension::ALL.iter().map(|d| Opt { value: d.code().into(), label: tr.t(&d.label_key()), selected: c.by == Some(*d) }));
    out
}

/// The provinces, for the choice of one.
pub async fn province_options(state: &AppState, cur: &Current, c: &Choice) -> Result<Vec<Opt>, PageError> {
    let tr = cur.tr;
    let mut out = vec![Opt { value: String::new(), label: tr.t("opt-all-provinces"), selected: c.province.is_none() }];
    for p in state.store.child_locations(None).await? {
        let selected = c.province.as_deref() == Some(p.code.as_str());
        out.push(Opt { label: if tr.is_km() { p.name_km } else { p.name_latin }, value: p.code, selected });
    }
    Ok(out)
}
