//! Bringing an organisation's records into Krousar from workbooks: Krousar's own template and
//! OSCaR's import template, as XLSX or CSV. This crate reads and checks (the dry run) and says
//! what it would create; the store writes the plan in one transaction.

pub mod check;
pub mod columns;
mod csv_sheet;
pub mod dates;
pub mod form_answers;
mod inflate;
pub mod places;
pub mod report;
pub mod values;
pub mod workbook;

pub use check::{check, Context, KnownUser, Plan};
pub use report::{Problem, Report, Severity};
pub use workbook::{read, ReadError, Workbook};
