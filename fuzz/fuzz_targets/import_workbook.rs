//! A workbook to import, from anywhere (an administrator's upload): any bytes — as XLSX when
//! they are a zip, else as CSV — are refused with a reason or checked into a plan and a report
//! that hold together: every problem names a sheet of the workbook and a row it has, every
//! planned child passed the form's validation, nothing planned twice. Never a panic or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::OnceLock;

fn places() -> &'static krousar_import::places::Places {
    static P: OnceLock<krousar_import::places::Places> = OnceLock::new();
    P.get_or_init(|| {
        let tsv = include_str!("../../crates/store/data/gazetteer-ncdd-2025.tsv");
        let entries = tsv
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() >= 4).then(|| krousar_import::places::PlaceEntry { code: f[0].into(), name_km: f[2].into(), name_latin: f[3].into() })
            })
            .collect();
        krousar_import::places::Places::new(entries)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(wb) = krousar_import::read("children.csv", data) else { return };
    let (users, usernames, imported) = (Vec::new(), HashSet::new(), HashSet::new());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    for accept_fixes in [false, true] {
        let ctx = krousar_import::Context { today, places: places(), users: &users, usernames: &usernames, imported: &imported, accept_fixes };
        let (plan, report) = krousar_import::check("children.csv", data, &wb, &ctx, &mut |d, t| assert!(d <= t));
        for p in &report.problems {
            let sheet = wb.sheets.iter().find(|s| s.name == p.sheet);
            assert!(p.sheet.is_empty() || sheet.is_some(), "problem on an unknown sheet {:?}", p.sheet);
            if let (Some(s), true) = (sheet, p.row > 0) {
                assert!(s.rows.iter().any(|r| r.number == p.row), "problem on a row the sheet lacks: {}", p.row);
            }
        }
        let ids: HashSet<&str> = plan.children.iter().map(|c| c.external_id.as_str()).collect();
        assert_eq!(ids.len(), plan.children.len(), "a child planned twice");
        for c in &plan.children {
            assert!(c.fields.given_name_km.is_some() || c.fields.given_name_latin.is_some());
            assert!(c.fields.village_code.as_deref().is_none_or(|v| v.len() == 8));
        }
        if !accept_fixes {
            assert!(report.importable(false) || report.errors() > 0);
        }
    }
});
