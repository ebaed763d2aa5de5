//! Families searching for a child: a search recorded at one office finds the child at another
//! organisation by any spelling; that organisation learns only that someone is looking and
//! decides; the office learns only where and whom to talk to; confirming records a tracing
//! attempt on the child's case. Nobody else sees either side.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

/// The other organisation's worker and a supervisor of hers, in one team.
async fn other_team(app: &TestApp) -> (String, String) {
    let org = app.other_worker.org_id;
    let team = app.store.create_team(Who::system(), org, "South").await.unwrap();
    let w = &app.other_worker;
    app.store.update_user_admin(Who::system(), w.id, w.role, Some(team.id), false, None).await.unwrap();
    let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
    let boss =
        app.store.create_user(Who::system(), org, Some(team.id), "otherboss", "Meas Rithy", Role::Supervisor, &hash, "en").await.unwrap();
    (app.token(&app.other_worker).await, app.token(&boss).await)
}

fn search() -> Value {
    // The mother says the name in Khmer only, and a different age than the record's.
    json!({
        "searcher_name": "Chan Sophal", "searcher_relationship": "mother", "searcher_phone": "012 345 678",
        "given_name_km": "ស្រីពៅ", "family_name_km": "ចាន់", "sex": "female", "estimated_age": "12",
        "last_seen": "2019, taken to a centre in Phnom Penh"
    })
}

