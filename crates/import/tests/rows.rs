//! Rows as users write them, checked one problem at a time: each problem is reported once,
//! where it was written, and a row waiting only for a suggested fix comes in once it is taken.

mod common;

use krousar_import::{check, read, Context, Severity};
use std::collections::HashSet;

fn checked(csv: &str, accept_fixes: bool) -> (krousar_import::Plan, krousar_import::Report) {
    let places = common::places();
    let (users, usernames, imported) = (Vec::new(), HashSet::new(), HashSet::new());
    let ctx = Context { today: common::today(), places: &places, users: &users, usernames: &usernames, imported: &imported, accept_fixes };
    let wb = read("children.csv", csv.as_bytes()).unwrap();
    check::check("children.csv", csv.as_bytes(), &wb, &ctx, &mut |_, _| {})
}

#[test]
fn a_guessed_date_is_one_problem_with_its_fix() {
    let csv = "Child ID,Given name (Latin),Sex,Date of birth\nA,Dara,M,03/25/2014\nB,Sokha,,2014\nC,Vanna,X,31/02/2014\n";
    let (plan, report) = checked(csv, false);
    let got: Vec<(u32, &str, &str)> = report.problems.iter().map(|p| (p.row, p.column.as_str(), p.key.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (2, "Date of birth", "imp-date-month-first"),
            // A sex left blank is the form's own message; an unknown one is said in the workbook's words.
            (3, "Sex", "err-required"),
            (4, "Date of birth", "imp-date-impossible"),
            (4, "Sex", "imp-sex-unknown"),
        ]
    );
    assert!(plan.children.is_empty());
    assert_eq!(report.problems[0].fix.as_deref(), Some("2014-03-25"));
    assert!(report.problems.iter().all(|p| p.severity == Severity::Error));
    let (plan, _) = checked(csv, true);
    assert_eq!(plan.children.len(), 1, "row 2 comes in with its fix; rows 3 and 4 need the workbook corrected");
    assert_eq!(plan.children[0].fields.date_of_birth.unwrap().to_string(), "2014-03-25");
}

#[test]
fn a_csv_named_otherwise_is_read_by_its_headers() {
    let csv = "Child ID,Given name (Latin),Sex,Date of birth\nA,Dara,M,2014-03-25\n";
    let places = common::places();
    let (users, usernames, imported) = (Vec::new(), HashSet::new(), HashSet::new());
    let ctx =
        Context { today: common::today(), places: &places, users: &users, usernames: &usernames, imported: &imported, accept_fixes: false };
    let wb = read("export from our database.csv", csv.as_bytes()).unwrap();
    let (plan, report) = check::check("x.csv", csv.as_bytes(), &wb, &ctx, &mut |_, _| {});
    assert_eq!(plan.children.len(), 1);
    assert_eq!(report.problems.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), vec!["imp-sheet-kind"]);
}
