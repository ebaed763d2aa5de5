//! The carer register through HTTP: the pipeline in order (steps out of order refused, the panel
//! a supervisor's), matching a child, placing it (room and approval checked, the reason kept),
//! and another organisation seeing nothing.

use crate::app::{child_json, client, each_db, TestApp};
use serde_json::{json, Value};

async fn step(app: &TestApp, token: &str, id: &str, version: i64, body: Value) -> reqwest::Response {
    let mut b = body;
    b["version"] = json!(version);
    app.api_post(token, &format!("/api/v1/carers/{id}/steps"), b).await
}

async fn child_with_case(app: &TestApp, token: &str, name: &str) -> String {
    let c: Value = app.api_post(token, "/api/v1/children", child_json("ស្រី", name)).await.json().await.unwrap();
    let id = c["id"].as_str().unwrap().to_string();
    let today = krousar_domain::today().to_string();
    let res = app.api_post(token, &format!("/api/v1/children/{id}/case/open"), json!({"route": "rci", "opened_on": today})).await;
    assert_eq!(res.status(), 201);
    id
}

#[tokio::test]
async fn a_carer_goes_from_enquiry_to_a_placement_in_order() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let s = app.token(&app.supervisor).await;
        let today = krousar_domain::today();
        let d = |days: i64| (today + chrono::Duration::days(days)).to_string();
        let body = json!({"name": "Sok Chenda household", "kind": "foster", "village_code": "02020101", "enquired_on": d(-30), "languages": "Khmer, Bunong", "disability_skills": "yes"});
        let res = app.api_post(&w, "/api/v1/carers", body).await;
        assert_eq!(res.status(), 201);
        let carer: Value = res.json().await.unwrap();
        let id = carer["id"].as_str().unwrap().to_string();
        assert_eq!(carer["stage"], "enquiry");
        assert_eq!(carer["overdue"], true, "first contact was due a week after the enquiry");
        assert_eq!(app.api_post(&w, "/api/v1/carers", json!({"kind": "foster"})).await.status(), 422, "a name and a date are needed");

        // Out of order: the panel before any assessment; a worker deciding.
        let panel = json!({"kind": "panel", "on": d(0), "decision": "approved", "max_children": 1, "age_min": 0, "age_max": 17, "care_types": ["long_term"]});
        assert_eq!(step(&app, &w, &id, 1, panel.clone()).await.status(), 403, "the panel is a supervisor's");
        let res = step(&app, &s, &id, 1, panel.clone()).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("assessment"));
        let mut v = 1;
        for body in [
            json!({"kind": "home_visit", "on": d(-20)}),
            json!({"kind": "check", "on": d(-15), "check": "police", "result": "clear"}),
            json!({"kind": "assessment", "on": d(-10), "recommendation": "approve", "motivation": "Raised nieces"}),
        ] {
            let res = step(&app, &w, &id, v, body).await;
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
            v += 1;
        }
        let res = step(&app, &s, &id, v, panel.clone()).await;
        assert_eq!(res.status(), 422, "a foster carer trains first");
        // Training from the register: a session that has taken place, its course's title kept.
        let boss = app.supervisor.actor();
        let course = app.store.add_course(&boss, &krousar_domain::training::course(Some("Foster care basics"), &["foster_care".into()]).unwrap()).await.unwrap();
        let session = |from: i64| krousar_domain::training::session(Some(&d(from)), Some(&d(from)), Some("Battambang"), Some("MoSVY")).unwrap();
        let held = app.store.add_session(&boss, course, &session(-6)).await.unwrap();
        let coming = app.store.add_session(&boss, course, &session(3)).await.unwrap();
        let res = step(&app, &w, &id, v, json!({"kind": "training", "on": d(-5), "session_id": coming.to_string()})).await;
        assert_eq!(res.status(), 422, "not a session that has happened");
        let trained: Value = step(&app, &w, &id, v, json!({"kind": "training", "on": d(-5), "session_id": held.to_string()})).await.json().await.unwrap();
        assert_eq!(trained["facts"]["trainings"], 1);
        v += 1;
        assert_eq!(step(&app, &s, &id, v - 1, panel.clone()).await.status(), 409, "stale version");
        let approved: Value = step(&app, &s, &id, v, panel).await.json().await.unwrap();
        v += 1;
        assert_eq!(approved["stage"], "approved");

        // A child needing a placement: no carer until it is on the stand-by list.
        let child = child_with_case(&app, &w, "Sreyneang").await;
        let m: Value = app.api_get(&w, &format!("/api/v1/children/{child}/carer-matches")).await.json().await.unwrap();
        assert!(m["items"].as_array().unwrap().is_empty());
        assert_eq!(step(&app, &w, &id, v, json!({"kind": "availability", "from": d(-1), "to": d(365)})).await.status(), 200);
        let m: Value = app.api_get(&w, &format!("/api/v1/children/{child}/carer-matches?language=bunong")).await.json().await.unwrap();
        let first = &m["items"][0];
        assert_eq!(first["carer_id"], id.as_str());
        let reasons: Vec<&str> = first["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert_eq!(reasons, vec!["match-same-village", "match-language"]);

        // Placing through the page: the reason is required, then kept on the carer's history.
        let (c, csrf) = app.login("worker").await;
        let page = c.get(app.url(&format!("/children/{child}/carers"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Sok Chenda household") && page.contains("same village"));
        let url = app.url(&format!("/children/{child}/carers/{id}/place"));
        let form = |reason: &str| vec![("_csrf", csrf.clone()), ("kind", "foster_long".to_string()), ("started_on", d(0)), ("decision", reason.to_string())];
        assert_eq!(c.post(&url).form(&form("")).send().await.unwrap().status(), 422);
        assert_eq!(c.post(&url).form(&form("Same village as her school")).send().await.unwrap().status(), 303);
        let after: Value = app.api_get(&w, &format!("/api/v1/carers/{id}")).await.json().await.unwrap();
        assert_eq!((after["placed"].as_i64(), after["room"].as_i64()), (Some(1), Some(0)));
        let history = after["history"].as_array().unwrap();
        assert!(history.iter().any(|e| e["kind"] == "placement" && e["body"]["decision"] == "Same village as her school"));
        assert!(history.iter().any(|e| e["kind"] == "training" && e["body"]["course"] == "Foster care basics" && e["body"]["session"] == held.to_string()));

        let list = c.get(app.url("/carers")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("<dt>With children placed</dt><dd>1</dd>") && list.contains("<dt>Available (stand-by)</dt><dd>1</dd>"), "{list}");

        // Full now: a second child is refused, through the case's own placement form too.
        let second = child_with_case(&app, &w, "Sreymao").await;
        let household = after["household_id"].as_str().unwrap();
        let res = app
            .api_post(&w, &format!("/api/v1/children/{second}/case/placement"), json!({"kind": "foster_long", "household_id": household, "started_on": d(0)}))
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("no room"));

        // The supervisor gives the carer to another worker; not a worker, not to a stranger.
        let (sc, scsrf) = app.login("supervisor").await;
        let assign = |worker: String| {
            let req = sc.post(app.url(&format!("/carers/{id}/worker"))).form(&[("_csrf", scsrf.clone()), ("worker", worker)]);
            async move { req.send().await.unwrap().status() }
        };
        assert_eq!(assign(app.other_worker.id.to_string()).await, 422);
        assert_eq!(assign(app.supervisor.id.to_string()).await, 303);
        let moved: Value = app.api_get(&w, &format!("/api/v1/carers/{id}")).await.json().await.unwrap();
        assert_eq!(moved["worker_id"], app.supervisor.id.to_string());
        let res = c.post(app.url(&format!("/carers/{id}/worker"))).form(&[("_csrf", csrf.clone()), ("worker", app.worker.id.to_string())]).send().await.unwrap();
        assert_eq!(res.status(), 403, "a worker does not reassign");

        // Another organisation sees none of it.
        let x = app.token(&app.other_worker).await;
        assert_eq!(app.api_get(&x, &format!("/api/v1/carers/{id}")).await.status(), 404);
        let theirs: Value = app.api_get(&x, "/api/v1/carers").await.json().await.unwrap();
        assert!(theirs["items"].as_array().unwrap().is_empty());
        let res = client().get(app.url("/carers")).send().await.unwrap();
        assert_eq!(res.status(), 303, "signed out: to the sign-in page");
    })
    .await;
}
