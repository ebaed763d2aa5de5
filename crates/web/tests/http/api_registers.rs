//! What a partner's client needs of the registers through the API (issue 23): the directory of
//! organisations to send a referral to; registering and editing an institution; recording and
//! correcting a child's stays — each with the pages' rules (the same store operations), on
//! every engine.

use crate::app::{child_json, client, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

async fn send(app: &TestApp, method: reqwest::Method, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = client().request(method, app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn audited(app: &TestApp, action: &str, record: &str) -> usize {
    let f = krousar_store::audit::AuditFilter { action: Some(action.into()), limit: 100, ..Default::default() };
    krousar_store::audit::list(&app.store, &f).await.unwrap().iter().filter(|e| e.record_id.as_deref() == Some(record)).count()
}

#[tokio::test]
async fn organisations_are_listed_to_choose_who_a_referral_goes_to_and_nothing_else_of_them() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        assert_eq!(client().get(app.url("/api/v1/organisations")).send().await.unwrap().status(), 401, "signed in only");
        let res = app.api_get(&w, "/api/v1/organisations").await;
        assert_eq!(res.status(), 200);
        let list: Value = res.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{list}");
        for o in items {
            let mut keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(keys, ["id", "kind", "name", "own"], "ids, names and kinds only: {o}");
        }
        let ours = items.iter().find(|o| o["name"] == "Test NGO").unwrap();
        assert_eq!((ours["own"].as_bool(), ours["kind"].as_str()), (Some(true), Some("ngo")));
        assert_eq!(ours["id"], app.worker.org_id.to_string());
        let theirs = items.iter().find(|o| o["name"] == "Other NGO").unwrap();
        assert_eq!(theirs["own"], false);
        assert_eq!(theirs["id"], app.other_worker.org_id.to_string());

        // The id is what a referral needs: a worker's client refers a child there with it.
        let child: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let today = krousar_domain::today().to_string();
        let referral = json!({"to_org": theirs["id"], "services": "Health care", "reason": "Clinic nearby", "consent_by": "parent",
            "consent_on": today, "shares": ["identity"]});
        let res = app.api_post(&w, &format!("/api/v1/children/{}/referrals", child["id"].as_str().unwrap()), referral).await;
        assert_eq!(res.status(), 201);

        // Another organisation's worker reads the same directory: nothing of our children in it.
        let x = app.token(&app.other_worker).await;
        let text = app.api_get(&x, "/api/v1/organisations").await.text().await.unwrap();
        assert!(text.contains("Test NGO") && !text.contains("Sreypov") && !text.contains("case_settings"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn institutions_are_registered_and_edited_through_the_api_with_the_pages_rules() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let hope = json!({"name": "Hope Centre", "rci_type": "ngo", "registration_status": "registered", "village_code": "02020101", "capacity": 40});
        assert_eq!(app.api_post(&w, "/api/v1/rcis", hope.clone()).await.status(), 403, "a worker does not register institutions");
        let bad = json!({"name": "", "rci_type": "castle", "capacity": "lots"});
        let (status, body) = send(&app, reqwest::Method::POST, &s, "/api/v1/rcis", bad).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        for f in ["name", "rci_type", "capacity"] {
            assert!(fields.contains(&f), "{f} refused: {body}");
        }
        let (status, body) = send(&app, reqwest::Method::POST, &s, "/api/v1/rcis", json!({"name": "Nowhere", "village_code": "99999999"})).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("village_code")), "a village of the gazetteer");
        assert_eq!(app.api_post(&s, "/api/v1/rcis", json!({"name": "X", "colour": "blue"})).await.status(), 400, "unknown fields");
        let res = app.api_post(&s, "/api/v1/rcis", hope).await;
        assert_eq!(res.status(), 201);
        let rci: Value = res.json().await.unwrap();
        let id = rci["id"].as_str().unwrap().to_string();
        assert_eq!((rci["capacity"].as_i64(), rci["version"].as_i64()), (Some(40), Some(1)));
        assert_eq!(rci["partner_org_id"], app.supervisor.org_id.to_string(), "the registering organisation works with it");
        let read: Value = app.api_get(&w, &format!("/api/v1/rcis/{id}")).await.json().await.unwrap();
        assert_eq!(read["name"], "Hope Centre", "the register is everyone's to read");

        // Editing: the version read, some fields; the rest stays.
        let path = format!("/api/v1/rcis/{id}");
        let (status, body) = send(&app, reqwest::Method::PATCH, &s, &path, json!({"capacity": 55})).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("version")));
        let (status, body) = send(&app, reqwest::Method::PATCH, &s, &path, json!({"version": 7, "capacity": 55})).await;
        assert_eq!((status, body["error"]["current_version"].as_i64()), (409, Some(1)), "{body}");
        let (status, _) = send(&app, reqwest::Method::PATCH, &s, &path, json!({"version": 1, "capacity": 20000})).await;
        assert_eq!(status, 422, "the register's own limits");
        let (status, _) = send(&app, reqwest::Method::PATCH, &s, &path, json!({"version": 1, "stars": 5})).await;
        assert_eq!(status, 400);
        let (status, _) = send(&app, reqwest::Method::PATCH, &w, &path, json!({"version": 1, "name": "Worker's"})).await;
        assert_eq!(status, 403, "a worker does not edit institutions");
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let boss = app
            .store
            .create_user(Who::system(), app.other_worker.org_id, None, "otherboss", "Other boss", Role::Supervisor, &hash, "en")
            .await
            .unwrap();
        let (status, _) = send(&app, reqwest::Method::PATCH, &app.token(&boss).await, &path, json!({"version": 1, "name": "Theirs"})).await;
        assert_eq!(status, 403, "another organisation's supervisor: not its partner (the register is public: no 404)");
        let (status, body) =
            send(&app, reqwest::Method::PATCH, &s, &path, json!({"version": 1, "name": "Hope Community Centre", "capacity": "55"})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["name"].as_str(), body["capacity"].as_i64(), body["version"].as_i64()), (Some("Hope Community Centre"), Some(55), Some(2)));
        assert_eq!((body["village_code"].as_str(), body["registration_status"].as_str()), (Some("02020101"), Some("registered")));
        let (status, _) = send(&app, reqwest::Method::PATCH, &s, &path, json!({"version": 1, "name": "Lost update"})).await;
        assert_eq!(status, 409, "a stale version changes nothing");
        assert_eq!(audited(&app, "rci.update", &id).await, 1, "one edit, audited");
        // The one record: the pages show the edit.
        let (c, _) = app.login("supervisor").await;
        let page = c.get(app.url(&format!("/rcis/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Hope Community Centre"));
        let missing = format!("/api/v1/rcis/{}", uuid::Uuid::now_v7());
        assert_eq!(send(&app, reqwest::Method::PATCH, &s, &missing, json!({"version": 1})).await.0, 404);
        assert_eq!(app.api_get(&s, &missing).await.status(), 404);
    })
    .await;
}

