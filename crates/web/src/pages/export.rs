//! Exporting the filtered child list as CSV (UTF-8 with a byte-order mark, so that Excel reads
//! Khmer) or XLSX, with the columns chosen: only the children the list shows this user, never
//! sensitive information, every cell made inert for spreadsheets, every export audited.

use super::children::ListQuery;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::views::age_text;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use krousar_domain::export::{columns, safe_cell, ExportColumn, ExportFormat, MAX_ROWS};
use krousar_store::children::Child;
use krousar_store::locations::LocationPath;
use krousar_store::StoreError;

fn cell(tr: Tr, c: &Child, col: ExportColumn, paths: &[LocationPath], today: chrono::NaiveDate) -> String {
    let f = &c.fields;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let path = f.village_code.as_ref().and_then(|v| paths.iter().find(|p| &p.code == v));
    // Parts of a path run village → province.
    let level = |i: usize| {
        path.and_then(|p| p.parts.get(i)).map(|l| if tr.is_km() { l.name_km.clone() } else { l.name_latin.clone() }).unwrap_or_default()
    };
    let depth = path.map(|p| p.parts.len()).unwrap_or(0);
    let from_top = |n: usize| if depth > n { level(depth - 1 - n) } else { String::new() };
    match col {
        ExportColumn::CaseNumber => c.case_number.clone(),
        ExportColumn::FamilyNameKm => opt(&f.family_name_km),
        ExportColumn::GivenNameKm => opt(&f.given_name_km),
        ExportColumn::FamilyNameLatin => opt(&f.family_name_latin),
        ExportColumn::GivenNameLatin => opt(&f.given_name_latin),
        ExportColumn::Sex => tr.t(&f.sex.label_key()),
        ExportColumn::DateOfBirth => f.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
        ExportColumn::Age => age_text(tr, f, today),
        ExportColumn::Province => from_top(0),
        ExportColumn::District => from_top(1),
        ExportColumn::Commune => from_top(2),
        ExportColumn::Village => from_top(3),
        ExportColumn::Living => tr.t(&f.living_arrangement.label_key()),
        ExportColumn::Disability => tr.t(&f.disability.label_key()),
        ExportColumn::Worker => c.assigned_worker_name.clone().unwrap_or_default(),
        ExportColumn::Registered => c.created_at.chars().take(10).collect(),
    }
}

fn csv_bytes(head: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let fail = |e: _| AppError::Internal(format!("export: {e:?}"));
    w.write_record(head).map_err(fail)?;
    for r in rows {
        w.write_record(r).map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::Internal(format!("export: {e:?}")))
}

