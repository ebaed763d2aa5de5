//! Which due visit a follow-up visit fulfils (issue 21, item 2): the one nearest to it within
//! the organisation's window, never "the next open one whatever its date". The story:
//! placed on 5 December, two visits on 6 December took the February and April visits and made
//! June "next" — six months without a visit for a medium-risk child.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use chrono::NaiveDate;
use krousar_domain::case::entries::{validate_csi, CarePlan, Goal, Placement, PlacementType};
use krousar_domain::case::{csi, ApprovalKind};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A medium-risk child placed with her mother on 5 December 2025, the placement approved:
/// visits due every two months from 5 February 2026. Returns the case's API path.
async fn placed_on_5_december(app: &TestApp, w: &str) -> String {
    placed_on_5_december_in(app, w, PlacementType::Mother).await
}

/// The same child placed on 5 December 2025 in a placement of type `kind`.
async fn placed_on_5_december_in(app: &TestApp, w: &str, kind: PlacementType) -> String {
    let child: Value = app.api_post(w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
    let id = child["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/children/{id}/case");
    assert_eq!(
        app.api_post(w, &format!("{base}/open"), json!({"route": "report", "referral_source": "police", "opened_on": "2025-11-20"}))
            .await
            .status(),
        201
    );
    let risk = json!({"level": "medium", "reasons": "No school", "assessed_on": "2025-11-21"});
    assert_eq!(app.api_post(w, &format!("{base}/risk"), risk).await.status(), 200);
    let (worker, boss) = (app.worker.actor(), app.supervisor.actor());
    let kid = id.parse().unwrap();
    let raw: Vec<_> = csi::factors().map(|f| (f.to_string(), Some("2".to_string()), None)).collect();
    app.store.record_csi(&worker, kid, validate_csi(Some("2025-11-25"), &raw, d("2025-11-25")).unwrap()).await.unwrap();
    let approve = |kind: ApprovalKind, on: &'static str| {
        let (store, worker, boss) = (app.store.clone(), worker.clone(), boss.clone());
        async move {
            store.request_approval(&crate::app::acting_on(&worker, d(on)), kid, kind, None).await.unwrap();
            let (_, file) = store.case_file(&boss, kid, "test").await.unwrap();
            let pending = file.unwrap().pending(kind.code()).unwrap().id;
            store.decide_approval(&crate::app::acting_on(&boss, d(on)), kid, pending, true, None).await.unwrap();
        }
    };
    approve(ApprovalKind::Assessment, "2025-11-26").await;
    let plan = CarePlan {
        goals: vec![Goal { domain: "education".into(), goal: "Back to school".into() }],
        child_view: None,
        family_view: None,
        review_on: d("2026-05-01"),
    };
    app.store.save_care_plan(&worker, kid, plan, d("2025-11-27")).await.unwrap();
    approve(ApprovalKind::CarePlan, "2025-11-28").await;
    let placement = Placement { kind, household_id: None, started_on: d("2025-12-05"), justification: None, rci_id: None };
    app.store.record_placement(&worker, kid, placement).await.unwrap();
    approve(ApprovalKind::Placement, "2025-12-05").await;
    base
}

