//! The quarterly reports organisations send to donors and to the ministry: every indicator for
//! the quarter beside the quarter before, a breakdown (by age for donors, by province for the
//! ministry), the change in the Child Status Index, and the definitions — as a page to read, a
//! PDF (Chromium, so Khmer is shaped) and an XLSX whose figures are numbers. Every one audited.

use super::case::ministry::{deliver, Chooser, PrintPage, Section};
use super::indicator_view::{count_text, group_label, Choice, Params};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use krousar_domain::figures::Count;
use krousar_domain::indicators::{Dimension, Indicator, Period, SECTIONS};
use krousar_store::indicators::Reach;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(flatten)]
    params: Params,
    quarter: Option<String>,
    kind: Option<String>,
    format: Option<String>,
    lang: Option<String>,
}

/// The figures broken down in each report.
const BROKEN_DOWN: [Indicator; 6] =
    [Indicator::Registered, Indicator::Reintegrated, Indicator::InFollowUp, Indicator::Visited, Indicator::Served, Indicator::Closed];

enum Cell {
    Count(Count, bool),
    Text(String),
}

struct Table {
    heading: String,
    head: Vec<String>,
    rows: Vec<(String, Vec<Cell>)>,
}

struct Report {
    title: String,
    org: String,
    period: String,
    about: Vec<(String, String)>,
    tables: Vec<Table>,
    definitions: Vec<(String, String)>,
}

async fn build(state: &AppState, cur: &Current, tr: Tr, c: &Choice, ministry: bool) -> Result<Report, PageError> {
    let store = &state.store;
    let now = store.indicator_figures(&cur.actor, c.reach, c.province(), c.period).await?;
    let before = store.indicator_figures(&cur.actor, c.reach, c.province(), c.period.previous()).await?;
    let mut tables = Vec::new();
    for section in SECTIONS {
        let rows: Vec<(String, Vec<Cell>)> = now
            .iter()
            .filter(|f| f.indicator.section() == section)
            .map(|f| {
                let prev = before.iter().find(|b| b.indicator == f.indicator).map(|b| b.count).unwrap_or(Count::new(0, 0));
                (tr.t(&f.indicator.label_key()), vec![Cell::Count(f.count, f.has_sex), Cell::Count(prev, f.has_sex)])
            })
            .collect();
        if !rows.is_empty() {
            let head = vec![tr.t("field-indicator"), tr.t("msg-this-quarter"), tr.t("msg-previous-quarter")];
            tables.push(Table { heading: tr.t(&format!("indicator-section-{section}")), head, rows });
        }
    }
    let dim = if ministry { Dimension::Province } else { Dimension::AgeBand };
    let mut by: BTreeMap<String, (String, Vec<Cell>)> = BTreeMap::new();
    let shown: Vec<Indicator> = BROKEN_DOWN.into_iter().filter(|i| now.iter().any(|f| f.indicator == *i)).collect();
    for (n, i) in shown.iter().enumerate() {
        let (groups, _) = store.indicator_breakdown(&cur.actor, c.reach, c.province(), *i, dim, c.period).await?;
        for g in groups {
            // Age bands in their order; places by name.
            let key = if ministry { group_label(tr, dim, &g) } else { format!("{:>3}{}", g.value.len(), g.value) };
            let entry = by
                .entry(key)
                .or_insert_with(|| (group_label(tr, dim, &g), (0..shown.len()).map(|_| Cell::Count(Count::new(0, 0), true)).collect()));
            entry.1[n] = Cell::Count(g.count, true);
        }
    }
    let mut head = vec![tr.t(&dim.label_key())];
    head.extend(shown.iter().map(|i| tr.t(&i.label_key())));
    tables.push(Table { heading: tr.t1("msg-by", "what", tr.t(&dim.label_key())), head, rows: by.into_values().collect() });
    let csi = store.csi_change(&cur.actor, c.reach, c.province(), c.period).await?;
    let mut rows: Vec<(String, Vec<Cell>)> = vec![(
        tr.t("msg-children-compared-label"),
        vec![Cell::Text(if csi.suppressed { tr.t("msg-hidden") } else { tr.num(csi.children) })],
    )];
    rows.extend(csi.domains.iter().map(|(d, v)| (tr.t(&format!("csi-domain-{d}")), vec![Cell::Text(tr.num(format!("{v:+.1}")))])));
    tables.push(Table { heading: tr.t("page-csi-change"), head: vec![tr.t("field-domain"), tr.t("msg-average-change")], rows });
    let org = store.org(cur.actor.org_id).await?.name;
    let mut about = vec![
        (tr.t("msg-period"), format!("{} – {}", tr.date(c.period.from), tr.date(c.period.to))),
        (
            tr.t("field-reach"),
            if c.reach == Reach::National {
                tr.t("opt-reach-national")
            } else {
                format!("{} · {org}", tr.t(&format!("opt-reach-{}", c.reach.code())))
            },
        ),
    ];
    if let Some(p) = c.province() {
        let name = store.child_locations(None).await?.into_iter().find(|l| l.code == p);
        about.push((tr.t("field-province"), name.map(|l| if tr.is_km() { l.name_km } else { l.name_latin }).unwrap_or_default()));
    }
    if c.reach == Reach::National {
        about.push((tr.t("msg-suppression"), tr.t("help-national-figures")));
    }
    let definitions = now.iter().map(|f| (tr.t(&f.indicator.label_key()), tr.t(&f.indicator.definition_key()))).collect();
    let title = tr.t(if ministry { "page-report-ministry" } else { "page-report-donor" });
    let period = tr.period_name(c.period);
    Ok(Report { title, org, period, about, tables, definitions })
}

