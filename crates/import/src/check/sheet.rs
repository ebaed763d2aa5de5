//! Sheets to records-to-be: which sheet is which, its header row, which column is which field,
//! and what about the sheet itself needs saying (hidden, unknown, merged cells, formulas,
//! columns we do not know).

use crate::columns::{field_of, Field, SheetKind};
use crate::report::{At, Problems, Severity};
use crate::workbook::{Cell, Sheet, Workbook};
use serde_json::{Map, Value};

/// A sheet whose columns are known.
#[derive(Debug)]
pub struct Mapped {
    pub kind: SheetKind,
    pub name: String,
    pub rows: Vec<MappedRow>,
}

/// A data row: each cell with its field (or `Extra`) and its column's header.
#[derive(Debug)]
pub struct MappedRow {
    pub sheet: String,
    pub number: u32,
    pub cells: Vec<(Field, String, Cell)>,
    /// The sheet's columns (field, header), for naming a column the row left blank.
    pub columns: std::sync::Arc<[(Field, String)]>,
}

impl MappedRow {
    pub fn cell(&self, field: Field) -> Option<&Cell> {
        self.cells.iter().find(|(f, _, c)| *f == field && !c.is_blank()).map(|(_, _, c)| c)
    }

    /// The field's value as text, trimmed; `None` when blank.
    pub fn text(&self, field: Field) -> Option<String> {
        self.cell(field).map(|c| c.shown().trim().to_string()).filter(|s| !s.is_empty())
    }

    /// Where the field is, for a report (the row alone when the sheet has no such column).
    pub fn at(&self, field: Field) -> At {
        let column = self.columns.iter().find(|(f, _)| *f == field).map(|(_, h)| h.clone()).unwrap_or_default();
        At { sheet: self.sheet.clone(), row: self.number, column }
    }

    /// Values of the columns that are no field of ours, by header, as written.
    pub fn extra(&self) -> Map<String, Value> {
        self.cells
            .iter()
            .filter(|(f, _, c)| *f == Field::Extra && !c.is_blank())
            .map(|(_, h, c)| (h.trim().to_string(), Value::String(c.shown())))
            .collect()
    }
}

/// Text that a spreadsheet would run as a formula if it were written back unescaped.
fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '@']) || (s.starts_with('-') && s.len() > 1 && !s[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// The header row: the first row with at least two headers we know (templates put a title or
/// a note above), else the first row.
fn header_row(sheet: &Sheet, kind: SheetKind) -> Option<usize> {
    let known = |r: &crate::workbook::Row| r.cells.iter().filter(|(_, c)| field_of(kind, &c.shown()).is_some()).count();
    sheet.rows.iter().take(10).position(|r| known(r) >= 2).or(if sheet.rows.is_empty() { None } else { Some(0) })
}

/// The kind whose headers a sheet's header row matches best, if it matches at least three
/// that no other kind has (a household sheet and a children sheet share the address columns).
fn kind_by_headers(sheet: &Sheet) -> Option<SheetKind> {
    let scored: Vec<(usize, SheetKind)> = SheetKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let h = header_row(sheet, kind)?;
            let known = sheet.rows[h].cells.iter().filter(|(_, c)| field_of(kind, &c.shown()).is_some_and(|f| f != Field::Extra)).count();
            Some((known, kind))
        })
        .collect();
    let best = scored.iter().max_by_key(|(n, _)| *n)?;
    let tied = scored.iter().filter(|(n, _)| *n == best.0).count();
    (best.0 >= 3 && tied == 1).then_some(best.1)
}

