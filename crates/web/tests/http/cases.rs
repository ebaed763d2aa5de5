//! A case through the pages and through the API: forms refuse impossible input and save
//! nothing, approvals move the stage, the worker's home page shows what is due.

use crate::app::{child_json, each_db, TestApp};
use serde_json::{json, Value};

async fn new_child(app: &TestApp) -> String {
    let t = app.token(&app.worker).await;
    let c: Value = app.api_post(&t, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
    c["id"].as_str().unwrap().to_string()
}

fn csi_form(csrf: &str, score: &str) -> Vec<(String, String)> {
    let mut f = vec![("_csrf".to_string(), csrf.to_string()), ("assessed_on".to_string(), krousar_domain::today().to_string())];
    for factor in krousar_domain::case::csi::factors() {
        f.push((format!("score_{factor}"), score.to_string()));
        f.push((format!("note_{factor}"), String::new()));
    }
    f
}

#[tokio::test]
async fn a_worker_opens_assesses_and_a_supervisor_approves_through_the_pages() {
    each_db(|app| async move {
        let child = new_child(&app).await;
        let (c, csrf) = app.login("worker").await;
        let page = c.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("No case is open"));
        let form = c.get(app.url(&format!("/children/{child}/case/open"))).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("name=\"route\""), "the open form lists intake routes");
        // An emergency without immediate safety measures is refused and nothing is opened.
        let today = krousar_domain::today().to_string();
        let res = c
            .post(app.url(&format!("/children/{child}/case/open")))
            .form(&[("_csrf", csrf.as_str()), ("route", "emergency"), ("opened_on", today.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Required for an emergency"));
        let page = c.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("No case is open"));
        let res = c
            .post(app.url(&format!("/children/{child}/case/open")))
            .form(&[("_csrf", csrf.as_str()), ("route", "rci"), ("opened_on", today.as_str()), ("summary", "Found at the centre")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);

        // A score of 5 is refused next to its field; nothing is recorded.
        let res = c.post(app.url(&format!("/children/{child}/case/csi"))).form(&csi_form(&csrf, "5")).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("Choose a score from 1 to 4."));
        assert!(body.contains("aria-describedby=\"score_food_security-err\""));
        let res = c.post(app.url(&format!("/children/{child}/case/csi"))).form(&csi_form(&csrf, "2")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let page = c.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Total 24 of 48"));
        assert!(page.contains("aria-current=\"step\">Assessment"));
        let timeline = &page[page.find("class=\"timeline\"").unwrap()..];
        assert_eq!(timeline.matches("· Child Status Index").count(), 1, "one CSI in the timeline");

        let res = c
            .post(app.url(&format!("/children/{child}/case/request")))
            .form(&[("_csrf", csrf.as_str()), ("kind", "assessment")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        // The supervisor sees the request on the home page and approves it on the case page.
        let (s, scsrf) = app.login("supervisor").await;
        let home = s.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains(&format!("/children/{child}/case")), "pending approval listed on the supervisor's home page");
        let case = s.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        let at = case.find("/case/approvals/").expect("an approval form") + "/case/approvals/".len();
        let approval = &case[at..at + 36];
        let res = s
            .post(app.url(&format!("/children/{child}/case/approvals/{approval}")))
            .form(&[("_csrf", scsrf.as_str()), ("decision", "approve"), ("comment", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let page = c.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("aria-current=\"step\">Case plan"));
        let team = s.get(app.url("/team")).send().await.unwrap().text().await.unwrap();
        assert!(team.contains("worker"));
        // Nobody outside the caseload's scope reads it, and the refusal is a 404, as for an id that does not exist.
        let (x, _) = app.login("stranger").await;
        assert_eq!(x.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().status(), 404);
        assert_eq!(x.get(app.url(&format!("/children/{child}/case/risk"))).send().await.unwrap().status(), 404);
    })
    .await;
}

#[tokio::test]
async fn the_api_walks_a_case_to_follow_up_and_refuses_impossible_sequences() {
    each_db(|app| async move {
        let child = new_child(&app).await;
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let today = krousar_domain::today().to_string();
        let base = format!("/api/v1/children/{child}/case");
        let res =
            app.api_post(&w, &format!("{base}/open"), json!({"route": "report", "referral_source": "police", "opened_on": today})).await;
        assert_eq!(res.status(), 201);
        let res = app.api_post(&w, &format!("{base}/risk"), json!({"level": "severe", "reasons": "x", "assessed_on": today})).await;
        assert_eq!(res.status(), 422);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "level", "{body}");
        let res =
            app.api_post(&w, &format!("{base}/risk"), json!({"level": "high", "reasons": "Violence at home", "assessed_on": today})).await;
        assert_eq!(res.status(), 200);
        let case: Value = res.json().await.unwrap();
        assert_eq!(case["stage"], "assessment");
        assert_eq!(case["risk_level"], "high");
        // A task due before the case opened is refused.
        let res = app
            .api_post(&w, &format!("{base}/task"), json!({"title": "Call school", "owner_id": app.worker.id, "due_on": "2020-01-01"}))
            .await;
        assert_eq!(res.status(), 422);
        let res = app.api_post(&w, &format!("{base}/visit"), json!({"visited_on": today, "school": "regular", "child_seen": true})).await;
        assert_eq!(res.status(), 422, "a follow-up visit before any placement");
        let res = app.api_post(&w, &format!("{base}/close"), json!({"reason": "goals_met"})).await;
        assert_eq!(res.status(), 422, "success needs an approved plan");
        let res = app.api_post(&w, &format!("{base}/approvals"), json!({"kind": "assessment"})).await;
        assert_eq!(res.status(), 200);
        let file: Value = app.api_get(&s, &base).await.json().await.unwrap();
        let approval = file["approvals"][0]["id"].as_str().unwrap().to_string();
        let res = app.api_post(&w, &format!("{base}/approvals/{approval}"), json!({"decision": "approve"})).await;
        assert_eq!(res.status(), 403, "a worker does not approve");
        let res = app.api_post(&s, &format!("{base}/approvals/{approval}"), json!({"decision": "return"})).await;
        assert_eq!(res.status(), 422, "returning needs a comment");
        let res = app.api_post(&s, &format!("{base}/approvals/{approval}"), json!({"decision": "approve"})).await;
        assert_eq!(res.status(), 200);
        let file: Value = app.api_get(&w, &base).await.json().await.unwrap();
        assert_eq!(file["case"]["stage"], "case_plan");
        assert!(file["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "approval_decided"));
        let list: Value = app.api_get(&w, "/api/v1/worklist").await.json().await.unwrap();
        assert!(list["due"].as_array().unwrap().iter().any(|i| i["what"] == "first_contact"), "{list}");
        // A new plan version starts from the current one.
        let plan =
            json!({"goal_education": "Back to school in May", "child_view": "ខ្ញុំចង់រៀន", "review_on": krousar_domain::today().to_string()});
        assert_eq!(app.api_post(&w, &format!("{base}/plan"), plan).await.status(), 200);
        let (c, _) = app.login("worker").await;
        let form = c.get(app.url(&format!("/children/{child}/case/plan"))).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("Back to school in May") && form.contains("ខ្ញុំចង់រៀន"));
        let res = app.api_post(&w, &format!("{base}/nonsense"), json!({})).await;
        assert_eq!(res.status(), 404);
        let res = client_post_raw(&app, &w, &format!("{base}/note"), "{not json").await;
        assert_eq!(res, 400);
    })
    .await;
}

async fn client_post_raw(app: &TestApp, token: &str, path: &str, body: &str) -> u16 {
    crate::app::client()
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The smallest valid PNG (1×1 pixel).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
    0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60,
    0x82,
];

fn upload_form(csrf: Option<&str>, name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    let mut f = reqwest::multipart::Form::new();
    if let Some(c) = csrf {
        f = f.text("_csrf", c.to_string());
    }
    f.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
}

#[tokio::test]
async fn attachments_are_checked_stored_outside_the_database_and_served_only_to_those_allowed() {
    each_db(|app| async move {
        let child = new_child(&app).await;
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today().to_string();
        app.api_post(&w, &format!("/api/v1/children/{child}/case/open"), json!({"route": "prevention", "opened_on": today})).await;
        let (c, csrf) = app.login("worker").await;
        let url = app.url(&format!("/children/{child}/case/attachments"));
        // Without the form's token: refused before anything is read.
        let res = c.post(&url).multipart(upload_form(None, "photo.png", PNG.to_vec())).send().await.unwrap();
        assert_eq!(res.status(), 403);
        // A text file named like a photo is refused by its content.
        let res = c.post(&url).multipart(upload_form(Some(&csrf), "photo.jpg", b"not really a photo".to_vec())).send().await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Only photos"));
        let mut big = PNG.to_vec();
        big.resize(krousar_store::cases::attachments::MAX_BYTES + 1, 0);
        let res = c.post(&url).multipart(upload_form(Some(&csrf), "big.png", big)).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let res = c.post(&url).multipart(upload_form(Some(&csrf), "../../etc/ស្រីពៅ \"x\".png", PNG.to_vec())).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        let files = file["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 1, "refused uploads left nothing behind");
        assert_eq!(files[0]["file_name"], "ស្រីពៅ x.png", "path parts and quotes are dropped from names");
        let fid = files[0]["id"].as_str().unwrap();
        let res = c.get(app.url(&format!("/children/{child}/case/attachments/{fid}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
        // Through the API too; another organisation's worker is refused.
        let form = upload_form(None, "scan.png", PNG.to_vec());
        let res = crate::app::client()
            .post(app.url(&format!("/api/v1/children/{child}/case/attachments")))
            .bearer_auth(&w)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let x = app.token(&app.other_worker).await;
        assert_eq!(app.api_get(&x, &format!("/api/v1/children/{child}/case/attachments/{fid}")).await.status(), 404);
        // A file that belongs to a note, chosen on the page.
        let note = json!({"kind": "home_visit", "noted_on": today, "text": "Birth certificate seen"});
        app.api_post(&w, &format!("/api/v1/children/{child}/case/note"), note).await;
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        let note_id =
            file["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "note").unwrap()["id"].as_str().unwrap().to_string();
        let page = c.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("<option value=\"{note_id}\">")), "the note is offered as what the file belongs to");
        let form = upload_form(Some(&csrf), "certificate.png", PNG.to_vec()).text("entry", note_id.clone());
        assert_eq!(c.post(&url).multipart(form).send().await.unwrap().status(), 303);
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        assert!(file["attachments"].as_array().unwrap().iter().any(|a| a["entry_id"] == note_id.as_str()));
        let (xc, _) = app.login("stranger").await;
        assert_eq!(xc.get(app.url(&format!("/children/{child}/case/attachments/{fid}"))).send().await.unwrap().status(), 404);
    })
    .await;
}

#[tokio::test]
async fn an_administrator_sets_deadlines_and_defines_a_tool_that_workers_fill_in() {
    each_db(|app| async move {
        let (a, acsrf) = app.login("admin").await;
        let page = a.get(app.url("/admin/case-settings")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("1 | មិនដែល | Never"), "the definition box starts with an example");
        let mut form: Vec<(String, String)> = vec![("_csrf".into(), acsrf.clone())];
        for (i, (c, v)) in [(1, 1), (2, 1), (7, 3), (14, 6)].iter().enumerate() {
            form.push((format!("contact_{i}"), c.to_string()));
            form.push((format!("visit_{i}"), v.to_string()));
        }
        form.push(("reassessment".into(), "6".into()));
        form.push(("follow_up".into(), "12".into()));
        let res = a.post(app.url("/admin/case-settings")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 422, "follow-up shorter than two years is refused");
        form.pop();
        form.push(("follow_up".into(), "36".into()));
        assert_eq!(a.post(app.url("/admin/case-settings")).form(&form).send().await.unwrap().status(), 303);
        let s = app.store.case_settings(app.worker.org_id).await.unwrap();
        assert_eq!(s.visit_interval_months[1], 1);
        assert_eq!(s.follow_up_months, 36);
        assert_eq!(s.offline_days, 14, "left out of the form: kept");
        // How long a phone may carry cases without bringing them up to date: 1 to 60 days.
        form.push(("offline_days".into(), "0".into()));
        assert_eq!(a.post(app.url("/admin/case-settings")).form(&form).send().await.unwrap().status(), 422);
        form.pop();
        form.push(("offline_days".into(), "7".into()));
        assert_eq!(a.post(app.url("/admin/case-settings")).form(&form).send().await.unwrap().status(), 303);
        assert_eq!(app.store.case_settings(app.worker.org_id).await.unwrap().offline_days, 7);
        form.pop();

        let bad = [("_csrf", acsrf.as_str()), ("name_km", "ឧបករណ៍"), ("name_en", "Home check"), ("definition", "1 | x | y\n---\nd | d | q | q")];
        assert_eq!(a.post(app.url("/admin/tools")).form(&bad).send().await.unwrap().status(), 422);
        let def = "1 | មិនដែល | Never\n3 | ជានិច្ច | Always\n---\nគ្រួសារ | Family | ឪពុកម្តាយនិយាយជាមួយកុមារ | The parents talk with the child\nសាលា | School | កុមារទៅរៀន | The child goes to school";
        let good = [("_csrf", acsrf.as_str()), ("name_km", "ពិនិត្យផ្ទះ"), ("name_en", "Home check"), ("definition", def)];
        assert_eq!(a.post(app.url("/admin/tools")).form(&good).send().await.unwrap().status(), 303);
        let tool = app.store.tools(app.worker.org_id, true).await.unwrap().remove(0);
        // A worker may not define tools.
        let (c, csrf) = app.login("worker").await;
        assert_eq!(c.post(app.url("/admin/tools")).form(&[("_csrf", csrf.as_str()), ("name_km", "x"), ("name_en", "y"), ("definition", def)]).send().await.unwrap().status(), 403);

        let child = new_child(&app).await;
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today().to_string();
        app.api_post(&w, &format!("/api/v1/children/{child}/case/open"), json!({"route": "prevention", "opened_on": today})).await;
        let url = app.url(&format!("/children/{child}/case/tool/{}", tool.id));
        let form = c.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("The parents talk with the child"));
        let res = c.post(&url).form(&[("_csrf", csrf.as_str()), ("assessed_on", today.as_str()), ("q1", "3")]).send().await.unwrap();
        assert_eq!(res.status(), 422, "every question must be answered");
        let res = c.post(&url).form(&[("_csrf", csrf.as_str()), ("assessed_on", today.as_str()), ("q1", "3"), ("q2", "1")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        let entry = file["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "assessment").unwrap().clone();
        assert_eq!(entry["body"]["total"], 4);
        assert_eq!(file["case"]["stage"], "assessment");
        // Retired tools are not offered.
        a.post(app.url(&format!("/admin/tools/{}/active", tool.id))).form(&[("_csrf", acsrf.as_str()), ("active", "0")]).send().await.unwrap();
        let page = c.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(&format!("/case/tool/{}", tool.id)));
    })
    .await;
}

#[tokio::test]
async fn when_an_institution_closes_its_children_are_registered_and_get_cases_in_one_step() {
    each_db(|app| async move {
        let resident = new_child(&app).await;
        let (s, scsrf) = app.login("supervisor").await;
        let form = [
            ("_csrf", scsrf.as_str()),
            ("name", "Sunrise Centre"),
            ("rci_type", "private"),
            ("registration_status", "unregistered"),
            ("village_pick", "12010101"),
        ];
        let res = s.post(app.url("/rcis")).form(&form).send().await.unwrap();
        let rci = res.headers()["location"].to_str().unwrap().trim_start_matches("/rcis/").to_string();
        let (w, wcsrf) = app.login("worker").await;
        let stay = [("_csrf", wcsrf.as_str()), ("rci_id", rci.as_str()), ("entered", "2022-03-01")];
        assert_eq!(w.post(app.url(&format!("/children/{resident}/residences"))).form(&stay).send().await.unwrap().status(), 303);

        let today = krousar_domain::today().to_string();
        let bad = "សុខ ស្រីលក្ខណ៍ | Sok Sreyleak | F | 2015\n | | F |\n";
        let res = s
            .post(app.url(&format!("/rcis/{rci}/close")))
            .form(&[("_csrf", scsrf.as_str()), ("closed_on", today.as_str()), ("lines", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("Lines that could not be read: 2."), "the bad line is named");
        assert!(page.contains("Sok Sreyleak"), "what was typed is kept");
        let t = app.token(&app.supervisor).await;
        let none: Value = app.api_get(&t, "/api/v1/children?q=sreyleak").await.json().await.unwrap();
        assert_eq!(none["items"].as_array().unwrap().len(), 0, "a refused cohort registers nobody");

        let good = "សុខ ស្រីលក្ខណ៍ | Sok Sreyleak | F | 2015\nចាន់ វណ្ណា | Chan Vanna | ប្រុស | ២០១២\n";
        let res = s
            .post(app.url(&format!("/rcis/{rci}/close")))
            .form(&[("_csrf", scsrf.as_str()), ("closed_on", today.as_str()), ("lines", good)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(page.contains("2 children registered. 3 cases opened."), "{page}");
        assert!(page.contains("0 children resident"), "everyone left on the closing day");
        let found: Value = app.api_get(&t, "/api/v1/children?q=sreyleak").await.json().await.unwrap();
        let new_id = found["items"][0]["id"].as_str().unwrap().to_string();
        for child in [resident.as_str(), new_id.as_str()] {
            let file: Value = app.api_get(&t, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
            assert_eq!(file["case"]["route"], "rci");
            assert_eq!(file["case"]["referral_source"], "rci");
        }
        let list: Value = app.api_get(&t, "/api/v1/rcis").await.json().await.unwrap();
        assert_eq!(list["items"][0]["registration_status"], "closed");
        // A new version: an edit from a form opened before the closing is told, not saved over it.
        assert_eq!(list["items"][0]["version"], 2, "{list}");
        let stale = app
            .store
            .update_rci(
                &app.supervisor.actor(),
                rci.parse().unwrap(),
                1,
                app.store.rci(&app.supervisor.actor(), rci.parse().unwrap()).await.unwrap().fields,
                None,
            )
            .await;
        assert!(matches!(stale, Err(krousar_store::StoreError::Conflict { current: 2 })), "{stale:?}");
    })
    .await;
}

#[tokio::test]
async fn a_supervisor_shares_a_case_with_a_second_worker() {
    each_db(|app| async move {
        let child = new_child(&app).await;
        let hash = krousar_web::auth::hash_password(crate::app::PASSWORD).unwrap();
        let para = app
            .store
            .create_user(
                krousar_store::Who::system(),
                app.worker.org_id,
                app.worker.team_id,
                "para",
                "Para worker",
                krousar_domain::Role::SocialWorker,
                &hash,
                "en",
            )
            .await
            .unwrap();
        let t = app.token(&para).await;
        assert_eq!(app.api_get(&t, &format!("/api/v1/children/{child}")).await.status(), 404);
        let (s, scsrf) = app.login("supervisor").await;
        let share = |who: String| {
            let (s, scsrf, url) = (s.clone(), scsrf.clone(), app.url(&format!("/children/{child}/co-worker")));
            async move { s.post(url).form(&[("_csrf", scsrf.as_str()), ("co_worker", who.as_str())]).send().await.unwrap().status() }
        };
        assert_eq!(share(app.worker.id.to_string()).await, 200, "the main worker cannot also be the second (shown as an error)");
        assert_eq!(share(para.id.to_string()).await, 303);
        assert_eq!(app.api_get(&t, &format!("/api/v1/children/{child}")).await.status(), 200);
        let mine: Value = app.api_get(&t, "/api/v1/children").await.json().await.unwrap();
        assert_eq!(mine["items"].as_array().unwrap().len(), 0, "not in the caseload list (one index range)");
        let shared: Value = app.api_get(&t, "/api/v1/children?shared=true").await.json().await.unwrap();
        assert_eq!(shared["items"].as_array().unwrap().len(), 1, "but in the list of cases shared with me");
        let (p, _) = app.login("para").await;
        let page = p.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Para worker"));
        let home = p.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("/children?shared=1"));
        assert_eq!(share(String::new()).await, 303);
        assert_eq!(app.api_get(&t, &format!("/api/v1/children/{child}")).await.status(), 404);
    })
    .await;
}

/// Many readers of one case file at once are all answered: reading a case must not hold one
/// pooled connection while waiting for another (sixteen concurrent readers once took every
/// connection and were answered by none until the pool's timeout).
#[tokio::test]
async fn many_concurrent_readers_of_a_case_file_are_all_answered() {
    each_db(|app| async move {
        let child = new_child(&app).await;
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today().to_string();
        let base = format!("/api/v1/children/{child}/case");
        let res =
            app.api_post(&w, &format!("{base}/open"), json!({"route": "report", "referral_source": "police", "opened_on": today})).await;
        assert_eq!(res.status(), 201);
        let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(20)).build().unwrap();
        let reads = (0..48).map(|_| {
            let (client, url, w) = (client.clone(), app.url(&base), w.clone());
            async move { client.get(url).bearer_auth(w).send().await.map(|r| r.status().as_u16()) }
        });
        let answers = futures_util::future::join_all(reads).await;
        let unanswered = answers.iter().filter(|a| !matches!(a, Ok(200))).count();
        assert_eq!(unanswered, 0, "of 48 concurrent readers, {unanswered} were not answered in time");
        // Their audits were appended in batches (several rows in one statement): each read is
        // there once, and the chain holds.
        let reads: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_log WHERE record_id = '{child}' AND action = 'case.view'"
        )))
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(reads, 48);
        let chain = krousar_store::audit::verify(&app.store).await.unwrap();
        assert_eq!(chain.broken_at, None, "{chain:?}");
    })
    .await;
}
