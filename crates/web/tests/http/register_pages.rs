//! Editing an institution of the register and correcting a child's stay through the pages
//! (issue 23: what the API gained, the pages offer too): the same store operations, so the
//! same permissions, checks and audit; a stale form changes nothing; errors next to their
//! fields in the user's language.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

async fn audited(app: &TestApp, action: &str, record: &str) -> usize {
    let f = krousar_store::audit::AuditFilter { action: Some(action.into()), limit: 100, ..Default::default() };
    krousar_store::audit::list(&app.store, &f).await.unwrap().iter().filter(|e| e.record_id.as_deref() == Some(record)).count()
}

async fn user(app: &TestApp, org: uuid::Uuid, team: Option<uuid::Uuid>, name: &str, role: Role) {
    let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
    app.store.create_user(Who::system(), org, team, name, name, role, &hash, "en").await.unwrap();
}

/// Switch the signed-in client's language (as the menu's switch does).
async fn speak(app: &TestApp, c: &reqwest::Client, csrf: &str, lang: &str) {
    let res = c.post(app.url("/lang")).form(&[("_csrf", csrf), ("lang", lang)]).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

fn form<'a>(csrf: &'a str, pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("_csrf", csrf)];
    f.extend_from_slice(pairs);
    f
}

/// The value of the hidden input `name` on a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {name} on the page: {html}")) + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn an_institution_is_edited_through_its_page_by_those_who_may() {
    each_db(|app| async move {
        let (s, scsrf) = app.login("supervisor").await;
        let hope = form(
            &scsrf,
            &[
                ("name", "Hope Centre"),
                ("rci_type", "ngo"),
                ("capacity", "40"),
                ("registration_status", "registered"),
                ("village_pick", "12010101"),
            ],
        );
        let res = s.post(app.url("/rcis")).form(&hope).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let id = res.headers()["location"].to_str().unwrap().trim_start_matches("/rcis/").to_string();
        let rci_id: uuid::Uuid = id.parse().unwrap();
        let (show, edit) = (app.url(&format!("/rcis/{id}")), app.url(&format!("/rcis/{id}/edit")));

        // The page offers the edit to its partner organisation's supervisor, prefilled.
        let page = s.get(&show).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("href=\"/rcis/{id}/edit\"")), "{page}");
        let res = s.get(&edit).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("action=\"/rcis/{id}\"")), "posts to the institution: {html}");
        assert_eq!(hidden(&html, "version"), "1");
        assert!(html.contains("value=\"Hope Centre\"") && html.contains("value=\"40\""), "{html}");
        assert!(html.contains("<option value=\"ngo\" selected>") && html.contains("<option value=\"registered\" selected>"), "{html}");
        assert!(html.contains("<option value=\"12010101\" selected>"), "the village chosen: {html}");

        // Invalid: every problem next to its field, what was typed kept, nothing written.
        let bad = form(&scsrf, &[("version", "1"), ("name", " "), ("capacity", "lots"), ("rci_type", "ngo"), ("village_code", "12010101")]);
        let res = s.post(&show).form(&bad).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"name-err\">This is required.") && html.contains("id=\"capacity-err\">Write a whole number."), "{html}");
        assert!(html.contains("value=\"lots\"") && html.contains("Some fields need attention"), "{html}");
        assert_eq!(app.store.rci(&app.supervisor.actor(), rci_id).await.unwrap().version, 1);
        // … in the user's language.
        speak(&app, &s, &scsrf, "km").await;
        let html = s.post(&show).form(&bad).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("id=\"capacity-err\">សូមសរសេរចំនួនគត់។"), "{html}");
        speak(&app, &s, &scsrf, "en").await;

        // Saved: the record changes, once, audited by the store.
        let good = form(
            &scsrf,
            &[
                ("version", "1"),
                ("name", "Hope Community Centre"),
                ("rci_type", "ngo"),
                ("capacity", "55"),
                ("registration_status", "registered"),
                ("village_code", "12010101"),
                ("note", "Becoming a community centre"),
            ],
        );
        let res = s.post(&show).form(&good).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/rcis/{id}").as_str());
        let r = app.store.rci(&app.supervisor.actor(), rci_id).await.unwrap();
        assert_eq!((r.version, r.fields.name.as_str(), r.fields.capacity), (2, "Hope Community Centre", Some(55)));
        assert_eq!((r.fields.village_code.as_deref(), r.fields.note.as_deref()), (Some("12010101"), Some("Becoming a community centre")));
        assert_eq!(audited(&app, "rci.update", &id).await, 1);
        assert!(s.get(&show).send().await.unwrap().text().await.unwrap().contains("Hope Community Centre"));

        // Stale: someone saved since this form was opened. Told so, what was typed kept, the
        // form now starts from the version saved; nothing written.
        let stale = form(&scsrf, &[("version", "1"), ("name", "Lost update"), ("rci_type", "ngo"), ("capacity", "60")]);
        let res = s.post(&show).form(&stale).send().await.unwrap();
        assert_eq!(res.status(), 409);
        let html = res.text().await.unwrap();
        assert!(html.contains("Someone else saved this record") && html.contains("value=\"Lost update\""), "{html}");
        assert_eq!(hidden(&html, "version"), "2");
        let r = app.store.rci(&app.supervisor.actor(), rci_id).await.unwrap();
        assert_eq!((r.version, r.fields.name.as_str()), (2, "Hope Community Centre"));
        assert_eq!(audited(&app, "rci.update", &id).await, 1);

        // Not allowed: a social worker, and another organisation's supervisor (the register is
        // everyone's to read, so they are refused, not told it does not exist). The page offers
        // them no edit.
        user(&app, app.other_worker.org_id, None, "otherboss", Role::Supervisor).await;
        for who in ["worker", "otherboss"] {
            let (c, csrf) = app.login(who).await;
            let page = c.get(&show).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("Hope Community Centre") && !page.contains("/edit\""), "{who}: {page}");
            assert_eq!(c.get(&edit).send().await.unwrap().status(), 403, "{who}");
            let theirs = form(&csrf, &[("version", "2"), ("name", "Theirs"), ("rci_type", "ngo")]);
            assert_eq!(c.post(&show).form(&theirs).send().await.unwrap().status(), 403, "{who}");
            let stray = form(&csrf, &[("name", "Theirs")]);
            assert_eq!(c.post(&show).form(&stray).send().await.unwrap().status(), 403, "{who}: refused whatever was sent");
        }
        assert_eq!(app.store.rci(&app.supervisor.actor(), rci_id).await.unwrap().version, 2, "nothing changed");
        let missing = uuid::Uuid::now_v7();
        assert_eq!(s.get(app.url(&format!("/rcis/{missing}/edit"))).send().await.unwrap().status(), 404);
        assert_eq!(s.post(app.url(&format!("/rcis/{missing}"))).form(&good).send().await.unwrap().status(), 404);
    })
    .await;
}

