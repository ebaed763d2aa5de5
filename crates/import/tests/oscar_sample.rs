//! OSCaR's own sample organisation workbook (`shared/data/oscar-import-sample`), checked as an
//! organisation moving from OSCaR would check it: exactly which rows need attention, and why.

mod common;

use krousar_import::{check, read, Context, Severity};
use std::collections::HashSet;

#[test]
fn oscar_sample_report() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/oscar-import-sample/dev_tenant.xlsx");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("shared/ not beside the checkout; skipping the OSCaR sample");
        return;
    };
    let wb = read("dev_tenant.xlsx", &bytes).unwrap();
    let places = common::places();
    let (users, usernames, imported) = (Vec::new(), HashSet::new(), HashSet::new());
    let ctx =
        Context { today: common::today(), places: &places, users: &users, usernames: &usernames, imported: &imported, accept_fixes: false };
    let (plan, report) = check::check("dev_tenant.xlsx", &bytes, &wb, &ctx, &mut |_, _| {});
    let got: Vec<(Severity, &str, u32, &str, &str)> =
        report.problems.iter().map(|p| (p.severity, p.sheet.as_str(), p.row, p.column.as_str(), p.key.as_str())).collect();
    use Severity::{Error, Note, Warning};
    let district = "Address - District/Khan";
    let worker = "* Case Worker / Staff";
    assert_eq!(
        got,
        vec![
            // No ID column in clients: IDs made from name and birth date, so a second run finds them.
            (Note, "clients", 0, "", "imp-ids-made"),
            // "Tuek Thla" is a sangkat of Phnom Penh, not a khan: found one level down.
            (Error, "clients", 2, district, "imp-place-wrong-level"),
            // The worker's name says Darren, the worker ID says Staff1 (Maisy Hudson).
            (Warning, "clients", 2, worker, "imp-worker-mismatch"),
            (Error, "clients", 3, district, "imp-place-wrong-level"),
            (Warning, "clients", 3, worker, "imp-worker-mismatch"),
            (Warning, "clients", 4, worker, "imp-worker-mismatch"),
            // Khan Praek Pnov, no commune or village: the address stops at the khan.
            (Note, "clients", 4, "Address - Village", "imp-place-coarse"),
            (Warning, "clients", 5, worker, "imp-worker-mismatch"),
            (Note, "clients", 5, "Address - Village", "imp-place-coarse"),
            // "Toul Kork": the gazetteer writes Tuol Kouk.
            (Error, "clients", 6, district, "imp-place-unknown"),
            (Warning, "clients", 6, worker, "imp-worker-mismatch"),
            (Warning, "clients", 7, worker, "imp-worker-mismatch"),
            (Warning, "clients", 8, worker, "imp-worker-mismatch"),
            (Warning, "clients", 9, worker, "imp-worker-mismatch"),
            (Note, "families", 0, "", "imp-ids-made"),
            // Bona and Duch share the case worker ID Admin5.
            (Error, "users", 7, "*Case Worker ID", "imp-duplicate-id"),
        ]
    );
    let fix = |row: u32| report.problems.iter().find(|p| p.row == row && p.severity == Error).and_then(|p| p.fix.clone()).unwrap();
    assert!(fix(2).ends_with("Tuek Thla (120802)"), "{}", fix(2));
    assert!(fix(6).ends_with("Tuol Kouk (1204)"), "{}", fix(6));
    assert_eq!(fix(7), "Admin5-7");
    assert!(!report.importable(false));
    assert!(report.importable(true));
    // "Preah Vihear / Phal Hal / Phearekech" is the village Peareakkech of sangkat Pal Hal.
    let masuma = plan.children.iter().find(|c| c.fields.given_name_latin.as_deref() == Some("Masuma")).unwrap();
    assert_eq!(masuma.fields.village_code.as_deref(), Some("13080205"));
    assert_eq!(masuma.case.as_ref().unwrap().referral_source.unwrap().code(), "police");
    assert_eq!(masuma.fields.date_of_birth.unwrap().to_string(), "2004-02-02");
    assert_eq!(plan.staff.len(), 9 - 1, "the second Admin5 waits for its fix");

    // Accepting the fixes: every row comes in, the addresses as suggested.
    let ctx = Context { accept_fixes: true, ..ctx };
    let (plan, report) = check::check("dev_tenant.xlsx", &bytes, &wb, &ctx, &mut |_, _| {});
    assert!(report.importable(true));
    assert_eq!((plan.staff.len(), plan.households.len(), plan.children.len()), (9, 5, 8));
    let carl = plan.children.iter().find(|c| c.fields.given_name_latin.as_deref() == Some("Carl")).unwrap();
    assert_eq!(carl.area_code.as_deref(), Some("120802"));
    assert_eq!(carl.worker, krousar_import::check::Worker::Imported("Staff1".into()));
    assert!(carl.household.is_some());
    assert_eq!(carl.extra.get("referral_source").and_then(|v| v.as_str()), Some("Family"));
    // Carl's family, the Jolie Pitts, is "Extended Family / Kinship Care": he lives with a family.
    assert_eq!(carl.fields.living_arrangement, krousar_domain::choices::LivingArrangement::WithFamily);
    let jolie = plan.households.iter().find(|h| h.fields.name == "Jolie Pitt").unwrap();
    assert_eq!(jolie.extra.get("family_type").and_then(|v| v.as_str()), Some("Extended Family / Kinship Care"));
}
