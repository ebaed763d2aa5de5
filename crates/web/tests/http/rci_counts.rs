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
        assert!(page(&wc, &app, &format!("/rcis/{hope}?on={}", d(5))).await.contains("1 children resident on this date"));

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