fn map_sheet(sheet: &Sheet, kind: SheetKind, problems: &mut Problems) -> Mapped {
    let at = |row: u32, column: &str| At { sheet: sheet.name.clone(), row, column: column.to_string() };
    let mut mapped = Mapped { kind, name: sheet.name.clone(), rows: Vec::new() };
    let Some(h) = header_row(sheet, kind) else { return mapped };
    let header = &sheet.rows[h];
    let mut columns: Vec<(u32, Field, String)> = Vec::new();
    for (col, cell) in &header.cells {
        let name = cell.shown().trim().to_string();
        let field = match field_of(kind, &name) {
            Some(f) if f != Field::Extra && columns.iter().any(|(_, g, _)| *g == f) => {
                problems.push(Severity::Warning, &at(header.number, &name), &name, "imp-column-twice");
                Field::Extra
            }
            Some(f) => f,
            None => {
                problems.push(Severity::Warning, &at(header.number, &name), &name, "imp-column-unknown");
                Field::Extra
            }
        };
        columns.push((*col, field, name));
    }
    let last_data_row = sheet.rows.last().map_or(0, |r| r.number);
    for ((r1, c1), (r2, c2)) in &sheet.merged {
        if *r2 > header.number && *r1 <= last_data_row {
            let column = columns.iter().find(|(c, _, _)| c == c1).map(|(_, _, n)| n.clone()).unwrap_or_default();
            problems
                .push(Severity::Warning, &at(*r1, &column), "", "imp-merged-cells")
                .arg("rows", format!("{r1}–{r2}"))
                .arg("columns", format!("{}–{}", c1 + 1, c2 + 1));
        }
    }
    let mut formula_columns: Vec<(u32, usize, u32)> = Vec::new();
    for (row, col) in sheet.formulas.iter().filter(|(r, _)| *r > header.number) {
        match formula_columns.iter_mut().find(|(c, _, _)| c == col) {
            Some(entry) => entry.1 += 1,
            None => formula_columns.push((*col, 1, *row)),
        }
    }
    for (col, n, first) in formula_columns {
        let column = columns.iter().find(|(c, _, _)| *c == col).map(|(_, _, n)| n.clone()).unwrap_or_default();
        problems.push(Severity::Warning, &at(first, &column), "", "imp-formulas").arg("count", n.to_string());
    }
    let named: std::sync::Arc<[(Field, String)]> = columns.iter().map(|(_, f, n)| (*f, n.clone())).collect();
    for row in &sheet.rows[h + 1..] {
        let mut cells = Vec::new();
        for (col, cell) in &row.cells {
            let (field, name) = match columns.iter().find(|(c, _, _)| c == col) {
                Some((_, f, n)) => (*f, n.clone()),
                None => {
                    // A value under no header: kept, and said.
                    let name = format!("#{}", col + 1);
                    problems.push(Severity::Warning, &at(row.number, &name), cell.shown(), "imp-cell-no-header");
                    (Field::Extra, name)
                }
            };
            if let Cell::Text(s) = cell {
                if looks_like_formula(s.trim_start()) {
                    problems.push(Severity::Warning, &at(row.number, &name), s.clone(), "imp-formula-text");
                }
            }
            cells.push((field, name, cell.clone()));
        }
        mapped.rows.push(MappedRow { sheet: sheet.name.clone(), number: row.number, cells, columns: named.clone() });
    }
    mapped
}

pub fn map_sheets(workbook: &Workbook, problems: &mut Problems) -> Vec<Mapped> {
    let mut out = Vec::new();
    for sheet in &workbook.sheets {
        let at = At { sheet: sheet.name.clone(), row: 0, column: String::new() };
        match SheetKind::of_sheet(&sheet.name) {
            _ if sheet.rows.is_empty() || SheetKind::is_instructions(&sheet.name) => {}
            _ if sheet.hidden => {
                problems.push(Severity::Warning, &at, "", "imp-sheet-hidden");
            }
            Some(kind) => out.push(map_sheet(sheet, kind, problems)),
            // A sheet (a CSV file) named otherwise: its headers say what it holds.
            None => match kind_by_headers(sheet) {
                Some(kind) => {
                    problems.push(Severity::Note, &at, "", "imp-sheet-kind").arg("kind", kind.as_str());
                    out.push(map_sheet(sheet, kind, problems));
                }
                None => {
                    problems.push(Severity::Warning, &at, "", "imp-sheet-unknown");
                }
            },
        }
    }
    out
}
