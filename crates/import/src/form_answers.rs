//! Answers to an organisation's own form brought in from a workbook: the template (a column per
//! question, each heading ending in its code, `[f2]`), and reading a filled-in sheet into
//! answers checked exactly as the page checks them. Choices may be written by their words in
//! Khmer or English, or by their codes; several choices separated by `;` or `,`. A problem is
//! reported by the row and the column the user sees, and then nothing is kept.

use crate::dates::{read_cell, DateRead};
use crate::workbook::{Cell, Workbook};
use chrono::NaiveDate;
use krousar_domain::forms::answers::{validate, Answer, Known};
use krousar_domain::forms::{FieldDef, FieldKind, FormDef};
use std::collections::BTreeMap;

/// The most rows read from one workbook (a year of a large organisation's visits).
pub const MAX_LINES: usize = 5000;
pub const CASE_NUMBER: &str = "case_number";
pub const ANSWERED_ON: &str = "answered_on";

/// One row read: whose case, when, the answers as checked.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerLine {
    pub line: u32,
    pub case_number: String,
    pub answered_on: NaiveDate,
    pub answers: Vec<Answer>,
}

/// A problem in a row: its number, the column's heading, and the message's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: u32,
    pub column: String,
    pub key: &'static str,
}

/// The headings of the template: the case number, the date filled in, then each question,
/// each ending in its code so that a heading retyped in other words is still recognised.
pub fn headings(def: &FormDef, case_number: &str, answered_on: &str, khmer: bool) -> Vec<String> {
    let mut h = vec![format!("{case_number} [{CASE_NUMBER}]"), format!("{answered_on} [{ANSWERED_ON}]")];
    h.extend(def.questions().map(|f| format!("{} [{}]", f.label(khmer), f.code)));
    h
}

/// Which column holds what: a heading ending in `[code]`, or a question's words exactly.
fn column_codes(def: &FormDef, heading: &[(u32, String)]) -> BTreeMap<u32, String> {
    let mut out = BTreeMap::new();
    for (col, text) in heading {
        let t = text.trim();
        let code = match t.rsplit_once('[').and_then(|(_, c)| c.strip_suffix(']')) {
            Some(c) => Some(c.trim().to_string()),
            None => def
                .questions()
                .find(|f| f.label_km.trim() == t || (!f.label_en.is_empty() && f.label_en.trim().eq_ignore_ascii_case(t)))
                .map(|f| f.code.clone()),
        };
        if let Some(code) = code.filter(|c| c == CASE_NUMBER || c == ANSWERED_ON || def.questions().any(|f| f.code == *c)) {
            out.insert(*col, code);
        }
    }
    out
}

const YES: [&str; 6] = ["yes", "y", "true", "1", "បាទ/ចាស", "មាន"];
const NO: [&str; 5] = ["no", "n", "false", "0", "ទេ"];

/// A cell as the values the page would have sent for the field.
fn values(f: &FieldDef, cell: &Cell, today: NaiveDate) -> Vec<String> {
    let text = cell.shown();
    match f.kind {
        FieldKind::Date => vec![date_text(cell, today).unwrap_or(text)],
        FieldKind::YesNo => {
            let t = text.trim().to_lowercase();
            let word = match cell {
                Cell::Bool(b) => Some(*b),
                _ if YES.contains(&t.as_str()) || t == "បាទ" || t == "ចាស" => Some(true),
                _ if NO.contains(&t.as_str()) || t == "គ្មាន" => Some(false),
                _ => None,
            };
            vec![word.map_or(text, |b| if b { "yes".into() } else { "no".into() })]
        }
        FieldKind::OneChoice | FieldKind::SeveralChoices => {
            let parts: Vec<&str> =
                if f.kind == FieldKind::OneChoice { vec![text.as_str()] } else { text.split([';', ',', '\n']).collect() };
            parts
                .into_iter()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let found = f
                        .choices
                        .iter()
                        .find(|c| c.code == p || c.km.trim() == p || (!c.en.is_empty() && c.en.trim().eq_ignore_ascii_case(p)));
                    found.map_or_else(|| p.to_string(), |c| c.code.clone())
                })
                .collect()
        }
        FieldKind::Place => vec![place_code(&text)],
        _ => vec![text],
    }
}

