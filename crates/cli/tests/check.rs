//! `krousar check` (issue 21): passes on a generated nation, and finds each invariant broken on
//! purpose — one damage at a time, undone before the next — with exit status 1 and the rule
//! named in its JSON report. On SQLite, and on PostgreSQL when configured.

mod common;

use krousar_store::Store;
use serde_json::Value;

/// `krousar check --json`: (exit success, the rules with findings).
fn check(db: &str) -> (bool, Vec<String>, Value) {
    let out = common::run(db, &["check", "--json"], "");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let broken = report["counts"].as_object().unwrap().iter().filter(|(_, n)| n.as_i64() != Some(0)).map(|(k, _)| k.clone()).collect();
    (out.status.success(), broken, report)
}

async fn exec(pool: &sqlx::AnyPool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn one(pool: &sqlx::AnyPool, sql: &str) -> String {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Damage the database with `damage`, expect `rule` among the findings (and a failing exit),
/// then `repair` it and expect a clean report again.
async fn finds(db: &str, pool: &sqlx::AnyPool, rule: &str, damage: &[String], repair: &[String]) {
    for sql in damage {
        exec(pool, sql).await;
    }
    let (ok, broken, report) = check(db);
    assert!(!ok, "{rule}: check passed a damaged database");
    assert!(broken.iter().any(|b| b == rule), "{rule} not found: {broken:?}\n{report}");
    let finding = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).unwrap();
    assert!(!finding["detail"].as_str().unwrap().is_empty() && !finding["record"].as_str().unwrap().is_empty());
    for sql in repair {
        exec(pool, sql).await;
    }
    let (ok, broken, report) = check(db);
    assert!(ok, "after repairing {rule}: {broken:?}\n{report}");
}

async fn walk(db: &str) {
    common::ok(db, &["gen-data", "--orgs", "2", "--children", "600", "--cases", "300"], "");
    let (ok, broken, report) = check(db);
    assert!(ok, "a generated nation tells one story: {broken:?}\n{report}");
    assert!(report["checked"]["living_record"].as_i64().unwrap() >= 600, "{report}");
    assert!(report["checked"]["placement_ends_stay"].as_i64().unwrap() > 0, "the nation has placements to check");
    let readable = common::ok(db, &["check"], "");
    assert!(readable.contains("ok   living_record"), "{readable}");

    let store = Store::connect(db).await.unwrap();
    let pool = store.pool().clone();
    // A child living with her family, no stay, no case.
    let home = one(&pool, "SELECT c.id FROM children c WHERE c.living_arrangement = 'with_family' AND c.id NOT IN (SELECT child_id FROM residence_periods) AND c.id NOT IN (SELECT child_id FROM cases) ORDER BY c.id LIMIT 1").await;
    // A child in an RCI (her open stay) and the RCI.
    let resident = one(&pool, "SELECT child_id FROM residence_periods WHERE left_on IS NULL ORDER BY child_id LIMIT 1").await;
    let rci = one(&pool, &format!("SELECT rci_id FROM residence_periods WHERE child_id = '{resident}' AND left_on IS NULL")).await;
    // A child placed in a family whose stay ended with the placement.
    let placed = one(&pool, "SELECT p.child_id FROM residence_periods p JOIN cases k ON k.child_id = p.child_id WHERE p.left_on IS NOT NULL AND k.placement_approved = 1 ORDER BY p.child_id LIMIT 1").await;
    let left = one(&pool, &format!("SELECT left_on FROM residence_periods WHERE child_id = '{placed}'")).await;
    let placed_rci = one(&pool, &format!("SELECT rci_id FROM residence_periods WHERE child_id = '{placed}'")).await;
    // A done visit and an open one of the same child.
    let visited = one(&pool, "SELECT v.child_id FROM follow_up_visits v WHERE v.done_on IS NOT NULL AND EXISTS (SELECT 1 FROM follow_up_visits o WHERE o.child_id = v.child_id AND o.done_on IS NULL) ORDER BY v.child_id LIMIT 1").await;
    let done = one(
        &pool,
        &format!("SELECT id FROM follow_up_visits WHERE child_id = '{visited}' AND done_on IS NOT NULL ORDER BY due_on LIMIT 1"),
    )
    .await;
    let (done_on, entry) = (
        one(&pool, &format!("SELECT done_on FROM follow_up_visits WHERE id = '{done}'")).await,
        one(&pool, &format!("SELECT visit_entry_id FROM follow_up_visits WHERE id = '{done}'")).await,
    );
    let open =
        one(&pool, &format!("SELECT id FROM follow_up_visits WHERE child_id = '{visited}' AND done_on IS NULL ORDER BY due_on LIMIT 1"))
            .await;
    let (case_child, stage) =
        (one(&pool, "SELECT child_id FROM cases WHERE stage = 'assessment' ORDER BY child_id LIMIT 1").await, "assessment");

    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // The record says "in an RCI" with no stay behind it.
    finds(
        db,
        &pool,
        "living_record",
        &s(&[&format!("UPDATE children SET living_arrangement = 'in_rci', rci_id = '{rci}' WHERE id = '{home}'")]),
        &s(&[&format!("UPDATE children SET living_arrangement = 'with_family', rci_id = NULL WHERE id = '{home}'")]),
    )
    .await;
    // Two stays open at once.
    finds(db, &pool, "stays_overlap", &s(&[&format!("INSERT INTO residence_periods (id, child_id, rci_id, entered, created_at) VALUES ('dmg-overlap', '{resident}', '{rci}', '2001-01-01', 'x')")]),
        &s(&["DELETE FROM residence_periods WHERE id = 'dmg-overlap'"])).await;
    // A stay that ends before it began.
    finds(
        db,
        &pool,
        "stay_dates",
        &s(&[&format!("UPDATE residence_periods SET left_on = '1990-01-01' WHERE child_id = '{placed}'")]),
        &s(&[&format!("UPDATE residence_periods SET left_on = '{left}' WHERE child_id = '{placed}'")]),
    )
    .await;
    // Placed with her family, yet the stay she left is still open (and the record follows it).
    finds(
        db,
        &pool,
        "placement_ends_stay",
        &s(&[
            &format!("UPDATE residence_periods SET left_on = NULL WHERE child_id = '{placed}'"),
            &format!("UPDATE children SET living_arrangement = 'in_rci', rci_id = '{placed_rci}' WHERE id = '{placed}'"),
        ]),
        &s(&[
            &format!("UPDATE residence_periods SET left_on = '{left}' WHERE child_id = '{placed}'"),
            &format!("UPDATE children SET living_arrangement = 'with_family', rci_id = NULL WHERE id = '{placed}'"),
        ]),
    )
    .await;
    // A fact without its record: a care plan no one wrote.
    let unplanned = one(&pool, "SELECT child_id FROM cases WHERE has_care_plan = 0 ORDER BY child_id LIMIT 1").await;
    finds(
        db,
        &pool,
        "case_facts",
        &s(&[&format!("UPDATE cases SET has_care_plan = 1 WHERE child_id = '{unplanned}'")]),
        &s(&[&format!("UPDATE cases SET has_care_plan = 0 WHERE child_id = '{unplanned}'")]),
    )
    .await;
    // A stage its facts do not give.
    finds(
        db,
        &pool,
        "stage",
        &s(&[&format!("UPDATE cases SET stage = 'follow_up' WHERE child_id = '{case_child}'")]),
        &s(&[&format!("UPDATE cases SET stage = '{stage}' WHERE child_id = '{case_child}'")]),
    )
    .await;
    // One visit fulfilling two due visits.
    finds(
        db,
        &pool,
        "visit_once",
        &s(&[&format!("UPDATE follow_up_visits SET done_on = '{done_on}', visit_entry_id = '{entry}' WHERE id = '{open}'")]),
        &s(&[&format!("UPDATE follow_up_visits SET done_on = NULL, visit_entry_id = NULL WHERE id = '{open}'")]),
    )
    .await;
    // A due visit marked done on a day no visit was made.
    finds(
        db,
        &pool,
        "visit_window",
        &s(&[&format!("UPDATE follow_up_visits SET done_on = '2000-01-01' WHERE id = '{done}'")]),
        &s(&[&format!("UPDATE follow_up_visits SET done_on = '{done_on}' WHERE id = '{done}'")]),
    )
    .await;
    // A case left behind on a record merged into another.
    finds(
        db,
        &pool,
        "merged_reference",
        &s(&[&format!("UPDATE children SET merged_into = '{home}' WHERE id = '{case_child}'")]),
        &s(&[&format!("UPDATE children SET merged_into = NULL WHERE id = '{case_child}'")]),
    )
    .await;
    // A form's answer kept on a child's record when the form is for households.
    let org = one(&pool, &format!("SELECT org_id FROM children WHERE id = '{home}'")).await;
    let user = one(&pool, &format!("SELECT id FROM users WHERE org_id = '{org}' ORDER BY id LIMIT 1")).await;
    let (form, version, answer) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    finds(
        db,
        &pool,
        "form_answer_owner",
        &s(&[
            &format!("INSERT INTO custom_forms (id, org_id, draft, created_at, updated_at, target) VALUES ('{form}', '{org}', '{{}}', 'x', 'x', 'household')"),
            &format!("INSERT INTO custom_form_versions (id, form_id, number, definition, published_at) VALUES ('{version}', '{form}', 1, '{{}}', 'x')"),
            &format!(
                "INSERT INTO record_form_answers (id, org_id, form_id, version_id, child_id, answered_on, body, recorded_by, recorded_at) \
                 VALUES ('{answer}', '{org}', '{form}', '{version}', '{home}', '2026-01-01', '{{}}', '{user}', 'x')"
            ),
        ]),
        &s(&[
            &format!("DELETE FROM record_form_answers WHERE id = '{answer}'"),
            &format!("DELETE FROM custom_form_versions WHERE id = '{version}'"),
            &format!("DELETE FROM custom_forms WHERE id = '{form}'"),
        ]),
    )
    .await;
    // A case opened in the future: the figures page counts every case not closed, the
    // dashboard's indicator those opened by today — one figure, two answers.
    let opened = one(&pool, &format!("SELECT opened_on FROM cases WHERE child_id = '{case_child}'")).await;
    finds(
        db,
        &pool,
        "figures_agree",
        &s(&[&format!("UPDATE cases SET opened_on = '2999-01-01' WHERE child_id = '{case_child}'")]),
        &s(&[&format!("UPDATE cases SET opened_on = '{opened}' WHERE child_id = '{case_child}'")]),
    )
    .await;
    // An audit entry changed after the fact (not repaired: the last damage).
    // (Someone able to drop the table's guard: SQLite's trigger, PostgreSQL's.)
    let guard =
        if db.starts_with("sqlite:") { "DROP TRIGGER audit_log_no_update" } else { "DROP TRIGGER audit_log_no_change ON audit_log" };
    exec(&pool, guard).await;
    exec(&pool, "UPDATE audit_log SET detail = '{}' WHERE seq = 3").await;
    let (ok, broken, _) = check(db);
    assert!(!ok && broken == ["audit_chain"], "{broken:?}");
    store.close().await;
}

#[tokio::test]
async fn check_passes_on_a_generated_nation_and_finds_every_damage() {
    let dir = std::env::temp_dir().join(format!("krousar-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    walk(&format!("sqlite://{}", dir.join("k.db").display())).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(pg) = common::postgres_database("check").await {
        walk(&pg).await;
    }
}
