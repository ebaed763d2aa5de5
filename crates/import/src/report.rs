//! The dry run's report: every problem with its sheet, row, column and value, what is wrong
//! (a message key, shown in the reader's language) and, where there is one clear answer, the
//! fix the user may accept. Errors stop the import unless their fix is accepted; warnings and
//! notes do not.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row cannot be imported as written.
    Error,
    /// Imported, but the user should know (a guess was made, a value was kept aside).
    Warning,
    /// For information (a column kept as extra data, an ID made up).
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub severity: Severity,
    pub sheet: String,
    /// The row the user sees (1-based); 0 for the sheet as a whole.
    pub row: u32,
    /// The column's header as written ("" for the row or sheet as a whole).
    pub column: String,
    pub value: String,
    /// The message key (`imp-*`), with `args` filled in.
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
    /// The value that accepting the suggestion would use instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// How many records of each kind a file would create, and how many it found already imported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub staff: usize,
    pub households: usize,
    pub children: usize,
    pub cases: usize,
    /// Rows whose ID an earlier import of this organisation already brought in.
    pub already_imported: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// sha256 of the file checked, so the import runs on exactly what was checked.
    pub file_sha256: String,
    pub file_name: String,
    /// "krousar" or "oscar".
    pub layout: String,
    pub rows_read: usize,
    pub counts: Counts,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }

    /// Errors that accepting every suggested fix would still leave.
    pub fn errors_without_fix(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error && p.fix.is_none()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Warning).count()
    }

    /// Whether the file may be imported (with `accept_fixes` when the user took the suggestions).
    pub fn importable(&self, accept_fixes: bool) -> bool {
        if accept_fixes {
            self.errors_without_fix() == 0
        } else {
            self.errors() == 0
        }
    }

    /// Sort problems by sheet, row and severity (they are found sheet by sheet, pass by pass).
    pub fn sort(&mut self) {
        self.problems.sort_by(|a, b| (&a.sheet, a.row, a.severity, &a.column).cmp(&(&b.sheet, b.row, b.severity, &b.column)));
    }
}

/// Collects problems while a workbook is checked.
#[derive(Debug, Default)]
pub struct Problems {
    pub list: Vec<Problem>,
}

impl Problems {
    pub fn push(&mut self, severity: Severity, at: &At, value: impl Into<String>, key: &str) -> &mut Problem {
        self.list.push(Problem {
            severity,
            sheet: at.sheet.clone(),
            row: at.row,
            column: at.column.clone(),
            value: value.into(),
            key: key.to_string(),
            args: Vec::new(),
            fix: None,
        });
        self.list.last_mut().expect("pushed")
    }
}

impl Problem {
    pub fn arg(&mut self, name: &str, value: impl Into<String>) -> &mut Problem {
        self.args.push((name.to_string(), value.into()));
        self
    }

    pub fn fix(&mut self, value: impl Into<String>) -> &mut Problem {
        self.fix = Some(value.into());
        self
    }
}

/// Where a problem is: sheet, row, column header.
#[derive(Debug, Clone, Default)]
pub struct At {
    pub sheet: String,
    pub row: u32,
    pub column: String,
}