/// A village's code as a sheet holds it: a code typed as a number loses its leading zero
/// (`2020101` for `02020101`), so seven digits get it back.
pub fn place_code(text: &str) -> String {
    let t = text.trim();
    if t.len() == 7 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{t}")
    } else {
        t.to_string()
    }
}

/// Every village code the sheet's cells may hold (to be looked up in the gazetteer before the
/// rows are read).
pub fn place_codes_in(wb: &Workbook) -> Vec<String> {
    let mut out: Vec<String> = wb
        .sheets
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.cells)
        .map(|(_, c)| place_code(&c.shown()))
        .filter(|c| c.len() == 8 && c.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A date cell (a real date, or text in one of the ways dates are written) as `YYYY-MM-DD`;
/// a reading that needs a guess is not taken.
fn date_text(cell: &Cell, today: NaiveDate) -> Option<String> {
    match read_cell(cell, today) {
        Ok(DateRead::Date(d)) => Some(d.to_string()),
        _ => None,
    }
}

/// Every row of the first visible sheet read into answers. All rows are read; if any has a
/// problem, every problem is returned (and nothing is to be kept).
/// A column missing from the sheet is named by its question's words (`khmer`: in Khmer);
/// `known`: the villages of `place_codes_in` found in the gazetteer (no people: a row names
/// its child by case number, so a person question cannot be answered from a workbook).
pub fn read_answers(
    def: &FormDef,
    wb: &Workbook,
    today: NaiveDate,
    khmer: bool,
    known: &Known,
) -> Result<Vec<AnswerLine>, Vec<LineProblem>> {
    let problem = |line: u32, column: &str, key: &'static str| LineProblem { line, column: column.to_string(), key };
    let Some(sheet) = wb.sheets.iter().find(|s| !s.hidden) else { return Err(vec![problem(0, "", "err-form-import-empty")]) };
    let mut rows = sheet.rows.iter();
    let Some(head) = rows.next() else { return Err(vec![problem(0, "", "err-form-import-empty")]) };
    let heading: Vec<(u32, String)> = head.cells.iter().map(|(c, v)| (*c, v.shown())).collect();
    let codes = column_codes(def, &heading);
    let title = |code: &str| {
        let column = heading.iter().find(|(c, _)| codes.get(c).is_some_and(|x| x == code)).map(|(_, t)| t.clone());
        column.or_else(|| def.field(code).map(|f| f.label(khmer).to_string())).unwrap_or_else(|| code.to_string())
    };
    if !codes.values().any(|c| c == CASE_NUMBER) {
        return Err(vec![problem(head.number, "", "err-form-import-no-case-column")]);
    }
    let (mut lines, mut problems) = (Vec::new(), Vec::new());
    for row in rows.filter(|r| r.cells.iter().any(|(_, c)| !c.is_blank())) {
        if lines.len() + problems.len() >= MAX_LINES {
            problems.push(problem(row.number, "", "err-form-import-too-many"));
            break;
        }
        let mut case_number = String::new();
        let mut answered_on = None;
        let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (col, cell) in &row.cells {
            match codes.get(col).map(String::as_str) {
                Some(CASE_NUMBER) => case_number = cell.shown().trim().to_string(),
                Some(ANSWERED_ON) => answered_on = Some(date_text(cell, today).unwrap_or_else(|| cell.shown())),
                Some(code) => {
                    if let Some(f) = def.field(code) {
                        raw.insert(code.to_string(), values(f, cell, today));
                    }
                }
                None => {}
            }
        }
        if case_number.is_empty() {
            problems.push(problem(row.number, &title(CASE_NUMBER), "err-required"));
            continue;
        }
        match validate(def, answered_on.as_deref(), &raw, today, known) {
            Ok((on, answers)) => lines.push(AnswerLine { line: row.number, case_number, answered_on: on, answers }),
            Err(e) => problems.extend(e.errors.iter().map(|x| problem(row.number, &title(x.field), x.code))),
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}
