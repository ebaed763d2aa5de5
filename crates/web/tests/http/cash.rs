//! Government cash support through the child's page: eligible only after an institution and a
//! family placement, nothing paid before approval, no month paid twice, late payments listed,
//! totals for the manager, nothing for another organisation.

use crate::app::{child_json, each_db, PASSWORD};
use chrono::Datelike;
use krousar_domain::rci::ResidencePeriod;
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

#[tokio::test]
async fn cash_support_is_applied_for_approved_and_paid_in_order() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today();
        let d = |days: i64| today - chrono::Duration::days(days);
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), json!({"route": "rci", "opened_on": d(60).to_string()})).await;
        let (c, csrf) = app.login("worker").await;
        let url = app.url(&format!("/children/{id}/cash"));
        let post = |form: Vec<(&str, String)>| {
            let mut f = vec![("_csrf", csrf.clone())];
            f.extend(form);
            let req = c.post(&url).form(&f);
            async move { req.send().await.unwrap() }
        };
        assert!(c.get(&url).send().await.unwrap().text().await.unwrap().contains("Not eligible"));
        assert_eq!(post(vec![("action", "apply".into()), ("applied_on", d(0).to_string())]).await.status(), 422);
        let api =
            app.api_post(&w, &format!("/api/v1/children/{id}/cash"), json!({"action": "apply", "applied_on": d(0).to_string()})).await;
        assert_eq!(api.status(), 422, "the API applies the same rule");

        // The stay ends and the child goes home to the mother: eligible.
        let rci = app
            .store
            .create_rci(
                &app.supervisor.actor(),
                krousar_domain::rci::RciFields {
                    name: "Hope".into(),
                    rci_type: krousar_domain::choices::RciType::Ngo,
                    village_code: None,
                    capacity: None,
                    registration_status: krousar_domain::choices::RciRegistration::Registered,
                    note: None,
                },
            )
            .await
            .unwrap()
            .id;
        let stay = ResidencePeriod { entered: d(400), left: Some(d(40)), reason_left: Some("Reunified".into()) };
        app.store.add_residence(&app.worker.actor(), id.parse().unwrap(), rci, stay).await.unwrap();
        let home: Value = app
            .api_post(
                &w,
                "/api/v1/households",
                json!({"name": "Mother", "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": id}),
            )
            .await
            .json()
            .await
            .unwrap();
        let res = app
            .api_post(
                &w,
                &format!("/api/v1/children/{id}/case/placement"),
                json!({"kind": "mother", "household_id": home["id"], "started_on": d(39).to_string()}),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        // A recorded placement moves nobody until a supervisor approves it (issue 21): the
        // assessment and the plan first, then the placement.
        assert_eq!(
            post(vec![("action", "apply".into()), ("applied_on", d(30).to_string())]).await.status(),
            422,
            "placement not yet approved"
        );
        approve_placement(&app, id.parse().unwrap(), d(38)).await;

        let first = today.with_day(1).unwrap() - chrono::Months::new(2);
        let month_end = |m: chrono::NaiveDate| (m + chrono::Months::new(1)) - chrono::Duration::days(1);
        let pay = |from: chrono::NaiveDate| {
            vec![
                ("action", "pay".to_string()),
                ("paid_on", d(0).to_string()),
                ("amount", "100000".into()),
                ("from", from.to_string()),
                ("to", month_end(from).to_string()),
                ("paid_to", "Mother".into()),
            ]
        };
        assert_eq!(post(pay(first)).await.status(), 422, "nothing paid before approval");
        assert_eq!(post(vec![("action", "apply".into()), ("applied_on", d(30).to_string())]).await.status(), 303);
        let approve = vec![
            ("action", "approve".to_string()),
            ("approved_on", d(20).to_string()),
            ("monthly_riel", "100,000".into()),
            ("from", first.to_string()),
            ("to", (first + chrono::Months::new(12)).to_string()),
        ];
        assert_eq!(post(approve.clone()).await.status(), 303);
        assert_eq!(post(approve).await.status(), 422, "decided once");
        // The indicator counts the grant by its column, which `krousar check` proves is the state's.
        let granted = || async {
            let all: Value = app.api_get(&w, "/api/v1/indicators").await.json().await.unwrap();
            all["items"].as_array().unwrap().iter().find(|i| i["code"] == "cash_granted").unwrap()["count"]["total"].as_i64()
        };
        assert_eq!(granted().await, Some(1));
        assert_eq!(app.store.check(today).await.unwrap().counts["cash_support"], 0);
        sqlx::query("UPDATE cash_support SET granted_on = NULL").execute(app.store.pool()).await.unwrap();
        assert_eq!(granted().await, Some(0));
        let report = app.store.check(today).await.unwrap();
        assert_eq!(report.counts["cash_support"], 1, "{:?}", report.findings);
        sqlx::query("UPDATE cash_support SET granted_on = $1").bind(d(20).to_string()).execute(app.store.pool()).await.unwrap();
        assert_eq!(app.store.check(today).await.unwrap().counts["cash_support"], 0);
        assert_eq!(post(pay(first)).await.status(), 303);
        let res = post(pay(first)).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("already paid"));
        let page = c.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("2 months due and unpaid: 200,000៛"), "{page}");

        // The late list and the totals.
        let late = c.get(app.url("/cash")).send().await.unwrap().text().await.unwrap();
        assert!(late.contains("Sreypov"));
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        app.store.create_user(Who::system(), app.worker.org_id, None, "boss", "Boss", Role::Manager, &hash, "en").await.unwrap();
        let (m, _) = app.login("boss").await;
        let totals = m.get(app.url("/cash")).send().await.unwrap().text().await.unwrap();
        assert!(totals.contains("100,000៛"), "{totals}");

        // Across organisations, one child paid in a province is not a figure to show.
        let ministry = app.store.create_org(Who::system(), "MoSVY", krousar_domain::choices::OrgKind::Ministry).await.unwrap();
        app.store.create_user(Who::system(), ministry.id, None, "mosvy", "MoSVY", Role::Ministry, &hash, "en").await.unwrap();
        let (n, _) = app.login("mosvy").await;
        let national = n.get(app.url("/cash")).send().await.unwrap().text().await.unwrap();
        // (Only whole months that are over, and a hidden amount is "hidden", never "<5" riel.)
        assert!(!national.contains("&#60;5") && !national.contains("100,000៛") && !national.contains("Sreypov"), "{national}");

        let (x, _) = app.login("stranger").await;
        assert_eq!(x.get(&url).send().await.unwrap().status(), 404);
        assert!(!x.get(app.url("/cash")).send().await.unwrap().text().await.unwrap().contains("Sreypov"));
    })
    .await;
}

