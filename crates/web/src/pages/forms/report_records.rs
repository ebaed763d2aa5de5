//! The records behind one count of a form's report: the children (or households, or carer
//! households) whose latest answer in the period falls in that cell, counted by the same
//! definition as the figure (`krousar_domain::forms::count::Cell`), so the list is as long as
//! the count. Only for those who list the records; audited.

use super::report::{period, values_of};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::Ids;
use crate::pages::render;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use krousar_domain::forms::count::{Cell, Given};
use krousar_domain::forms::FormTarget;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct RecordsQuery {
    from: Option<String>,
    to: Option<String>,
    /// The row: a question's code and the value counted (none: every record that answered).
    q: Option<String>,
    v: Option<String>,
    /// The column: the breakdown's question and value (none: all).
    by: Option<String>,
    bv: Option<String>,
}

/// The page listing the records of a cell.
pub fn href(form: Uuid, from: NaiveDate, to: NaiveDate, cell: &Cell) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("from", from.to_string()), ("to", to.to_string())];
    if let Some((q, v)) = &cell.row {
        pairs.extend([("q", q.clone()), ("v", v.clone())]);
    }
    if let Some((by, bv)) = &cell.column {
        pairs.extend([("by", by.clone()), ("bv", bv.clone())]);
    }
    format!("/admin/forms/{form}/report/records?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

#[derive(Template)]
#[template(path = "form_records.html")]
struct RecordsPage {
    l: Layout,
    back: String,
    /// "Clean water: Yes · Toilet: Own", the period.
    cell: String,
    period: String,
    records: Vec<(String, String)>,
}

/// `GET /admin/forms/{id}/report/records?from&to&q&v&by&bv`
pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(p): Query<RecordsQuery>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let km = tr.is_km();
    let (from, to) = period(&p.from, &p.to, cur.actor.today());
    let form = state.store.custom_form(&cur.actor, id).await?;
    let given = |q: &Option<String>, v: &Option<String>| -> Option<Given> { q.clone().zip(v.clone()) };
    let cell = Cell { row: given(&p.q, &p.v), column: given(&p.by, &p.bv) };
    let rows = state.store.custom_form_records(&cur.actor, id, from, to, &cell).await?;
    // The cell in words: each question and value as the report shows them.
    let def = form.current.clone().unwrap_or_default();
    let words = |g: &Option<Given>| -> Option<String> {
        let (code, value) = g.as_ref()?;
        let f = def.field(code)?;
        let shown = values_of(tr, f).into_iter().find(|(c, _)| c == value).map(|(_, l)| l)?;
        Some(format!("{}: {shown}", f.label(km)))
    };
    let cell_words = [words(&cell.row), words(&cell.column)].into_iter().flatten().collect::<Vec<_>>().join(" · ");
    let base = match form.target {
        FormTarget::Case | FormTarget::Child => "/children",
        FormTarget::Household => "/households",
        FormTarget::Carer => "/carers",
    };
    let records = rows
        .iter()
        .map(|r| {
            let label = if form.target.about_children() {
                format!("{} · {}", r.label, if km { &r.name_km } else { &r.name_latin })
            } else {
                r.label.clone()
            };
            (format!("{base}/{}", r.record_id), label)
        })
        .collect();
    Ok(render(RecordsPage {
        l: Layout::new(&cur, form.draft.name(km).to_string(), "/admin/case-settings"),
        back: format!("/admin/forms/{id}/report?from={from}&to={to}{}", p.by.as_deref().map(|b| format!("&by={b}")).unwrap_or_default()),
        cell: if cell_words.is_empty() { tr.t("msg-form-answered") } else { cell_words },
        period: tr.period(from, to),
        records,
    }))
}
