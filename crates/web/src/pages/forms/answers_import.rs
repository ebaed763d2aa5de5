//! Bringing answers to a form in from a workbook on a page: the template to fill in (a column
//! per question, and a sheet of each question's choices), the upload, and what happened — every
//! row kept, or each problem by row and column with nothing kept.

use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::pages::render;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use krousar_import::form_answers::{headings, read_answers, LineProblem, ANSWERED_ON, CASE_NUMBER};
use krousar_store::custom_form_import::AnswersImport;
use krousar_store::StoreError;
use uuid::Uuid;

pub struct ProblemRow {
    pub line: String,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "form_answers_import.html")]
struct ImportPage {
    l: Layout,
    id: String,
    /// What happened ("" before an upload).
    outcome: String,
    problems: Vec<ProblemRow>,
}

fn page(cur: &Current, id: Uuid, name: &str, outcome: String, problems: &[LineProblem]) -> Response {
    let tr = cur.tr;
    let column = |c: &str| match c {
        CASE_NUMBER => tr.t("opt-export-col-case_number"),
        ANSWERED_ON => tr.t("field-answered-on"),
        other => other.to_string(),
    };
    render(ImportPage {
        l: Layout::new(cur, name.to_string(), "/admin/case-settings"),
        id: id.to_string(),
        outcome,
        problems: problems
            .iter()
            .map(|p| ProblemRow {
                line: if p.line == 0 { String::new() } else { tr.num(p.line) },
                column: column(&p.column),
                message: tr.t(p.key),
            })
            .collect(),
    })
}

/// `GET /admin/forms/{id}/answers/import`
pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    let form = state.store.custom_form(&cur.actor, id).await?;
    // A form on a household or a carer cannot take a workbook: said before anything is chosen.
    let outcome = if form.target.about_children() { String::new() } else { cur.tr.t("err-form-import-target") };
    Ok(page(&cur, id, form.draft.name(cur.tr.is_km()), outcome, &[]))
}

/// `GET /admin/forms/{id}/answers/template`: the workbook to fill in, in the reader's language.
pub async fn template(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let form = state.store.custom_form(&cur.actor, id).await?;
    let def = form.current.ok_or(PageError(AppError::NotFound))?;
    let km = tr.is_km();
    let head = headings(&def, &tr.t("opt-export-col-case_number"), &tr.t("field-answered-on"), km);
    let fail = |e: rust_xlsxwriter::XlsxError| PageError(AppError::Internal(format!("template: {e:?}")));
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet().set_name(tr.t("page-form-answers-sheet")).map_err(fail)?;
    for (i, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, h, &bold).map_err(fail)?;
        sheet.set_column_width(i as u16, 24).map_err(fail)?;
    }
    // The choices each question accepts, in both languages, on a sheet of their own.
    let choices = book.add_worksheet().set_name(tr.t("field-choices")).map_err(fail)?;
    let mut row = 0;
    for f in def.questions().filter(|f| f.kind.countable()) {
        choices.write_string_with_format(row, 0, format!("{} [{}]", f.label(km), f.code), &bold).map_err(fail)?;
        row += 1;
        let words: Vec<(String, String)> = if f.choices.is_empty() {
            vec![("បាទ/ចាស".into(), "yes".into()), ("ទេ".into(), "no".into())]
        } else {
            f.choices.iter().map(|c| (c.km.clone(), c.en.clone())).collect()
        };
        for (k, e) in words {
            choices.write_string(row, 0, k).map_err(fail)?;
            choices.write_string(row, 1, e).map_err(fail)?;
            row += 1;
        }
        row += 1;
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok(crate::files::download(
        &format!("form-{id}-answers.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

/// `POST /admin/forms/{id}/answers/import` (multipart `file`, XLSX or CSV): every row kept, by
/// whoever works on each row's case, or nothing.
pub async fn upload(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let form = state.store.custom_form(&cur.actor, id).await?;
    let name = form.draft.name(tr.is_km()).to_string();
    let def = form.current.ok_or(PageError(AppError::NotFound))?;
    let refused = |problems: &[LineProblem]| crate::pages::unprocessable(page(&cur, id, &name, tr.t("msg-form-import-refused"), problems));
    if !form.target.about_children() {
        return Ok(refused(&[LineProblem { line: 0, column: String::new(), key: "err-form-import-target" }]));
    }
    let up = match crate::files::read_upload(mp).await {
        Ok(up) => up,
        Err(StoreError::Invalid(e)) => {
            let key = e.errors.first().map_or("err-file-too-large", |x| x.code);
            return Ok(refused(&[LineProblem { line: 0, column: String::new(), key }]));
        }
        Err(e) => return Err(PageError::from(e)),
    };
    let wb = match krousar_import::workbook::read(&up.file_name, &up.bytes) {
        Ok(wb) => wb,
        Err(e) => return Ok(refused(&[LineProblem { line: 0, column: String::new(), key: e.key() }])),
    };
    let codes = krousar_import::form_answers::place_codes_in(&wb);
    let places = state.store.answer_places(&codes.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    let known = krousar_domain::forms::answers::Known { places, ..Default::default() };
    let lines = match read_answers(&def, &wb, cur.actor.today(), tr.is_km(), &known) {
        Ok(lines) => lines,
        Err(problems) => return Ok(refused(&problems)),
    };
    match state.store.import_custom_form_answers(&cur.actor, id, &lines).await? {
        AnswersImport::Refused(problems) => Ok(refused(&problems)),
        AnswersImport::Kept { kept, already } => {
            let outcome = tr.t2("msg-form-import-kept", ("kept", tr.num(kept)), ("already", tr.num(already)));
            Ok(page(&cur, id, &name, outcome, &[]))
        }
    }
}
