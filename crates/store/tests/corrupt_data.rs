//! Corrupt data is an error that says where, never a silent default: a case entry whose body is
//! not JSON, an organisation's case settings that cannot be read (deadlines would otherwise be
//! computed from the defaults without a word), a date that is no date, an unknown code.

mod support;

use krousar_domain::case::entries::*;
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::choices::OrgKind;
use krousar_domain::Role;
use krousar_store::{Store, StoreError, Who};
use support::{child, d};

fn corrupt(e: StoreError) -> String {
    match e {
        StoreError::Corrupt(msg) => msg,
        other => panic!("expected corrupt data to be reported, got {other:?}"),
    }
}

async fn a_case(store: &Store) -> (krousar_domain::Actor, uuid::Uuid, uuid::Uuid) {
    let org = store.create_org(Who::system(), "Corrupt NGO", OrgKind::Ngo).await.unwrap();
    let worker = store.create_user(Who::system(), org.id, None, "worker", "Worker", Role::SocialWorker, "x", "km").await.unwrap().actor();
    let kid = store.register_child(&worker, child()).await.unwrap();
    let intake = IntakeInput { route: Some("rci".into()), opened_on: Some("2026-01-10".into()), ..Default::default() };
    store.open_case(&worker, kid.id, intake.validate(d("2026-01-10")).unwrap()).await.unwrap();
    (worker, kid.id, org.id)
}

#[tokio::test]
async fn an_unreadable_case_entry_is_reported_with_its_id() {
    for store in support::stores("corrupt_entry").await {
        let (worker, kid, _) = a_case(&store).await;
        assert!(store.case_file(&worker, kid, "test").await.unwrap().1.is_some());
        let id: String = sqlx::query_scalar("SELECT id FROM case_entries WHERE child_id = $1")
            .bind(kid.to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE case_entries SET body = '{\"route\": ' WHERE id = $1").bind(&id).execute(store.pool()).await.unwrap();
        let msg = corrupt(store.case_file(&worker, kid, "test").await.unwrap_err());
        assert!(msg.contains(&id) && msg.contains("body"), "{msg}");
    }
}

#[tokio::test]
async fn unreadable_case_settings_stop_the_work_instead_of_using_the_defaults() {
    for store in support::stores("corrupt_settings").await {
        let (worker, kid, org) = a_case(&store).await;
        sqlx::query("UPDATE organisations SET case_settings = '{\"first_contact_days\": \"soon\"}' WHERE id = $1")
            .bind(org.to_string())
            .execute(store.pool())
            .await
            .unwrap();
        let msg = corrupt(store.case_settings(org).await.unwrap_err());
        assert!(msg.contains("case_settings"), "{msg}");
        let risk = Risk { level: RiskLevel::High, reasons: "no food".into(), assessed_on: d("2026-01-12") };
        corrupt(store.record_risk(&worker, kid, risk).await.unwrap_err());
        // Nothing was written by the refused step.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_entries WHERE child_id = $1 AND kind = 'risk'")
            .bind(kid.to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
}

#[tokio::test]
async fn a_date_that_is_no_date_is_named_not_dropped() {
    for store in support::stores("corrupt_date").await {
        let (worker, kid, _) = a_case(&store).await;
        sqlx::query("UPDATE children SET date_of_birth = '2014-13-45' WHERE id = $1")
            .bind(kid.to_string())
            .execute(store.pool())
            .await
            .unwrap();
        let msg = corrupt(store.view_child(&worker, kid, "test").await.unwrap_err());
        assert!(msg.contains("date_of_birth") && msg.contains("2014-13-45"), "{msg}");
    }
}

#[tokio::test]
async fn check_reads_every_case_record_and_its_report_columns() {
    for store in support::stores("corrupt_check").await {
        let (worker, kid, _) = a_case(&store).await;
        let attempt = krousar_domain::case::family::TracingAttemptInput {
            attempted_on: Some("2026-01-11".into()),
            method: Some("visit".into()),
            outcome: Some("found".into()),
            ..Default::default()
        };
        let a = attempt.validate(d("2026-01-11")).unwrap();
        store.record_tracing_attempt(&worker, kid, a).await.unwrap();
        let clean = store.check(d("2026-01-12")).await.unwrap();
        assert_eq!(clean.counts["case_entries"], 0, "{:?}", clean.findings);
        assert!(clean.checked["case_entries"] >= 2);
        // The column an indicator counts by no longer says what the record says.
        sqlx::query("UPDATE case_entries SET tracing_outcome = 'not_found' WHERE kind = 'tracing_attempt'")
            .execute(store.pool())
            .await
            .unwrap();
        // And another record is not one at all.
        sqlx::query("UPDATE case_entries SET body = '{}' WHERE kind = 'intake'").execute(store.pool()).await.unwrap();
        let report = store.check(d("2026-01-12")).await.unwrap();
        assert_eq!(report.counts["case_entries"], 2, "{:?}", report.findings);
        let details: Vec<&str> = report.findings.iter().filter(|f| f.rule == "case_entries").map(|f| f.detail.as_str()).collect();
        assert!(details.iter().any(|d| d.contains("tracing_outcome")), "{details:?}");
        assert!(details.iter().any(|d| d.contains("cannot be read") && d.contains("intake")), "{details:?}");
    }
}