#[tokio::test]
async fn a_stay_is_corrected_from_the_childs_record_by_its_workers() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let mut rcis = Vec::new();
        for name in ["Hope Centre", "Sunrise Home"] {
            let r: Value = app.api_post(&s, "/api/v1/rcis", json!({"name": name, "village_code": "02020101"})).await.json().await.unwrap();
            rcis.push(r["id"].as_str().unwrap().to_string());
        }
        let child: Value = app.api_post(&w, "/api/v1/children", child_json("ដារា", "Dara")).await.json().await.unwrap();
        let child = child["id"].as_str().unwrap().to_string();
        let stays = format!("/api/v1/children/{child}/stays");
        let first: Value = app
            .api_post(&w, &stays, json!({"rci_id": rcis[0], "entered": "2019-01-10", "left": "2020-06-30", "reason_left": "moved"}))
            .await
            .json()
            .await
            .unwrap();
        let second: Value = app.api_post(&w, &stays, json!({"rci_id": rcis[1], "entered": "2021-01-01"})).await.json().await.unwrap();
        let (first, second) = (first["id"].as_str().unwrap().to_string(), second["id"].as_str().unwrap().to_string());
        let stays_now = || async { app.api_get(&w, &stays).await.json::<Value>().await.unwrap()["items"].clone() };
        let before = stays_now().await;

        // The record offers each stay's correction to the child's worker; the form is filled.
        let (c, csrf) = app.login("worker").await;
        let record = c.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
        for stay in [&first, &second] {
            assert!(record.contains(&format!("href=\"/children/{child}/residences/{stay}/edit\"")), "{record}");
        }
        let edit = app.url(&format!("/children/{child}/residences/{first}/edit"));
        let save = app.url(&format!("/children/{child}/residences/{first}"));
        let res = c.get(&edit).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("action=\"/children/{child}/residences/{first}\"")), "{html}");
        assert!(html.contains(&format!("<option value=\"{}\" selected>Hope Centre</option>", rcis[0])), "{html}");
        assert!(
            html.contains("value=\"2019-01-10\"") && html.contains("value=\"2020-06-30\"") && html.contains("value=\"moved\""),
            "{html}"
        );
        let seen = hidden(&html, "seen");

        // Invalid, then overlapping the other stay: told next to the field, nothing written.
        let bad = form(&csrf, &[("seen", &seen), ("rci_id", &rcis[0]), ("entered", "2019-01-10"), ("left", "2018-01-01")]);
        let res = c.post(&save).form(&bad).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"left-err\">The date of leaving is before the date of entry."), "{html}");
        assert!(html.contains("value=\"2018-01-01\""), "what was typed is kept: {html}");
        let overlap = form(&csrf, &[("seen", &seen), ("rci_id", &rcis[0]), ("entered", "2019-01-10"), ("left", "2021-06-01")]);
        let res = c.post(&save).form(&overlap).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"entered-err\">This stay overlaps another stay of the same child."), "{html}");
        // … in the user's language.
        speak(&app, &c, &csrf, "km").await;
        let html = c.post(&save).form(&bad).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("id=\"left-err\">ថ្ងៃចាកចេញមុនថ្ងៃចូល។"), "{html}");
        speak(&app, &c, &csrf, "en").await;
        assert_eq!(stays_now().await, before, "nothing written");

        // Corrected: another institution and the real day she left; audited by the store.
        let good = form(
            &csrf,
            &[("seen", &seen), ("rci_id", &rcis[1]), ("entered", "2019-01-10"), ("left", "2020-07-31"), ("reason_left", "reunified")],
        );
        let res = c.post(&save).form(&good).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/children/{child}").as_str());
        let now = stays_now().await;
        let one = now.as_array().unwrap().iter().find(|s| s["id"] == first.as_str()).unwrap().clone();
        assert_eq!(
            (one["rci_id"].as_str(), one["left"].as_str(), one["reason_left"].as_str()),
            (Some(rcis[1].as_str()), Some("2020-07-31"), Some("reunified"))
        );
        assert_eq!(audited(&app, "residence.update", &child).await, 1);
        let record = c.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
        assert!(!record.contains("Hope Centre"), "the record shows the correction: {record}");

        // Stale: the form was opened before that correction. Told so, what was typed kept,
        // nothing written; the form now starts from the stay as it is, and saving again works.
        let stale = form(&csrf, &[("seen", &seen), ("rci_id", &rcis[0]), ("entered", "2019-02-01"), ("left", "2020-06-30")]);
        let res = c.post(&save).form(&stale).send().await.unwrap();
        assert_eq!(res.status(), 409);
        let html = res.text().await.unwrap();
        assert!(html.contains("Someone else saved this record") && html.contains("value=\"2019-02-01\""), "{html}");
        let fresh = hidden(&html, "seen");
        assert_ne!(fresh, seen);
        assert_eq!(stays_now().await, now, "nothing written");
        assert_eq!(audited(&app, "residence.update", &child).await, 1);
        let again = form(&csrf, &[("seen", &fresh), ("rci_id", &rcis[0]), ("entered", "2019-02-01"), ("left", "2020-06-30")]);
        assert_eq!(c.post(&save).form(&again).send().await.unwrap().status(), 303);
        assert_eq!(audited(&app, "residence.update", &child).await, 2);
        let now = stays_now().await;
        let forged = form(&csrf, &[("rci_id", &rcis[0]), ("entered", "2019-03-01"), ("left", "2020-06-30")]);
        assert_eq!(c.post(&save).form(&forged).send().await.unwrap().status(), 409, "a form that says nothing of what it saw");
        assert_eq!(stays_now().await, now);

        // A stay of another child is not found through this one.
        let other: Value = app.api_post(&w, "/api/v1/children", child_json("សុខា", "Sokha")).await.json().await.unwrap();
        let elsewhere = format!("/children/{}/residences/{first}", other["id"].as_str().unwrap());
        assert_eq!(c.get(app.url(&format!("{elsewhere}/edit"))).send().await.unwrap().status(), 404);
        assert_eq!(c.post(app.url(&elsewhere)).form(&again).send().await.unwrap().status(), 404);

        // Not allowed: the organisation's manager reads the record but does not change it
        // (refused); another organisation's worker is not told the child exists (not found).
        user(&app, app.worker.org_id, None, "manager", Role::Manager).await;
        let (m, mcsrf) = app.login("manager").await;
        let record = m.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
        assert!(record.contains("Sunrise Home") && !record.contains("/edit\""), "{record}");
        assert_eq!(m.get(&edit).send().await.unwrap().status(), 403);
        let theirs = form(&mcsrf, &[("seen", &fresh), ("rci_id", &rcis[1]), ("entered", "2019-01-10"), ("left", "2019-02-01")]);
        assert_eq!(m.post(&save).form(&theirs).send().await.unwrap().status(), 403);
        let (o, ocsrf) = app.login("stranger").await;
        assert_eq!(o.get(&edit).send().await.unwrap().status(), 404);
        let theirs = form(&ocsrf, &[("seen", &fresh), ("rci_id", &rcis[1]), ("entered", "2019-01-10"), ("left", "2019-02-01")]);
        assert_eq!(o.post(&save).form(&theirs).send().await.unwrap().status(), 404);
        let invalid = form(&ocsrf, &[("rci_id", ""), ("entered", "")]);
        assert_eq!(o.post(&save).form(&invalid).send().await.unwrap().status(), 404, "whatever was sent");
        assert_eq!(stays_now().await, now, "nothing changed");
    })
    .await;
}