async fn visit(app: &TestApp, w: &str, base: &str, on: &str) {
    let res = app.api_post(w, &format!("{base}/visit"), json!({"visited_on": on, "school": "regular", "child_seen": true})).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// (due, done) of every due visit, in order.
async fn schedule(app: &TestApp, w: &str, base: &str) -> Vec<(String, Option<String>)> {
    let file: Value = app.api_get(w, base).await.json().await.unwrap();
    let visits = file["visits"].as_array().unwrap_or_else(|| panic!("{file}"));
    visits.iter().map(|v| (v["due_on"].as_str().unwrap().to_string(), v["done_on"].as_str().map(String::from))).collect()
}

fn next_due(s: &[(String, Option<String>)]) -> &str {
    s.iter().find(|(_, done)| done.is_none()).map(|(due, _)| due.as_str()).unwrap()
}

#[tokio::test]
async fn early_extra_visits_leave_the_next_due_date_where_it_was() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let base = placed_on_5_december(&app, &w).await;
        assert_eq!(next_due(&schedule(&app, &w, &base).await), "2026-02-05");
        visit(&app, &w, &base, "2025-12-06").await;
        visit(&app, &w, &base, "2025-12-06").await;
        let s = schedule(&app, &w, &base).await;
        assert!(s.iter().all(|(_, done)| done.is_none()), "the visits of 6 December fulfil no due visit: {s:?}");
        assert_eq!(next_due(&s), "2026-02-05");
        // The worker's list (open due visits) agrees: February is overdue by now.
        let list: Value = app.api_get(&w, "/api/v1/worklist").await.json().await.unwrap();
        let visits: Vec<&str> =
            list["due"].as_array().unwrap().iter().filter(|i| i["what"] == "visit").filter_map(|i| i["due_on"].as_str()).collect();
        assert!(visits.contains(&"2026-02-05"), "{list}");
        // Extra visits fulfil nothing, yet she was visited in December: the figure says so.
        let api: Value = app.api_get(&w, "/api/v1/indicators?from=2025-12-01&to=2025-12-31").await.json().await.unwrap();
        let visited = api["items"].as_array().unwrap().iter().find(|i| i["code"] == "visited").unwrap_or_else(|| panic!("{api}"));
        assert_eq!(visited["count"]["total"].as_i64(), Some(1), "{visited}");
        // 3 February fulfils February's visit; the next one is April's.
        visit(&app, &w, &base, "2026-02-03").await;
        let s = schedule(&app, &w, &base).await;
        assert_eq!(s[0], ("2026-02-05".to_string(), Some("2026-02-03".to_string())));
        assert_eq!(next_due(&s), "2026-04-05");

        // The window is the organisation's: shown on the case settings page in both languages,
        // and a narrower one makes a visit two days early an extra one.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        app.store.create_user(Who::system(), app.worker.org_id, None, "adminkm", "Admin", Role::OrgAdmin, &hash, "km").await.unwrap();
        let (km, _) = app.login("adminkm").await;
        let page = km.get(app.url("/admin/case-settings")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("ការចុះតាមដានបន្ថែម") && page.contains("name=\"visit_window\" value=\"30\""), "{page}");
        let (a, csrf) = app.login("admin").await;
        let page = a.get(app.url("/admin/case-settings")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("otherwise it is an extra visit"));
        let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf)];
        for (i, (c, v)) in [(1, 1), (3, 2), (7, 3), (14, 6)].iter().enumerate() {
            form.push((format!("contact_{i}"), c.to_string()));
            form.push((format!("visit_{i}"), v.to_string()));
        }
        form.extend([("reassessment".into(), "6".into()), ("follow_up".into(), "24".into())]);
        for (bad, status) in [("0", 422), ("61", 422), ("soon", 422), ("1", 303)] {
            let mut f = form.clone();
            f.push(("visit_window".into(), bad.into()));
            assert_eq!(a.post(app.url("/admin/case-settings")).form(&f).send().await.unwrap().status(), status, "window {bad}");
        }
        assert_eq!(app.store.case_settings(app.worker.org_id).await.unwrap().visit_window_days, 1);
        visit(&app, &w, &base, "2026-04-03").await;
        assert_eq!(next_due(&schedule(&app, &w, &base).await), "2026-04-05", "two days early, with a window of one day");
        visit(&app, &w, &base, "2026-04-06").await;
        let s = schedule(&app, &w, &base).await;
        assert_eq!(s[1], ("2026-04-05".to_string(), Some("2026-04-06".to_string())));
        assert_eq!(next_due(&s), "2026-06-05");
    })
    .await;
}

