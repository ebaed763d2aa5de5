//! The dry run's report in the reader's language: one problem as a sentence, and the whole
//! report as a CSV file to download or to keep beside the workbook. Values from the workbook
//! are escaped so that a spreadsheet opening the report runs none of them as a formula.

use crate::i18n::Tr;
use krousar_domain::export::safe_cell;
use krousar_import::{Problem, Report, Severity};

/// What a problem says, with its arguments, in the reader's language.
pub fn message(tr: &Tr, p: &Problem) -> String {
    match p.args.as_slice() {
        [] => tr.t(&p.key),
        [(a, av)] => tr.t1(&p.key, a, av),
        [(a, av), (b, bv), ..] => tr.t2(&p.key, (a, av.clone()), (b, bv.clone())),
    }
}

pub fn severity(tr: &Tr, s: Severity) -> String {
    tr.t(match s {
        Severity::Error => "imp-severity-error",
        Severity::Warning => "imp-severity-warning",
        Severity::Note => "imp-severity-note",
    })
}

/// The report as CSV (UTF-8 with a byte-order mark, so that Excel shows Khmer).
pub fn csv(tr: &Tr, report: &Report) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let head = [
            "imp-report-severity",
            "imp-report-sheet",
            "imp-report-row",
            "imp-report-column",
            "imp-report-value",
            "imp-report-problem",
            "imp-report-fix",
        ];
        let _ = w.write_record(head.iter().map(|k| tr.t(k)));
        for p in &report.problems {
            let row = if p.row == 0 { String::new() } else { p.row.to_string() };
            let _ = w.write_record([
                severity(tr, p.severity),
                safe_cell(&p.sheet),
                row,
                safe_cell(&p.column),
                safe_cell(&p.value),
                message(tr, p),
                safe_cell(p.fix.as_deref().unwrap_or_default()),
            ]);
        }
        let _ = w.flush();
    }
    out
}
