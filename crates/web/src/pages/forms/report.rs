//! Counting a form's answers: for each question answered by a choice (yes/no, one choice,
//! several choices), how many children's latest answer in the period gave each choice, as
//! "N (nF)", split if asked by the answers to a one-choice question; for the organisation's
//! supervisors and managers. And every answer as a workbook, for those who list the children.

use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::Ids;
use crate::i18n::Tr;
use crate::pages::render;
use crate::views::Layout;
use crate::views::Opt;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use krousar_domain::export::{safe_cell, ExportFormat};
use krousar_domain::forms::answers::{Answer, AnswerValue};
use krousar_domain::forms::count::{Cell, Given};
use krousar_domain::forms::{FieldDef, FieldKind, FormTarget};
use krousar_store::custom_form_answers::AnswerRow;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    /// A one-choice or yes/no question whose answers split every count (its code).
    by: Option<String>,
    /// `csv` or `xlsx` (the answers export).
    format: Option<String>,
}

pub struct CountRow {
    pub label: String,
    /// One count per column (each value of the breakdown, then all), with the page listing the
    /// records counted ("" for a reader who only counts).
    pub counts: Vec<(String, String)>,
}

pub struct QuestionCounts {
    pub label: String,
    pub rows: Vec<CountRow>,
}

#[derive(Template)]
#[template(path = "form_report.html")]
struct ReportPage {
    l: Layout,
    id: String,
    from: String,
    to: String,
    by: Vec<Opt>,
    /// The columns' headings (empty: no breakdown, one column).
    columns: Vec<String>,
    answered: Vec<(String, String)>,
    /// A scored form: the average total score in each column ("—" where nobody is scored).
    average: Vec<String>,
    questions: Vec<QuestionCounts>,
    can_export: bool,
    /// Answers may come in from a workbook (rows name children by case number).
    importable: bool,
}

pub(super) fn period(from: &Option<String>, to: &Option<String>, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let day = |s: &Option<String>| s.as_deref().and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    (day(from).unwrap_or_else(|| krousar_domain::indicators::Period::year_of(today).from), day(to).unwrap_or(today))
}

/// The values a countable question is counted under, with their words.
pub(super) fn values_of(tr: Tr, f: &FieldDef) -> Vec<(String, String)> {
    match f.kind {
        FieldKind::YesNo => vec![("yes".into(), tr.t("msg-yes")), ("no".into(), tr.t("msg-no"))],
        _ => f.choices.iter().map(|c| (c.code.clone(), if tr.is_km() || c.en.is_empty() { c.km.clone() } else { c.en.clone() })).collect(),
    }
}

/// A count of records that answered: children as "N (nF)", households and carer households
/// as a number of them (a household has no sex to split by).
pub fn counted(tr: Tr, target: FormTarget, rows: &[&AnswerRow]) -> String {
    match target {
        FormTarget::Case | FormTarget::Child => {
            let girls = rows.iter().filter(|r| r.is_girl()).count();
            tr.t2("msg-count-female", ("total", tr.num(rows.len())), ("female", tr.num(girls)))
        }
        FormTarget::Household => tr.t1("msg-count-households", "total", tr.num(rows.len())),
        FormTarget::Carer => tr.t1("msg-count-carers", "total", tr.num(rows.len())),
    }
}

