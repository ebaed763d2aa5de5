//! Duplicate detection: on registration and on demand, across romanisations and name order;
//! another organisation's record is announced, never shown.

use crate::app::{each_db, TestApp};
use serde_json::{json, Value};

fn sreypov(family: &str, given: &str, year: i32, village: &str) -> Value {
    json!({"family_name_latin": family, "given_name_latin": given, "sex": "female", "estimated_birth_year": year, "village_code": village})
}

/// Registers a child said to be new: these tests make duplicates on purpose (the 409 that
/// registering a likely duplicate otherwise answers is `api_contract.rs`'s).
async fn register(app: &TestApp, token: &str, mut body: Value) -> String {
    body["confirmed_new"] = json!(true);
    let res = app.api_post(token, "/api/v1/children", body).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_child_known_elsewhere_is_found_without_being_shown() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let first = register(&app, &w, sreypov("Sok", "Sreypov", 2014, "02020101")).await;
        register(&app, &w, sreypov("Chan", "Dara", 2014, "02020101")).await;

        // Another organisation, another spelling: told where, not who.
        let x = app.token(&app.other_worker).await;
        let res = app.api_post(&x, "/api/v1/children/duplicate-check", sreypov("Sokh", "Sreipov", 2015, "02020102")).await;
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        let found: Value = serde_json::from_str(&text).unwrap();
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{found}");
        assert_eq!(items[0]["org_name"], "Test NGO");
        assert_eq!(items[0]["same_org"], false);
        assert!(items[0]["child"].is_null());
        // Across organisations: where, and nothing of how alike (issue 19: that was an oracle).
        assert!(items[0].get("score").is_none() && items[0].get("name").is_none() && items[0].get("place").is_none(), "{found}");
        assert!(!text.contains("Sreypov") && !text.contains(&first), "nothing of the record leaks");

        // In the same organisation, through the form: family and given name swapped.
        let (c, csrf) = app.login("worker").await;
        let form = |confirm: bool| {
            let mut f = vec![
                ("_csrf", csrf.clone()),
                ("family_name_latin", "Sreypov".to_string()),
                ("given_name_latin", "Sok".to_string()),
                ("sex", "female".to_string()),
                ("estimated_age", "12".to_string()),
                ("village_pick", "02020101".to_string()),
                ("save", "1".to_string()),
            ];
            if confirm {
                f.push(("confirm_new", "1".to_string()));
            }
            f
        };
        let res = c.post(app.url("/children")).form(&form(false)).send().await.unwrap();
        assert_eq!(res.status(), 200, "not saved: the worker is asked first");
        let page = res.text().await.unwrap();
        assert!(page.contains(&format!("/children/{first}")), "the record the worker may open is a link");
        assert!(page.contains("name=\"confirm_new\""));
        let listed: Value = app.api_get(&w, "/api/v1/children").await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 2, "nothing registered yet");
        let res = c.post(app.url("/children")).form(&form(true)).send().await.unwrap();
        assert_eq!(res.status(), 303, "a different child: registered after the tick");
        let second = res.headers()["location"].to_str().unwrap().trim_start_matches("/children/").to_string();

        // On demand, from the record; the API says the same.
        let page = c.get(app.url(&format!("/children/{second}/duplicates"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("/children/{first}")));
        let found: Value = app.api_get(&w, &format!("/api/v1/children/{second}/duplicates")).await.json().await.unwrap();
        assert_eq!(found["items"][0]["child"]["id"], first.as_str());
        // Checks are audited: they can reveal that a child is known.
        let filter = krousar_store::audit::AuditFilter { action: Some("child.duplicate_check".into()), limit: 50, ..Default::default() };
        assert!(krousar_store::audit::list(&app.store, &filter).await.unwrap().len() >= 3);
    })
    .await;
}