fn xlsx_bytes(head: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: _| AppError::Internal(format!("export: {e:?}"));
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (i, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, h, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            // Always text: nothing a cell holds is ever read as a formula or a number.
            sheet.write_string(r as u32 + 1, i as u16, v).map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// Lists longer than this are prepared in the background, with their progress shown.
pub const BACKGROUND_ABOVE: i64 = 2_000;

/// The rows of children as the chosen columns, every cell inert for spreadsheets.
async fn rows_of(
    state: &AppState,
    tr: Tr,
    kids: &[Child],
    cols: &[ExportColumn],
    today: chrono::NaiveDate,
) -> Result<Vec<Vec<String>>, StoreError> {
    let codes: Vec<String> =
        kids.iter().filter_map(|c| c.fields.village_code.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let paths = state.store.location_paths(&codes).await?;
    Ok(kids.iter().map(|k| cols.iter().map(|c| safe_cell(&cell(tr, k, *c, &paths, today))).collect()).collect())
}

pub(crate) fn file_bytes(format: ExportFormat, head: &[String], rows: &[Vec<String>]) -> Result<(Vec<u8>, &'static str), AppError> {
    Ok(match format {
        ExportFormat::Csv => (csv_bytes(head, rows)?, "text/csv; charset=utf-8"),
        ExportFormat::Xlsx => (xlsx_bytes(head, rows)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    })
}

pub fn file_name(format: ExportFormat, today: chrono::NaiveDate) -> String {
    format!("children-{}.{}", today, format.code())
}

pub async fn children(State(state): State<AppState>, PageUser(cur): PageUser, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let chosen: Vec<String> = pairs.iter().filter(|(k, _)| k == "col").map(|(_, v)| v.clone()).collect();
    let cols = columns(&chosen);
    let format = pairs.iter().find(|(k, _)| k == "format").and_then(|(_, v)| ExportFormat::parse(v)).unwrap_or(ExportFormat::Csv);
    let asked_background = pairs.iter().any(|(k, v)| k == "background" && v == "1");
    let filters: Vec<&(String, String)> =
        pairs.iter().filter(|(k, _)| k != "col" && k != "format" && k != "after" && k != "background").collect();
    let q: ListQuery = serde_urlencoded::from_str(&serde_urlencoded::to_string(&filters).unwrap_or_default()).unwrap_or_default();
    let mut filter = q.filter();
    if q.shared_only() {
        filter.co_worker = Some(cur.actor.user_id);
    }
    let what = serde_json::json!({"format": format.code(), "columns": cols.iter().map(|c| c.code()).collect::<Vec<_>>()});
    let total = state.store.count_children(&cur.actor, &filter).await?;
    if total > MAX_ROWS as i64 {
        return Err(PageError::from(StoreError::invalid("export", "err-export-too-large")));
    }
    if asked_background || total > BACKGROUND_ABOVE {
        let job = state.store.start_export_job(&cur.actor, format.code(), total).await?;
        crate::jobs::start("export", prepare(state.clone(), cur.actor.clone(), cur.tr, filter, cols, format, job, what));
        return Ok(axum::response::Redirect::to(&format!("/exports/{job}")).into_response());
    }
    let kids = match state.store.export_children(&cur.actor, &filter, MAX_ROWS, what).await {
        Ok(k) => k,
        Err(StoreError::Invalid(e)) => return Err(PageError(AppError::Invalid(e))),
        Err(e) => return Err(PageError::from(e)),
    };
    let head: Vec<String> = cols.iter().map(|c| cur.tr.t(&c.label_key())).collect();
    let rows = rows_of(&state, cur.tr, &kids, &cols, cur.actor.today()).await?;
    let (bytes, mime) = file_bytes(format, &head, &rows).map_err(PageError)?;
    Ok(crate::files::download(&file_name(format, cur.actor.today()), mime, bytes))
}

/// The same export, prepared page by page for a background job.
pub(super) async fn build_file(
    state: &AppState,
    actor: &krousar_domain::Actor,
    tr: Tr,
    filter: &krousar_store::children::ChildFilter,
    cols: &[ExportColumn],
    format: ExportFormat,
    job: uuid::Uuid,
) -> Result<(Vec<u8>, i64), String> {
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let page = state.store.list_children(actor, filter, cursor, 500).await.map_err(|e| e.to_string())?;
        rows.extend(rows_of(state, tr, &page.items, cols, actor.today()).await.map_err(|e| e.to_string())?);
        if rows.len() > MAX_ROWS {
            return Err("err-export-too-large".into());
        }
        state.store.export_progress(job, rows.len() as i64).await.map_err(|e| e.to_string())?;
        match page.next.and_then(|n| n.parse::<i64>().ok()) {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let head: Vec<String> = cols.iter().map(|c| tr.t(&c.label_key())).collect();
    let (bytes, _) = file_bytes(format, &head, &rows).map_err(|e| format!("{e:?}"))?;
    Ok((bytes, rows.len() as i64))
}

/// The background task: the file is written whole, or the job is marked failed.
#[allow(clippy::too_many_arguments)]
async fn prepare(
    state: AppState,
    actor: krousar_domain::Actor,
    tr: Tr,
    filter: krousar_store::children::ChildFilter,
    cols: Vec<ExportColumn>,
    format: ExportFormat,
    job: uuid::Uuid,
    what: serde_json::Value,
) {
    let outcome = match build_file(&state, &actor, tr, &filter, &cols, format, job).await {
        Ok((bytes, rows)) => {
            state.store.finish_export_job(&actor, job, bytes, rows, what, Some("children.export")).await.map_err(|e| e.to_string())
        }
        Err(e) => Err(e),
    };
    if let Err(e) = outcome {
        tracing::warn!(%job, error = %e, "background export failed");
        if let Err(e) = state.store.fail_export_job(job, &e).await {
            tracing::error!(%job, error = %e, "could not record a failed export");
        }
    }
}
