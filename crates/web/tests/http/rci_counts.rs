//! How many children live in an institution is counted only for the organisation that works
//! with it and for the ministry. Anyone else — a partner organisation's staff first — gets the
//! number as hidden on every path (record, list, transition, a past day, the list's filter, who
//! left), so that asking day after day cannot tell when another organisation's child came or
//! left.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::choices::{OrgKind, RciRegistration, RciType};
use krousar_domain::rci::{RciFields, ResidencePeriod};
use krousar_domain::Role;
use krousar_store::audit::Who;
use serde_json::Value;

fn fields(name: &str) -> RciFields {
    RciFields {
        name: name.into(),
        rci_type: RciType::Ngo,
        village_code: Some("02020101".into()),
        capacity: Some(40),
        registration_status: RciRegistration::Registered,
        note: None,
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.api_get(token, path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn an_institutions_residents_are_hidden_from_other_organisations_on_every_path() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let ministry_org = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        let mosvy =
            app.store.create_user(Who::system(), ministry_org.id, None, "mosvy", "mosvy", Role::Ministry, &hash, "en").await.unwrap();
        // Hope: registered by the worker's organisation, which works with it. Lotus: by the
        // ministry, with no partner yet.
        let hope = app.store.create_rci(&app.supervisor.actor(), fields("Hope Centre")).await.unwrap().id;
        let lotus = app.store.create_rci(&mosvy.actor(), fields("Lotus Centre")).await.unwrap().id;
        let today = krousar_domain::today();
        let d = |days: i64| today - chrono::Duration::days(days);
        let w = app.token(&app.worker).await;
        let mut kids = Vec::new();
        for name in ["Dara", "Sokha"] {
            let c: Value = app.api_post(&w, "/api/v1/children", child_json("ដារា", name)).await.json().await.unwrap();
            kids.push(c["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
        }
        let stay =
            |left: Option<chrono::NaiveDate>| ResidencePeriod { entered: d(400), left, reason_left: left.map(|_| "Reunified".into()) };
        app.store.add_residence(&app.worker.actor(), kids[0], hope, stay(None)).await.unwrap();
        app.store.add_residence(&app.worker.actor(), kids[1], hope, stay(Some(d(10)))).await.unwrap();

        // The partner organisation counts them, on the record, in the list, on a past day.
        let rci = get(&app, &w, &format!("/api/v1/rcis/{hope}")).await;
        assert_eq!((rci["residents"].as_i64(), rci.get("residents_hidden")), (Some(1), None), "{rci}");
        assert_eq!(get(&app, &w, &format!("/api/v1/rcis/{hope}/transition")).await["residents"], 1);
        let listed = get(&app, &w, "/api/v1/rcis?min_children=1").await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
        let (wc, _) = app.login("worker").await;
        assert!(page(&wc, &app, &format!("/rcis/{hope}?on={}", d(20))).await.contains("2 children resident on this date"));
        assert!(page(&wc, &app, &format!("/rcis/{hope}?on={}", d(5))).await.contains("1 child resident on this date"));

        // The ministry counts every institution's.
        let m = app.token(&mosvy).await;
        assert_eq!(get(&app, &m, &format!("/api/v1/rcis/{hope}")).await["residents"], 1);
        assert_eq!(get(&app, &m, &format!("/api/v1/rcis/{lotus}")).await["residents"], 0);
        assert_eq!(get(&app, &m, "/api/v1/rcis?min_children=1").await["items"].as_array().unwrap().len(), 1);

        // Another organisation's worker: hidden, with why, wherever the number would be.
        let s = app.token(&app.other_worker).await;
        for path in [format!("/api/v1/rcis/{hope}"), format!("/api/v1/rcis/{hope}/transition"), format!("/api/v1/rcis/{lotus}")] {
            let v = get(&app, &s, &path).await;
            assert!(v["residents"].is_null() && v["residents_hidden"] == "other_organisations", "{path}: {v}");
        }
        let all = get(&app, &s, "/api/v1/rcis").await;
        let items = all["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|r| r["residents"].is_null() && r["residents_hidden"] == "other_organisations"), "{all}");
        // Nor does the filter answer what the number would: no institution has children "for them".
        assert!(get(&app, &s, "/api/v1/rcis?min_children=1").await["items"].as_array().unwrap().is_empty());
        // The page of a day, and of another day: the same, with no count of others' children.
        let (sc, scsrf) = app.login("stranger").await;
        let before = page(&sc, &app, &format!("/rcis/{hope}?on={}", d(20))).await;
        let after = page(&sc, &app, &format!("/rcis/{hope}?on={}", d(5))).await;
        for p in [&before, &after] {
            assert!(!p.contains("children resident on this date") && p.contains("0 of the children you may open"), "{p}");
            assert!(!p.contains("Dara") && !p.contains("Sokha"));
            assert!(!p.contains("more children who are not in your caseload") && p.contains("Only the children you may open are listed"));
        }
        let list = page(&sc, &app, "/rcis").await;
        assert!(list.contains(">hidden</td>"), "{list}");
        assert!(!page(&sc, &app, "/rcis?min_children=1").await.contains("Hope Centre"));

        // In Khmer too.
        let res = sc.post(app.url("/lang")).form(&[("_csrf", scsrf.as_str()), ("lang", "km")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let km = page(&sc, &app, &format!("/rcis/{hope}")).await;
        assert!(km.contains("កុមារ ០ នាក់ដែលអ្នកអាចបើកមើលបាន") || km.contains("កុមារ 0 នាក់ដែលអ្នកអាចបើកមើលបាន"), "{km}");
    })
    .await;
}

#[tokio::test]
async fn the_ministry_names_the_organisation_that_works_with_an_institution() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let ministry_org = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        let mosvy =
            app.store.create_user(Who::system(), ministry_org.id, None, "mosvy", "mosvy", Role::Ministry, &hash, "en").await.unwrap();
        let lotus = app.store.create_rci(&mosvy.actor(), fields("Lotus Centre")).await.unwrap().id;
        let other_org = app.other_worker.org_id;
        let patch = |token: String, body: Value| {
            let url = app.url(&format!("/api/v1/rcis/{lotus}"));
            async move { crate::app::client().patch(url).bearer_auth(token).json(&body).send().await.unwrap() }
        };

        // A supervisor may not make their organisation the partner of the ministry's institution.
        let s = app.token(&app.supervisor).await;
        let res = patch(s.clone(), serde_json::json!({"version": 1, "partner_org_id": app.supervisor.org_id})).await;
        assert_eq!(res.status(), 403);
        let m = app.token(&mosvy).await;
        let now = get(&app, &m, &format!("/api/v1/rcis/{lotus}")).await;
        assert!(now["partner_org_id"].is_null() && now["version"] == 1, "nothing changed: {now}");
        // Nor may the ministry name itself, or an organisation that does not exist.
        for bad in [ministry_org.id, uuid::Uuid::now_v7()] {
            let res = patch(m.clone(), serde_json::json!({"version": 1, "partner_org_id": bad})).await;
            assert_eq!(res.status(), 422, "{bad}");
        }

        // The ministry names the other organisation from the institution's form.
        let (mc, mcsrf) = app.login("mosvy").await;
        let form = mc.get(app.url(&format!("/rcis/{lotus}/edit"))).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("name=\"partner_org_id\"") && form.contains("Other NGO") && !form.contains(">MoSVY<"), "{form}");
        let save = |partner: String| {
            let f = [
                ("_csrf", mcsrf.clone()),
                ("version", "1".to_string()),
                ("name", "Lotus Centre".to_string()),
                ("rci_type", "ngo".to_string()),
                ("capacity", "40".to_string()),
                ("registration_status", "registered".to_string()),
                ("village_pick", "02020101".to_string()),
                ("partner_org_id", partner),
            ];
            let req = mc.post(app.url(&format!("/rcis/{lotus}"))).form(&f);
            async move { req.send().await.unwrap() }
        };
        let res = save("not-an-id".into()).await;
        assert_eq!(res.status(), 422);
        assert_eq!(save(other_org.to_string()).await.status(), 303);
        let page = mc.get(app.url(&format!("/rcis/{lotus}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Organisation that works with it") && page.contains("Other NGO"), "{page}");

        // Now that organisation counts its children and changes its record; the supervisor of
        // the first still does neither, and their edit form has no partner field.
        let o = app.token(&app.other_worker).await;
        let rci = get(&app, &o, &format!("/api/v1/rcis/{lotus}")).await;
        assert_eq!((rci["residents"].as_i64(), rci["partner_org_id"].as_str()), (Some(0), Some(other_org.to_string().as_str())), "{rci}");
        assert!(get(&app, &s, &format!("/api/v1/rcis/{lotus}")).await["residents"].is_null());
        let (sc, _) = app.login("supervisor").await;
        assert_eq!(sc.get(app.url(&format!("/rcis/{lotus}/edit"))).send().await.unwrap().status(), 403);

        // A stage's note is checked as every long text: control characters refused, nothing kept.
        let day = krousar_domain::today().to_string();
        for note in ["\u{0}\u{1b}[2J", "\u{202e}gnitset"] {
            let body = serde_json::json!({"kind": "stage", "stage": "planning", "on": day, "note": note});
            let res = app.api_post(&m, &format!("/api/v1/rcis/{lotus}/transition"), body).await;
            assert_eq!(res.status(), 422, "{note:?}");
        }
        assert!(get(&app, &m, &format!("/api/v1/rcis/{lotus}/transition")).await["events"].as_array().unwrap().is_empty());

        // Cleared through the API (null), audited.
        let res = patch(m.clone(), serde_json::json!({"version": 2, "partner_org_id": null})).await;
        assert_eq!(res.status(), 200);
        assert!(get(&app, &o, &format!("/api/v1/rcis/{lotus}")).await["residents"].is_null());
        let f = krousar_store::audit::AuditFilter {
            record_id: Some(lotus.to_string()),
            action: Some("rci.update".into()),
            limit: 50,
            ..Default::default()
        };
        let named = krousar_store::audit::list(&app.store, &f).await.unwrap();
        assert_eq!(named.len(), 2, "named, then cleared");
        assert!(named.iter().any(|e| e.detail.contains(&other_org.to_string())), "the audit says whom");
    })
    .await;
}