#[tokio::test]
async fn two_records_of_one_child_are_merged_and_different_children_are_remembered() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let keep = register(
            &app,
            &w,
            json!({"family_name_latin": "Sok", "given_name_latin": "Sreypov", "sex": "female", "estimated_birth_year": 2014}),
        )
        .await;
        let other = register(&app, &w, sreypov("Sokh", "Sreipov", 2014, "02020101")).await;
        let twin = register(&app, &w, sreypov("Sok", "Sreypov", 2014, "02020101")).await;
        // The second record has a case, a household and a stay: all of it moves.
        let today = krousar_domain::today().to_string();
        assert_eq!(
            app.api_post(&w, &format!("/api/v1/children/{other}/case/open"), json!({"route": "prevention", "opened_on": today}))
                .await
                .status(),
            201
        );
        let home = json!({"name": "Sok family", "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": other});
        let res = app.api_post(&w, "/api/v1/households", home).await;
        assert!(res.status().is_success(), "{}", res.status());
        // A flag on each record: both stay in sight on the record kept.
        for (child, reason) in [(&keep, "Court date 12 January"), (&other, "Do not contact the father")] {
            let flag = json!({"kind": "other", "reason": reason});
            assert_eq!(app.api_post(&w, &format!("/api/v1/children/{child}/flags"), flag).await.status(), 201);
        }
        // Both records in one club, the merged one at its session: one member stays, who came.
        let club: Value = app.api_post(&w, "/api/v1/groups", json!({"name": "Club", "kind": "youth_group"})).await.json().await.unwrap();
        let club = club["id"].as_str().unwrap().to_string();
        let mut ids = Vec::new();
        for child in [&keep, &other] {
            let m: Value =
                app.api_post(&w, &format!("/api/v1/groups/{club}/members"), json!({"child_id": child})).await.json().await.unwrap();
            ids.push(m["id"].clone());
        }
        let session = json!({"held_on": today, "topic": "Football", "attended": [ids[1]]});
        assert_eq!(app.api_post(&w, &format!("/api/v1/groups/{club}/sessions"), session).await.status(), 201);
        let (c, csrf) = app.login("worker").await;
        // The twin is a different child: remembered, not proposed again.
        let res = c
            .post(app.url(&format!("/children/{keep}/duplicates/{twin}/different")))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let page = c.get(app.url(&format!("/children/{keep}/duplicates"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("/children/{other}")) && !page.contains(&format!("/children/{twin}\"")));
        let res =
            c.post(app.url(&format!("/children/{keep}/duplicates/{other}/merge"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let kept: Value = app.api_get(&w, &format!("/api/v1/children/{keep}")).await.json().await.unwrap();
        assert_eq!(kept["village_code"], "02020101", "what only the other record knew is kept");
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{keep}/case")).await.json().await.unwrap();
        assert_eq!(file["case"]["route"], "prevention", "the case moved with the child");
        let gone: Value = app.api_get(&w, &format!("/api/v1/children/{other}")).await.json().await.unwrap();
        assert_eq!(gone["merged_into"], keep.as_str(), "the merged record is kept as history");
        let flags: Value = app.api_get(&w, &format!("/api/v1/children/{keep}/flags")).await.json().await.unwrap();
        let reasons: Vec<&str> = flags["items"].as_array().unwrap().iter().filter_map(|f| f["reason"].as_str()).collect();
        assert!(reasons.contains(&"Do not contact the father") && reasons.contains(&"Court date 12 January"), "{flags}");
        let group: Value = app.api_get(&w, &format!("/api/v1/groups/{club}")).await.json().await.unwrap();
        let members = group["members"].as_array().unwrap();
        assert_eq!(members.len(), 1, "{group}");
        assert_eq!((members[0]["child_id"].as_str(), members[0]["attended"].as_i64()), (Some(keep.as_str()), Some(1)), "{group}");
        let report = app.store.check(krousar_domain::today()).await.unwrap();
        assert!(report.ok(), "{:?}", report.findings);
        let listed: Value = app.api_get(&w, "/api/v1/children").await.json().await.unwrap();
        let ids: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&keep.as_str()) && !ids.contains(&other.as_str()));
        let page = c.get(app.url(&format!("/children/{other}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("/children/{keep}")), "the old record points to the survivor");
        let homes = c.get(app.url(&format!("/children/{keep}"))).send().await.unwrap().text().await.unwrap();
        assert!(homes.contains("Sok family"));
        // A stranger cannot merge, and the refusal is a 403.
        let (x, xcsrf) = app.login("stranger").await;
        let res =
            x.post(app.url(&format!("/children/{keep}/duplicates/{twin}/merge"))).form(&[("_csrf", xcsrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 404);
        let filter = krousar_store::audit::AuditFilter { action: Some("child.merge".into()), limit: 5, ..Default::default() };
        let merges = krousar_store::audit::list(&app.store, &filter).await.unwrap();
        assert_eq!(merges.len(), 1);
        assert!(merges[0].detail.contains("village_code"), "the merge says what was taken");
    })
    .await;
}

#[tokio::test]
async fn another_organisation_is_asked_and_answers_without_the_asker_seeing_its_record() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let theirs = register(&app, &w, sreypov("Sok", "Sreypov", 2014, "02020101")).await;
        let x = app.token(&app.other_worker).await;
        let mine = register(&app, &x, sreypov("Sokh", "Sreipov", 2014, "02020101")).await;
        let (c, csrf) = app.login("stranger").await;
        let page = c.get(app.url(&format!("/children/{mine}/duplicates"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("A child known at Test NGO") && page.contains("/match-requests"));
        assert!(!page.contains(&theirs) && !page.contains("Sreypov ·"));
        let to = app.worker.org_id.to_string();
        let res = c
            .post(app.url(&format!("/children/{mine}/match-requests")))
            .form(&[("_csrf", csrf.as_str()), ("to_org", to.as_str()), ("message", "Same mother's name: Sok Sreymom")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let inbox = c.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(!inbox.contains(&theirs), "the asker's inbox names only its own child");
        // The other organisation's supervisor sees which of its children is meant, and answers.
        let (s, scsrf) = app.login("supervisor").await;
        let inbox = s.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(inbox.contains(&format!("/children/{theirs}")) && inbox.contains("Same mother"));
        assert!(!inbox.contains(&mine), "and not the asker's record");
        let at = inbox.find("/match-requests/").unwrap() + "/match-requests/".len();
        let rid = &inbox[at..at + 36];
        let res = s
            .post(app.url(&format!("/match-requests/{rid}/answer")))
            .form(&[("_csrf", scsrf.as_str()), ("answer", "Yes, we will send a referral")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let inbox = c.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(inbox.contains("Yes, we will send a referral"));
    })
    .await;
}

/// The whole organisation scanned as a background job: pairs inside it shown to its supervisor,
/// a match elsewhere only named; a pair marked different leaves the list; workers cannot scan.
#[tokio::test]
async fn an_organisation_scan_finds_children_registered_twice() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let a = register(&app, &w, sreypov("Sok", "Sreypov", 2014, "02020101")).await;
        let b = register(&app, &w, sreypov("Sreipov", "Sokh", 2014, "02020101")).await;
        let lone = register(&app, &w, sreypov("Chan", "Dara", 2009, "12010101")).await;
        let x = app.token(&app.other_worker).await;
        register(&app, &x, sreypov("Ouk", "Dara", 2009, "12010101")).await;
        register(&app, &x, sreypov("Chann", "Daraa", 2009, "12010102")).await;

        assert_eq!(app.api_post(&w, "/api/v1/duplicate-scans", json!({})).await.status(), 403, "a worker does not scan");
        let (c, csrf) = app.login("supervisor").await;
        assert!(c.get(app.url("/team")).send().await.unwrap().text().await.unwrap().contains("/duplicates"));
        let res = c.post(app.url("/duplicates/scan")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let s = app.token(&app.supervisor).await;
        let mut latest = Value::Null;
        for _ in 0..100 {
            latest = app.api_get(&s, "/api/v1/duplicate-scans/latest").await.json().await.unwrap();
            if latest["scan"]["state"] == "done" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(latest["scan"]["state"], "done", "{latest}");
        assert_eq!(latest["scan"]["checked"], 3);
        let items = latest["items"].as_array().unwrap();
        let pair = |x: &str, y: &str| {
            items.iter().any(|p| (p["child"]["id"] == x && p["other"]["id"] == y) || (p["child"]["id"] == y && p["other"]["id"] == x))
        };
        assert!(pair(&a, &b), "{latest}");
        let elsewhere: Vec<&Value> = items.iter().filter(|p| p["other"].is_null()).collect();
        assert!(elsewhere.iter().any(|p| p["child"]["id"] == lone.as_str() && p["other_org"] == "Other NGO"), "{latest}");
        let text = latest.to_string();
        assert!(!text.contains("Ouk") && !text.contains("Daraa"), "the other organisation's children are not shown");

        let page = c.get(app.url("/duplicates")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Sreypov") && page.contains("A child known at Other NGO") && !page.contains("Ouk"));

        // The data-quality report names them, until someone decides.
        let quality = c.get(app.url("/quality")).send().await.unwrap().text().await.unwrap();
        let dup_section = quality.split("Possible duplicate found by the last duplicate scan").nth(1).unwrap_or("");
        assert!(dup_section.contains(&format!("/children/{a}")), "{quality}");
        // Marked different, the pair leaves the list.
        let res =
            c.post(app.url(&format!("/children/{a}/duplicates/{b}/different"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let after: Value = app.api_get(&s, "/api/v1/duplicate-scans/latest").await.json().await.unwrap();
        assert!(!after["items"].as_array().unwrap().iter().any(|p| p["other"]["id"] == a.as_str() || p["other"]["id"] == b.as_str()));
        let quality = c.get(app.url("/quality")).send().await.unwrap().text().await.unwrap();
        let dup_section = quality.split("Possible duplicate found by the last duplicate scan").nth(1).unwrap_or("");
        assert!(!dup_section.contains(&format!("/children/{a}\"")), "decided: {quality}");

        let (wc, _) = app.login("worker").await;
        assert_eq!(wc.get(app.url("/duplicates")).send().await.unwrap().status(), 403);
        let started: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('duplicates.scan_started', 'duplicates.scan_finished')")
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        assert_eq!(started, 2);
    })
    .await;
}

/// The answer about another organisation's child must not move with the village or the day of
/// birth asked about: before issue 19 the score and "birth same/close, place level" found her
/// exact village in 49 requests. Three villages and two days give the same bytes, through the
/// API and through the registration form.
#[tokio::test]
async fn the_check_cannot_find_where_another_organisations_child_lives_or_when_she_was_born() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let born = json!({"family_name_latin": "Sok", "given_name_latin": "Sreypov", "sex": "female", "date_of_birth": "2014-06-02", "village_code": "02020101"});
        let id = register(&app, &w, born).await;
        let x = app.token(&app.other_worker).await;
        let mut answers = Vec::new();
        for village in ["02020101", "02020102", "12010101"] {
            for date in ["2014-06-02", "2014-06-03"] {
                let probe = json!({"family_name_latin": "Sok", "given_name_latin": "Sreypov", "sex": "female", "date_of_birth": date, "village_code": village});
                let res = app.api_post(&x, "/api/v1/children/duplicate-check", probe).await;
                assert_eq!(res.status(), 200);
                answers.push(res.text().await.unwrap());
            }
        }
        assert!(answers.iter().all(|a| a == &answers[0]), "the answer moved with the village or the date: {answers:#?}");
        let found: Value = serde_json::from_str(&answers[0]).unwrap();
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found["items"][0]["org_name"], "Test NGO", "where a possible match is known is still said");
        assert!(!answers[0].contains(&id) && !answers[0].contains("score") && !answers[0].contains("close"), "{found}");
        // Far from the band of her birth year, the answer changes: the check still works.
        let far = json!({"family_name_latin": "Sok", "given_name_latin": "Sreypov", "sex": "female", "estimated_birth_year": 2008});
        let none: Value = app.api_post(&x, "/api/v1/children/duplicate-check", far).await.json().await.unwrap();
        assert_eq!(none["items"].as_array().unwrap().len(), 0, "{none}");

        // The registration form's warning says the same whatever the village.
        let (c, csrf) = app.login("stranger").await;
        let mut warnings = Vec::new();
        for village in ["02020101", "12010101"] {
            let form = [
                ("_csrf", csrf.as_str()),
                ("family_name_latin", "Sok"),
                ("given_name_latin", "Sreypov"),
                ("sex", "female"),
                ("date_of_birth", "2014-06-02"),
                ("village_pick", village),
                ("save", "1"),
            ];
            let page = c.post(app.url("/children")).form(&form).send().await.unwrap().text().await.unwrap();
            let list = page.split("<ul class=\"duplicates\">").nth(1).and_then(|s| s.split("</ul>").next()).unwrap_or("").to_string();
            assert!(list.contains("A child known at Test NGO") && !list.contains('%'), "{list}");
            warnings.push(list);
        }
        assert_eq!(warnings[0], warnings[1]);
    })
    .await;
}

/// One user asks at most 30 times an hour, counted in the database: 40 requests at once get
/// exactly 30 answers and 10 refusals that say why.
#[tokio::test]
async fn the_check_is_limited_per_user_even_under_parallel_requests() {
    each_db(|app| async move {
        let x = app.token(&app.other_worker).await;
        let probe = json!({"family_name_latin": "Sok", "given_name_latin": "Sreypov", "sex": "female", "estimated_birth_year": 2014});
        let asks = (0..40).map(|_| {
            let (url, token, body) = (app.url("/api/v1/children/duplicate-check"), x.clone(), probe.clone());
            tokio::spawn(async move {
                let res = crate::app::client().post(url).bearer_auth(token).json(&body).send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            })
        });
        let answers: Vec<(u16, String)> = futures_util::future::join_all(asks).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(answers.iter().filter(|a| a.0 == 200).count(), 30, "{:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
        let refused: Vec<&(u16, String)> = answers.iter().filter(|a| a.0 == 429).collect();
        assert_eq!(refused.len(), 10);
        let body: Value = serde_json::from_str(&refused[0].1).unwrap();
        assert_eq!(body["error"]["code"], "too_many_requests");
        assert!(body["error"]["message"].as_str().unwrap().contains("30 times"), "{body}");
        // Another user has their own count.
        let w = app.token(&app.worker).await;
        assert_eq!(app.api_post(&w, "/api/v1/children/duplicate-check", probe).await.status(), 200);
    })
    .await;
}

/// Each check is audited with what was asked and which records it matched.
#[tokio::test]
async fn each_check_is_audited_with_its_inputs_and_the_records_matched() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let born = json!({"family_name_latin": "Sok", "given_name_latin": "Sreypov", "sex": "female", "date_of_birth": "2014-06-02", "village_code": "02020101"});
        let id = register(&app, &w, born).await;
        let x = app.token(&app.other_worker).await;
        let probe = json!({"family_name_latin": "Sokh", "given_name_latin": "Sreipov", "sex": "female", "date_of_birth": "2014-07-09", "village_code": "12010101"});
        assert_eq!(app.api_post(&x, "/api/v1/children/duplicate-check", probe).await.status(), 200);
        let filter = krousar_store::audit::AuditFilter { action: Some("child.duplicate_check".into()), limit: 5, ..Default::default() };
        let entries = krousar_store::audit::list(&app.store, &filter).await.unwrap();
        let e = entries.iter().find(|e| e.actor_id.as_deref() == Some(app.other_worker.id.to_string().as_str())).expect("audited");
        let detail: Value = serde_json::from_str(&e.detail).unwrap();
        assert_eq!(detail["inputs"]["family_name_latin"], "Sokh", "{detail}");
        assert_eq!(detail["inputs"]["given_name_latin"], "Sreipov");
        assert_eq!(detail["inputs"]["sex"], "female");
        assert_eq!(detail["inputs"]["date_of_birth"], "2014-07-09");
        assert_eq!(detail["inputs"]["village_code"], "12010101");
        // The asker's organisation's administrator reads this entry: another organisation's
        // record is counted, never named (issue 26, from an attacker's read).
        assert_eq!(detail["matched"], json!([]), "{detail}");
        assert_eq!(detail["other_orgs"], 1);
        assert!(!e.detail.contains(&id), "the other organisation's record id is not in the entry");
        // Her own organisation's records are named.
        let again = json!({"family_name_latin": "Sokh", "given_name_latin": "Sreipov", "sex": "female", "date_of_birth": "2014-06-02"});
        assert_eq!(app.api_post(&w, "/api/v1/children/duplicate-check", again).await.status(), 200);
        let entries = krousar_store::audit::list(&app.store, &filter).await.unwrap();
        let mine = entries.iter().find(|e| e.actor_id.as_deref() == Some(app.worker.id.to_string().as_str())).expect("audited");
        let detail: Value = serde_json::from_str(&mine.detail).unwrap();
        assert_eq!(detail["matched"], json!([id]), "the record matched is named in the audit");
    })
    .await;
}

/// Issue 22: a new child written only in Khmer is found among records written only in Latin
/// letters (and the reverse) — close, never "the same" — in the organisation, with the
/// record; no one of another name comes up.
#[tokio::test]
async fn a_child_written_in_the_other_script_is_found() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let latin = register(&app, &w, sreypov("Chan", "Sreypov", 2014, "02020101")).await;
        let khmer = json!({"family_name_km": "កែវ", "given_name_km": "ដារា", "sex": "male", "estimated_birth_year": 2012, "village_code": "02020101"});
        let khmer = register(&app, &w, khmer).await;
        for (probe, want) in [
            (json!({"family_name_km": "ចាន់", "given_name_km": "ស្រីពៅ", "sex": "female", "estimated_birth_year": 2014, "village_code": "02020101"}), &latin),
            (json!({"family_name_latin": "Keo", "given_name_latin": "Dara", "sex": "male", "estimated_birth_year": 2012, "village_code": "02020101"}), &khmer),
        ] {
            let found: Value = app.api_post(&w, "/api/v1/children/duplicate-check", probe.clone()).await.json().await.unwrap();
            let items = found["items"].as_array().unwrap();
            assert_eq!(items.len(), 1, "{probe}: {found}");
            assert_eq!(items[0]["child"]["id"].as_str(), Some(want.as_str()));
            assert_eq!(items[0]["name"], "close", "{found}");
        }
        let nobody = json!({"family_name_km": "សៅ", "given_name_km": "វណ្ណា", "sex": "female", "estimated_birth_year": 2014});
        let found: Value = app.api_post(&w, "/api/v1/children/duplicate-check", nobody).await.json().await.unwrap();
        assert!(found["items"].as_array().unwrap().is_empty(), "{found}");
    })
    .await;
}