/// Visits as they happen (issue 25): a DoSVY officer's phone call on the organisation's behalf
/// is recorded as such, counted by who and how, and emergency foster care is visited monthly
/// whatever the risk — a rhythm the organisation sets by placement type.
#[tokio::test]
async fn a_visit_says_who_made_it_and_how_and_the_rhythm_follows_the_placement() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let base = placed_on_5_december_in(&app, &w, PlacementType::FosterShort).await;
        // Medium risk alone would mean every two months; emergency foster care is monthly.
        let s = schedule(&app, &w, &base).await;
        assert_eq!(next_due(&s), "2026-01-05", "{s:?}");
        assert_eq!(s[1].0, "2026-02-05");

        // Someone other than the case's worker must be named; nothing is written otherwise.
        let entries = |file: &Value| file["timeline"].as_array().map_or(0, Vec::len);
        let before: Value = app.api_get(&w, &base).await.json().await.unwrap();
        let call = json!({"visited_on": "2026-01-06", "school": "regular", "visited_by": "dosvy", "mode": "phone"});
        let res = app.api_post(&w, &format!("{base}/visit"), call.clone()).await;
        assert_eq!(res.status(), 422);
        let body: Value = res.json().await.unwrap();
        assert!(body.to_string().contains("visitor_name"), "{body}");
        let unchanged: Value = app.api_get(&w, &base).await.json().await.unwrap();
        assert_eq!(entries(&before), entries(&unchanged));
        for (bad, field) in [("police", "visited_by"), ("letter", "mode")] {
            let mut v = call.clone();
            v[field] = json!(bad);
            v["visitor_name"] = json!("Sok Dara");
            assert_eq!(app.api_post(&w, &format!("{base}/visit"), v).await.status(), 422, "{field} {bad}");
        }
        let mut named = call.clone();
        named["visitor_name"] = json!("Sok Dara");
        let res = app.api_post(&w, &format!("{base}/visit"), named).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        // A phone call on the phone's own visit fulfils it: the schedule is about reaching her.
        let s = schedule(&app, &w, &base).await;
        assert_eq!(s[0], ("2026-01-05".to_string(), Some("2026-01-06".to_string())));
        // The worker visits at home in February, saying nothing of who or how.
        visit(&app, &w, &base, "2026-02-04").await;

        // The case page says who came and how.
        let (web, _) = app.login("worker").await;
        let child = base.trim_start_matches("/api/v1/children/").trim_end_matches("/case");
        let page = web.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("DoSVY officer (Sok Dara) · Phone call"), "{page}");
        assert!(page.contains("The case&#39;s worker · Home visit"), "{page}");
        // The visit form asks.
        let form = web.get(app.url(&format!("/children/{child}/case/visit"))).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("name=\"visited_by\"") && form.contains("name=\"mode\"") && form.contains("name=\"visitor_name\""));

        // Counted by who and how: one child, visited once by DoSVY by phone and once at home.
        for (by, value) in [("visit_by", "dosvy"), ("visit_by", "case_worker"), ("visit_mode", "phone"), ("visit_mode", "home")] {
            let api: Value =
                app.api_get(&w, &format!("/api/v1/indicators?from=2026-01-01&to=2026-03-31&by={by}")).await.json().await.unwrap();
            let item = api["items"].as_array().unwrap().iter().find(|i| i["code"] == "visited").unwrap();
            let group = item["groups"].as_array().unwrap().iter().find(|g| g["value"] == value).unwrap_or_else(|| panic!("{item}"));
            assert_eq!(group["count"]["total"].as_i64(), Some(1), "{by}={value}: {item}");
            // The records behind the group are that child.
            let rec: Value = app
                .api_get(&w, &format!("/api/v1/indicators/visited/records?from=2026-01-01&to=2026-03-31&by={by}&value={value}"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(rec["items"].as_array().unwrap().len(), 1, "{rec}");
        }
        let api: Value = app.api_get(&w, "/api/v1/indicators?from=2026-01-01&to=2026-01-31&by=visit_mode").await.json().await.unwrap();
        let item = api["items"].as_array().unwrap().iter().find(|i| i["code"] == "visited").unwrap();
        assert!(item["groups"].as_array().unwrap().iter().all(|g| g["value"] != "home"), "January's only visit was a call: {item}");

        // The rhythm by placement type is the organisation's, set on its settings page.
        let (a, csrf) = app.login("admin").await;
        let page = a.get(app.url("/admin/case-settings")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("name=\"rhythm_foster_short_3\" value=\"2\""), "{page}");
        let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf)];
        for (i, (c, v)) in [(1, 1), (3, 2), (7, 3), (14, 6)].iter().enumerate() {
            form.push((format!("contact_{i}"), c.to_string()));
            form.push((format!("visit_{i}"), v.to_string()));
        }
        form.extend([("reassessment".into(), "6".into()), ("follow_up".into(), "24".into())]);
        let row = |p: &str, m: [&str; 4]| m.iter().enumerate().map(|(i, v)| (format!("rhythm_{p}_{i}"), v.to_string())).collect::<Vec<_>>();
        // Half a row is a mistake, and so is a month out of range: nothing changes.
        for bad in [row("kinship", ["1", "", "", ""]), row("kinship", ["1", "1", "1", "13"])] {
            let mut f = form.clone();
            f.extend(bad);
            assert_eq!(a.post(app.url("/admin/case-settings")).form(&f).send().await.unwrap().status(), 422);
        }
        let mut f = form.clone();
        f.extend(row("kinship", ["1", "1", "2", "4"]));
        f.extend(row("foster_short", ["", "", "", ""]));
        assert_eq!(a.post(app.url("/admin/case-settings")).form(&f).send().await.unwrap().status(), 303);
        let s = app.store.case_settings(app.worker.org_id).await.unwrap();
        assert_eq!(s.placement_visit_months.get("kinship"), Some(&[1, 1, 2, 4]));
        assert!(!s.placement_visit_months.contains_key("foster_short"), "an emptied row follows risk");
        use krousar_domain::case::stage::RiskLevel;
        assert_eq!(s.visit_interval(RiskLevel::Low, Some(PlacementType::FosterShort)), 3);
    })
    .await;
}