/// Assessment, plan and placement approved, as a supervisor does, on `on`.
async fn approve_placement(app: &crate::app::TestApp, kid: uuid::Uuid, on: chrono::NaiveDate) {
    use krousar_domain::case::entries::{validate_csi, CarePlan, Goal};
    use krousar_domain::case::{csi, ApprovalKind};
    let (worker, boss) = (app.worker.actor(), app.supervisor.actor());
    let raw: Vec<_> = csi::factors().map(|f| (f.to_string(), Some("2".to_string()), None)).collect();
    app.store.record_csi(&worker, kid, validate_csi(Some(&on.to_string()), &raw, on).unwrap()).await.unwrap();
    for kind in [ApprovalKind::Assessment, ApprovalKind::CarePlan, ApprovalKind::Placement] {
        if kind == ApprovalKind::CarePlan {
            let plan = CarePlan {
                goals: vec![Goal { domain: "education".into(), goal: "Back to school".into() }],
                child_view: None,
                family_view: None,
                review_on: on + chrono::Duration::days(200),
            };
            app.store.save_care_plan(&worker, kid, plan, on).await.unwrap();
        }
        app.store.request_approval(&crate::app::acting_on(&worker, on), kid, kind, None).await.unwrap();
        let (_, file) = app.store.case_file(&boss, kid, "test").await.unwrap();
        let pending = file.unwrap().pending(kind.code()).unwrap().id;
        app.store.decide_approval(&crate::app::acting_on(&boss, on), kid, pending, true, None).await.unwrap();
    }
}