#[tokio::test]
async fn a_familys_search_reaches_the_organisation_that_may_hold_the_child_and_no_further() {
    each_db(|app| async move {
        let (x, boss) = other_team(&app).await;
        // The child lives at the other organisation, written in Latin letters with a Khmer name.
        let child: Value = app.api_post(&x, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let child_id = child["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let res =
            app.api_post(&x, &format!("/api/v1/children/{child_id}/case/open"), json!({"route": "prevention", "opened_on": today})).await;
        assert_eq!(res.status(), 201);

        // The family comes to our office.
        let w = app.token(&app.worker).await;
        let bad = app.api_post(&w, "/api/v1/inquiries", json!({"searcher_name": "", "sex": "girl"})).await;
        assert_eq!(bad.status(), 422);
        let res = app.api_post(&w, "/api/v1/inquiries", search()).await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(status, 201, "{body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_str().unwrap().to_string();
        let mine: Value = app.api_get(&w, &format!("/api/v1/inquiries/{id}")).await.json().await.unwrap();
        let matches = mine["matches"].as_array().unwrap();
        assert_eq!(matches.len(), 1, "{mine}");
        assert_eq!(matches[0]["org_name"], "Other NGO");
        assert_eq!(matches[0]["state"], "waiting");
        let text = mine.to_string();
        assert!(!text.contains(&child_id) && !text.contains("Sreypov"), "the office sees no record of theirs: {text}");

        // The other organisation's supervisor is told, and sees her own child and who is looking.
        let told: Value = app.api_get(&boss, "/api/v1/notifications").await.json().await.unwrap();
        assert_eq!(told["items"][0]["event"], "inquiry_received");
        let incoming: Value = app.api_get(&boss, "/api/v1/inquiries/incoming").await.json().await.unwrap();
        let m = &incoming["items"][0];
        assert_eq!(m["children"][0]["id"], child_id.as_str());
        assert_eq!(m["inquiry"]["searcher_name"], "Chan Sophal");
        let match_id = m["id"].as_str().unwrap().to_string();

        // Nobody else: not its social worker (who does not answer), not a third organisation,
        // not our supervisor; and another office's inquiry is not found.
        assert_eq!(app.api_get(&x, "/api/v1/inquiries/incoming").await.status(), 403);
        let s = app.token(&app.supervisor).await;
        let ours: Value = app.api_get(&s, "/api/v1/inquiries/incoming").await.json().await.unwrap();
        assert_eq!(ours["items"].as_array().unwrap().len(), 0);
        assert_eq!(app.api_get(&x, &format!("/api/v1/inquiries/{id}")).await.status(), 404);
        let answer = json!({"answer": "confirmed", "child_id": child_id});
        assert_eq!(app.api_post(&s, &format!("/api/v1/inquiries/incoming/{match_id}"), answer.clone()).await.status(), 404);

        // A child the match does not name cannot be confirmed.
        let stray: Value = app.api_post(&x, "/api/v1/children", child_json("ដារ៉ា", "Dara")).await.json().await.unwrap();
        let wrong = json!({"answer": "confirmed", "child_id": stray["id"]});
        assert_eq!(app.api_post(&boss, &format!("/api/v1/inquiries/incoming/{match_id}"), wrong).await.status(), 422);

        // Confirmed: a tracing attempt on the child's case, the mother as the relative found.
        let answer = json!({"answer": "confirmed", "child_id": child_id, "message": "Call Meas Rithy at Other NGO"});
        assert_eq!(app.api_post(&boss, &format!("/api/v1/inquiries/incoming/{match_id}"), answer.clone()).await.status(), 204);
        assert_eq!(app.api_post(&boss, &format!("/api/v1/inquiries/incoming/{match_id}"), answer).await.status(), 422, "answered once");
        let case: Value = app.api_get(&x, &format!("/api/v1/children/{child_id}/case")).await.json().await.unwrap();
        let timeline = case.to_string();
        assert!(timeline.contains("family_inquiry") && timeline.contains("Chan Sophal"), "{timeline}");

        // The office sees the answer and whom to talk to, still no record.
        let mine: Value = app.api_get(&w, &format!("/api/v1/inquiries/{id}")).await.json().await.unwrap();
        let m = &mine["matches"][0];
        assert_eq!((m["state"].as_str(), m["answered_by"].as_str()), (Some("confirmed"), Some("Meas Rithy")));
        assert_eq!(m["answer"], "Call Meas Rithy at Other NGO");
        assert!(!mine.to_string().contains(&child_id));
        let told: Value = app.api_get(&w, "/api/v1/notifications").await.json().await.unwrap();
        assert_eq!(told["items"][0]["event"], "inquiry_answered");

        // Closed with how it ended.
        let res = app.api_post(&w, &format!("/api/v1/inquiries/{id}/close"), json!({"outcome": "in_contact"})).await;
        assert_eq!(res.status(), 204);
        let mine: Value = app.api_get(&w, &format!("/api/v1/inquiries/{id}")).await.json().await.unwrap();
        assert_eq!((mine["state"].as_str(), mine["outcome"].as_str()), (Some("closed"), Some("in_contact")));
    })
    .await;
}

#[tokio::test]
async fn searching_is_limited_and_the_pages_show_both_sides_in_the_users_language() {
    each_db(|app| async move {
        let (x, _) = other_team(&app).await;
        app.api_post(&x, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await;
        let (page, csrf) = app.login("worker").await;
        let form = page.get(app.url("/inquiries/new")).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("searcher_relationship"));
        let fields = [
            ("_csrf", csrf.as_str()),
            ("searcher_name", "Chan Sophal"),
            ("searcher_relationship", "mother"),
            ("given_name_latin", "Srey Pov"),
            ("family_name_latin", "Chann"),
            ("sex", "female"),
            ("estimated_age", "11"),
            ("save", "1"),
        ];
        let res = page.post(app.url("/inquiries")).form(&fields).send().await.unwrap();
        assert_eq!(res.status(), 303, "another spelling, Latin letters");
        let at = res.headers()["location"].to_str().unwrap().to_string();
        let shown = page.get(app.url(&at)).send().await.unwrap().text().await.unwrap();
        assert!(shown.contains("Other NGO") && shown.contains("Waiting for an answer"), "{shown}");
        let list = page.get(app.url("/inquiries")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("a possible match at 1 organisation"), "{list}");

        let (boss_page, _) = app.login("otherboss").await;
        let incoming = boss_page.get(app.url("/inquiries/incoming")).send().await.unwrap().text().await.unwrap();
        assert!(incoming.contains("Chan Sophal") && incoming.contains("This is our child"), "{incoming}");

        // A social worker of the other organisation does not see the searches.
        let (x_page, _) = app.login("stranger").await;
        assert_eq!(x_page.get(app.url("/inquiries/incoming")).send().await.unwrap().status(), 403);

        // Recording is limited per hour: searching must not become a way to read the register.
        let w = app.token(&app.worker).await;
        let mut refused = 0;
        for _ in 0..krousar_domain::inquiry::INQUIRIES_PER_HOUR {
            if app.api_post(&w, "/api/v1/inquiries", search()).await.status() == 429 {
                refused += 1;
            }
        }
        assert_eq!(refused, 1, "the tenth after the page's one is refused");
    })
    .await;
}