pub async fn quarterly(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let mut c = Choice::of(&q.params, &cur);
    c.period = q.quarter.as_deref().and_then(Period::parse_quarter).unwrap_or_else(|| Period::quarter_of(c.period.from));
    let ministry = q.kind.as_deref() == Some("ministry");
    let lang = match q.lang.as_deref() {
        Some("en") => Lang::En,
        Some("km") => Lang::Km,
        _ => cur.tr.lang,
    };
    let tr = Tr::new(lang);
    let report = build(&state, &cur, tr, &c, ministry).await?;
    let format = q.format.as_deref().unwrap_or("html");
    let code = c.period.quarter_name().unwrap_or_else(|| format!("{}_{}", c.period.from, c.period.to));
    let detail = json!({"report": if ministry { "ministry" } else { "donor" }, "period": code, "reach": c.reach.code(), "province": c.province, "format": format});
    state.store.record_report(&cur.actor, detail).await?;
    let stem = format!("krousar-{}-{code}", if ministry { "ministry" } else { "donor" });
    if format == "xlsx" {
        let bytes = xlsx(tr, &report).map_err(PageError)?;
        return Ok(crate::files::download(
            &format!("{stem}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        ));
    }
    let same = format!(
        "/reports/quarterly?{}&quarter={}&kind={}&lang={}",
        c.query(),
        c.period.quarter_name().unwrap_or_default(),
        if ministry { "ministry" } else { "donor" },
        lang.code()
    );
    let page = PrintPage {
        lang: lang.code(),
        tr,
        title: report.title.clone(),
        number: report.period.clone(),
        org: report.org.clone(),
        sections: sections(tr, &report),
        signatures: vec![tr.t("sign-prepared-by"), tr.t("sign-approved-by")],
        generated: tr.t1("form-generated", "date", tr.date(cur.actor.today())),
        css_inline: String::new(),
        screen_links: format == "html",
        pdf_href: format!("{same}&format=pdf"),
        back_href: format!("/indicators?{}", c.query()),
        back_label: tr.t("page-indicators"),
        xlsx_href: format!("{same}&format=xlsx"),
        notice: String::new(),
        chooser: Some(chooser(cur.tr, &c, ministry, lang, cur.actor.today())),
    };
    deliver(&cur, page, format == "html", &format!("{stem}.pdf")).await
}

/// The report page's own form: donors' or ministry's report, one of the last eight quarters,
/// Khmer or English; the reach and province kept. Labels in the reader's language.
fn chooser(tr: Tr, c: &Choice, ministry: bool, lang: Lang, today: chrono::NaiveDate) -> Chooser {
    use crate::views::Opt;
    let hidden = serde_urlencoded::from_str::<Vec<(String, String)>>(&c.query())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != "from" && k != "to")
        .collect();
    let kinds = [("donor", "page-report-donor", !ministry), ("ministry", "page-report-ministry", ministry)]
        .into_iter()
        .map(|(v, k, selected)| Opt { value: v.into(), label: tr.t(k), selected })
        .collect();
    let mut quarters = Vec::new();
    let mut q = Period::quarter_of(today);
    for _ in 0..8 {
        quarters.push(Opt { value: q.quarter_name().unwrap_or_default(), label: tr.period_name(q), selected: q == c.period });
        q = q.previous();
    }
    let langs = [(Lang::Km, "ខ្មែរ"), (Lang::En, "English")]
        .into_iter()
        .map(|(l, name)| Opt { value: l.code().into(), label: name.into(), selected: l == lang })
        .collect();
    Chooser {
        action: "/reports/quarterly",
        hidden,
        selects: vec![
            ("kind", tr.t("field-report"), kinds),
            ("quarter", tr.t("field-quarter"), quarters),
            ("lang", tr.t("field-language"), langs),
        ],
        button: tr.t("btn-show"),
    }
}

fn cell_text(tr: Tr, c: &Cell) -> String {
    match c {
        Cell::Count(n, sex) => count_text(tr, n, *sex),
        Cell::Text(s) => s.clone(),
    }
}

fn sections(tr: Tr, r: &Report) -> Vec<Section> {
    let mut out = vec![Section { heading: tr.t("msg-about-report"), rows: r.about.clone(), head: Vec::new(), table: Vec::new() }];
    for t in &r.tables {
        let table = t
            .rows
            .iter()
            .map(|(label, cells)| std::iter::once(label.clone()).chain(cells.iter().map(|c| cell_text(tr, c))).collect())
            .collect();
        out.push(Section { heading: t.heading.clone(), rows: Vec::new(), head: t.head.clone(), table });
    }
    out.push(Section { heading: tr.t("msg-definitions"), rows: r.definitions.clone(), head: Vec::new(), table: Vec::new() });
    out
}

/// The report as a workbook: counts as numbers (a total and a girls' column each), so that they
/// add up in a spreadsheet; hidden counts as the text "hidden"; names always as text.
fn xlsx(tr: Tr, r: &Report) -> Result<Vec<u8>, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("report: {e:?}"));
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet().set_name(tr.t("msg-report-sheet")).map_err(fail)?;
    sheet.set_column_width(0, 48).map_err(fail)?;
    sheet.write_string_with_format(0, 0, &r.title, &bold).map_err(fail)?;
    sheet.write_string(1, 0, &r.period).map_err(fail)?;
    let mut row = 2u32;
    for (k, v) in &r.about {
        sheet.write_string(row, 0, k).map_err(fail)?;
        sheet.write_string(row, 1, v).map_err(fail)?;
        row += 1;
    }
    let girls = tr.t("msg-girls");
    for t in &r.tables {
        row += 1;
        sheet.write_string_with_format(row, 0, &t.heading, &bold).map_err(fail)?;
        row += 1;
        let mut col = 0u16;
        for (n, h) in t.head.iter().enumerate() {
            sheet.write_string_with_format(row, col, h, &bold).map_err(fail)?;
            col += 1;
            let counts = n > 0 && t.rows.first().is_some_and(|(_, cells)| matches!(cells.get(n - 1), Some(Cell::Count(_, true))));
            if counts {
                sheet.write_string_with_format(row, col, format!("{h} ({girls})"), &bold).map_err(fail)?;
                col += 1;
            }
        }
        for (label, cells) in &t.rows {
            row += 1;
            sheet.write_string(row, 0, label).map_err(fail)?;
            let mut col = 1u16;
            for c in cells {
                match c {
                    Cell::Count(n, sex) if n.suppressed => {
                        sheet.write_string(row, col, count_text(tr, n, false)).map_err(fail)?;
                        col += if *sex { 2 } else { 1 };
                    }
                    Cell::Count(n, sex) => {
                        sheet.write_number(row, col, n.total as f64).map_err(fail)?;
                        col += 1;
                        if *sex && n.female_hidden {
                            sheet.write_string(row, col, tr.t("msg-hidden")).map_err(fail)?;
                            col += 1;
                        } else if *sex {
                            sheet.write_number(row, col, n.female as f64).map_err(fail)?;
                            col += 1;
                        }
                    }
                    Cell::Text(s) => {
                        sheet.write_string(row, col, s).map_err(fail)?;
                        col += 1;
                    }
                }
            }
        }
    }
    let defs = book.add_worksheet().set_name(tr.t("msg-definitions")).map_err(fail)?;
    defs.set_column_width(0, 40).map_err(fail)?;
    defs.set_column_width(1, 100).map_err(fail)?;
    for (i, (k, v)) in r.definitions.iter().enumerate() {
        defs.write_string(i as u32, 0, k).map_err(fail)?;
        defs.write_string(i as u32, 1, v).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}