/// `GET /admin/forms/{id}/report?from&to&by` (default: the year so far).
pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let (from, to) = period(&q.from, &q.to, cur.actor.today());
    let form = state.store.custom_form(&cur.actor, id).await?;
    let answers = state.store.custom_form_answers(&cur.actor, id, from, to).await?;
    let km = tr.is_km();
    let def = form.current.clone().unwrap_or_default();
    // Only a one-choice or yes/no question splits the counts (several choices would count a
    // child in more than one column).
    let splitters: Vec<&FieldDef> = def.questions().filter(|f| matches!(f.kind, FieldKind::OneChoice | FieldKind::YesNo)).collect();
    let by = q.by.as_deref().and_then(|code| splitters.iter().find(|f| f.code == code).copied());
    // Each column: which answers it holds.
    let mut columns: Vec<(String, Option<(String, String)>)> = match by {
        Some(f) => values_of(tr, f).into_iter().map(|(code, label)| (label, Some((f.code.clone(), code)))).collect(),
        None => Vec::new(),
    };
    columns.push((tr.t("opt-all"), None));
    let listing = krousar_store::custom_form_answers::reading_scope(&cur.actor, form.target) != krousar_domain::ListScope::Nothing;
    let count = |row: Option<Given>| -> Vec<(String, String)> {
        columns
            .iter()
            .map(|(_, column)| {
                let cell = Cell { row: row.clone(), column: column.clone() };
                let hits: Vec<&AnswerRow> = answers.iter().filter(|r| cell.holds(&r.answers)).collect();
                let href = if listing { super::report_records::href(id, from, to, &cell) } else { String::new() };
                (counted(tr, form.target, &hits), href)
            })
            .collect()
    };
    let questions = def
        .questions()
        .filter(|f| f.kind.countable() && Some(f.code.as_str()) != by.map(|b| b.code.as_str()))
        .map(|f| QuestionCounts {
            label: f.label(km).to_string(),
            rows: values_of(tr, f)
                .into_iter()
                .map(|(code, label)| CountRow { label, counts: count(Some((f.code.clone(), code))) })
                .collect(),
        })
        .collect();
    let mut by_opts = vec![Opt { value: String::new(), label: tr.t("opt-no-breakdown"), selected: by.is_none() }];
    by_opts.extend(splitters.iter().map(|f| Opt {
        value: f.code.clone(),
        label: f.label(km).to_string(),
        selected: by.is_some_and(|b| b.code == f.code),
    }));
    let headings = if by.is_some() { columns.iter().map(|(l, _)| l.clone()).collect() } else { Vec::new() };
    Ok(render(ReportPage {
        l: Layout::new(&cur, form.draft.name(km).to_string(), "/admin/case-settings"),
        id: id.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        by: by_opts,
        columns: headings,
        answered: count(None),
        average: if answers.iter().any(|r| r.answers.totals().is_some()) {
            columns
                .iter()
                .map(|(_, column)| {
                    let cell = Cell { row: None, column: column.clone() };
                    let totals: Vec<i64> =
                        answers.iter().filter(|r| cell.holds(&r.answers)).filter_map(|r| r.answers.totals().map(|t| t.total)).collect();
                    match totals.len() {
                        0 => "—".to_string(),
                        n => tr.num(format!("{:.1}", totals.iter().sum::<i64>() as f64 / n as f64)),
                    }
                })
                .collect()
        } else {
            Vec::new()
        },
        questions,
        importable: form.target.about_children(),
        can_export: listing,
    }))
}

/// The text of an answer in a workbook cell: numbers and dates as a spreadsheet reads them,
/// everything else in the reader's language.
fn cell(tr: Tr, a: &Answer) -> String {
    match &a.value {
        AnswerValue::Number(n) => n.to_string(),
        AnswerValue::Date(d) => d.to_string(),
        _ if tr.is_km() || a.shown_en.is_empty() => a.shown_km.clone(),
        _ => a.shown_en.clone(),
    }
}

/// `GET /admin/forms/{id}/answers?from&to&format=csv|xlsx`: every answer in the period on the
/// cases the reader lists, a column per question (questions of earlier versions too, by their
/// words then), every cell inert for spreadsheets; audited.
pub async fn export(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let (from, to) = period(&q.from, &q.to, cur.actor.today());
    let format = q.format.as_deref().and_then(ExportFormat::parse).unwrap_or(ExportFormat::Csv);
    let form = state.store.custom_form(&cur.actor, id).await?;
    let rows = state.store.export_custom_form_answers(&cur.actor, id, from, to).await?;
    // The columns: the current version's questions, then any asked only by earlier versions.
    let mut questions: Vec<(String, String)> =
        form.current.iter().flat_map(|d| d.questions()).map(|f| (f.code.clone(), f.label(tr.is_km()).to_string())).collect();
    for r in &rows {
        for a in &r.answers.answers {
            if !questions.iter().any(|(c, _)| *c == a.code) {
                let label = if tr.is_km() || a.label_en.is_empty() { &a.label_km } else { &a.label_en };
                questions.push((a.code.clone(), label.clone()));
            }
        }
    }
    let children = form.target.about_children();
    let mut head = if children { vec![tr.t("opt-export-col-case_number"), tr.t("field-sex")] } else { vec![tr.t("field-name")] };
    head.extend([tr.t("field-answered-on"), tr.t("col-form-version")]);
    head.extend(questions.iter().map(|(_, l)| l.clone()));
    // A scored form: its total, last.
    let scored = rows.iter().any(|r| r.answers.totals().is_some());
    if scored {
        head.push(tr.t("field-total"));
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut line = vec![r.label.clone()];
            if children {
                line.push(r.sex.as_ref().map(|s| tr.t(&format!("opt-sex-{s}"))).unwrap_or_default());
            }
            line.extend([r.answers.answered_on.to_string(), r.answers.version.to_string()]);
            line.extend(
                questions
                    .iter()
                    .map(|(code, _)| r.answers.answers.iter().find(|a| a.code == *code).map(|a| cell(tr, a)).unwrap_or_default()),
            );
            if scored {
                line.push(r.answers.totals().map(|t| t.total.to_string()).unwrap_or_default());
            }
            line.into_iter().map(|c| safe_cell(&c)).collect()
        })
        .collect();
    let head: Vec<String> = head.iter().map(|h| safe_cell(h)).collect();
    let (bytes, mime) = crate::pages::export::file_bytes(format, &head, &table).map_err(PageError)?;
    Ok(crate::files::download(&format!("form-answers-{from}-{to}.{}", format.code()), mime, bytes))
}