#[tokio::test]
async fn a_childs_stays_are_recorded_and_corrected_through_the_api_and_the_record_follows() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let mut rcis = Vec::new();
        for name in ["Hope Centre", "Sunrise Home"] {
            let r: Value = app.api_post(&s, "/api/v1/rcis", json!({"name": name, "village_code": "02020101"})).await.json().await.unwrap();
            rcis.push(r["id"].as_str().unwrap().to_string());
        }
        let child: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap().to_string();
        let stays = format!("/api/v1/children/{id}/stays");

        let (status, body) = send(&app, reqwest::Method::POST, &w, &stays, json!({"entered": "2020-01-10"})).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("rci_id")), "the institution is required");
        let (status, _) =
            send(&app, reqwest::Method::POST, &w, &stays, json!({"rci_id": rcis[0], "entered": "2020-01-10", "bed": 3})).await;
        assert_eq!(status, 400, "unknown fields");
        let (status, first) = send(&app, reqwest::Method::POST, &w, &stays, json!({"rci_id": rcis[0], "entered": "2020-01-10"})).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(
            (first["rci_id"].as_str(), first["rci_name"].as_str(), first["left"].as_str()),
            (Some(rcis[0].as_str()), Some("Hope Centre"), None)
        );
        let stay = first["id"].as_str().unwrap().to_string();
        let record: Value = app.api_get(&w, &format!("/api/v1/children/{id}")).await.json().await.unwrap();
        assert_eq!((record["living_arrangement"].as_str(), record["rci_id"].as_str()), (Some("in_rci"), Some(rcis[0].as_str())));
        let (status, body) = send(&app, reqwest::Method::POST, &w, &stays, json!({"rci_id": rcis[1], "entered": "2021-01-01"})).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("entered")), "stays never overlap");

        // She left the first institution: the stay is corrected, the record follows.
        let one = format!("{stays}/{stay}");
        let left = json!({"rci_id": rcis[0], "entered": "2020-01-10", "left": "2021-01-01", "reason_left": "Went home"});
        let (status, body) = send(&app, reqwest::Method::PUT, &w, &one, left).await;
        assert_eq!((status, body["left"].as_str(), body["reason_left"].as_str()), (200, Some("2021-01-01"), Some("Went home")), "{body}");
        let record: Value = app.api_get(&w, &format!("/api/v1/children/{id}")).await.json().await.unwrap();
        assert_ne!(record["living_arrangement"], "in_rci", "no open stay: not in an institution");
        assert!(record["rci_id"].is_null());
        let (status, second) = send(&app, reqwest::Method::POST, &w, &stays, json!({"rci_id": rcis[1], "entered": "2021-01-01"})).await;
        assert_eq!(status, 201, "a stay from the day the last one ended");
        let record: Value = app.api_get(&w, &format!("/api/v1/children/{id}")).await.json().await.unwrap();
        assert_eq!(record["rci_id"], rcis[1].as_str());
        let longer = json!({"rci_id": rcis[0], "entered": "2020-01-10", "left": "2021-06-01"});
        assert_eq!(send(&app, reqwest::Method::PUT, &w, &one, longer).await.0, 422, "a correction may not overlap either");
        let future = json!({"rci_id": rcis[0], "entered": "2020-01-10", "left": "2999-01-01"});
        assert_eq!(send(&app, reqwest::Method::PUT, &w, &one, future).await.0, 422, "the pages' date rules");
        let list: Value = app.api_get(&w, &stays).await.json().await.unwrap();
        assert_eq!(list["withheld"], false);
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [second["id"].as_str().unwrap(), stay.as_str()], "latest first");
        assert_eq!(audited(&app, "residence.update", &id).await, 1);

        // A stay of another child is not this child's to correct.
        let other: Value = app.api_post(&w, "/api/v1/children", child_json("ដារា", "Dara")).await.json().await.unwrap();
        let elsewhere = format!("/api/v1/children/{}/stays/{stay}", other["id"].as_str().unwrap());
        assert_eq!(send(&app, reqwest::Method::PUT, &w, &elsewhere, json!({"rci_id": rcis[0], "entered": "2020-01-10"})).await.0, 404);

        // Another organisation: as if the child did not exist, reading or writing.
        let x = app.token(&app.other_worker).await;
        assert_eq!(app.api_get(&x, &stays).await.status(), 404);
        assert_eq!(
            send(&app, reqwest::Method::POST, &x, &stays, json!({"rci_id": rcis[0], "entered": "2019-01-01", "left": "2019-02-01"}))
                .await
                .0,
            404
        );
        assert_eq!(send(&app, reqwest::Method::PUT, &x, &one, json!({"rci_id": rcis[0], "entered": "2020-01-10"})).await.0, 404);

        // Referred with consent to share identity only, and accepted: the receiver reads the
        // record, not the stays (as the record page), and does not change them.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let boss = app
            .store
            .create_user(Who::system(), app.other_worker.org_id, None, "otherboss", "Other boss", Role::Supervisor, &hash, "en")
            .await
            .unwrap();
        let today = krousar_domain::today().to_string();
        let referral = json!({"to_org": app.other_worker.org_id, "services": "Health care", "reason": "Clinic nearby",
            "consent_by": "parent", "consent_on": today, "shares": ["identity"]});
        let rid: Value = app.api_post(&w, &format!("/api/v1/children/{id}/referrals"), referral).await.json().await.unwrap();
        let bt = app.token(&boss).await;
        assert_eq!(app.api_post(&bt, &format!("/api/v1/referrals/{}/accept", rid["id"].as_str().unwrap()), json!({})).await.status(), 204);
        assert_eq!(app.api_get(&x, &format!("/api/v1/children/{id}")).await.status(), 200, "the receiver reads the child");
        let theirs: Value = app.api_get(&x, &stays).await.json().await.unwrap();
        assert_eq!((theirs["withheld"].as_bool(), theirs["items"].as_array().map(Vec::len)), (Some(true), Some(0)), "{theirs}");
        assert_eq!(send(&app, reqwest::Method::PUT, &x, &one, json!({"rci_id": rcis[0], "entered": "2020-01-10"})).await.0, 403);
    })
    .await;
}
