//! What another organisation reads of a child (issue 19): a referral's consent limits the case,
//! its approvals and their comments, the visit schedule, files and forms; a transfer's sender
//! keeps only what it recorded, and only its people who worked on the case; protection
//! categories are sensitive; each referral names its child only to whoever may read it; an
//! institution is changed by the organisation that works with it or the ministry.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::choices::{OrgKind, RciRegistration, RciType};
use krousar_domain::rci::RciFields;
use krousar_domain::Role;
use krousar_store::accounts::User;
use krousar_store::Who;
use serde_json::{json, Value};

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
    0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60,
    0x82,
];

/// What only the case's own people may read, each a marker a leak would show.
const CASE_MARKERS: [&str; 6] = ["SUMMARY-MARK", "SAFETY-MARK", "RISK-MARK", "NOTE-MARK", "COMMENT-MARK", "PROTECT-MARK"];

fn today() -> String {
    krousar_domain::today().to_string()
}

async fn user(app: &TestApp, org: uuid::Uuid, name: &str, role: Role) -> User {
    let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
    app.store.create_user(Who::system(), org, None, name, name, role, &hash, "en").await.unwrap()
}

/// A child of the worker's organisation with everything a case holds: protection categories, an
/// intake summary, a risk assessment, a note, an approval returned with a comment, a file.
/// Returns the child's id and the file's id.
async fn full_case(app: &TestApp, w: &str, s: &str) -> (String, String) {
    let mut body = child_json("ស្រីនាង", "Sreyneang");
    body["protection"] = json!(["abused"]);
    body["protection_note"] = json!("PROTECT-MARK");
    let child: Value = app.api_post(w, "/api/v1/children", body).await.json().await.unwrap();
    let id = child["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/children/{id}/case");
    let open = json!({"route": "emergency", "opened_on": today(), "summary": "SUMMARY-MARK", "immediate_safety": "SAFETY-MARK"});
    assert_eq!(app.api_post(w, &format!("{base}/open"), open).await.status(), 201);
    let risk = json!({"level": "high", "reasons": "RISK-MARK", "assessed_on": today()});
    assert_eq!(app.api_post(w, &format!("{base}/risk"), risk).await.status(), 200);
    let note = json!({"kind": "phone", "noted_on": today(), "text": "NOTE-MARK"});
    assert_eq!(app.api_post(w, &format!("{base}/note"), note).await.status(), 200);
    assert_eq!(app.api_post(w, &format!("{base}/approvals"), json!({"kind": "assessment"})).await.status(), 200);
    let file: Value = app.api_get(s, &base).await.json().await.unwrap();
    let approval = file["approvals"][0]["id"].as_str().unwrap().to_string();
    let back = json!({"decision": "return", "comment": "COMMENT-MARK"});
    assert_eq!(app.api_post(s, &format!("{base}/approvals/{approval}"), back).await.status(), 200);
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("x.png"));
    let res = crate::app::client().post(app.url(&format!("{base}/attachments"))).bearer_auth(w).multipart(form).send().await.unwrap();
    let fid = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    (id, fid)
}

/// Send a referral (or transfer) of `child` to `to` with consent to `shares`, accepted there by
/// `boss`. Returns the referral's id.
async fn referred(app: &TestApp, w: &str, child: &str, to: uuid::Uuid, kind: &str, shares: &[&str], boss: &User) -> String {
    let body = json!({"to_org": to, "kind": kind, "services": "Family support", "reason": "Moved", "consent_by": "parent",
        "consent_on": today(), "shares": shares});
    assert_eq!(app.api_post(w, &format!("/api/v1/children/{child}/referrals"), body).await.status(), 201);
    let bt = app.token(boss).await;
    let list: Value = app.api_get(&bt, "/api/v1/referrals").await.json().await.unwrap();
    let rid = list["items"].as_array().unwrap().iter().find(|r| r["child_id"] == child).unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(app.api_post(&bt, &format!("/api/v1/referrals/{rid}/accept"), json!({})).await.status(), 204);
    rid
}

#[tokio::test]
async fn a_consent_to_identity_only_opens_the_name_and_nothing_of_the_case() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let (child, fid) = full_case(&app, &w, &s).await;
        let boss = user(&app, app.other_worker.org_id, "otherboss", Role::Supervisor).await;
        referred(&app, &w, &child, app.other_worker.org_id, "referral", &["identity"], &boss).await;

        // The owner reads it all (the test can fail).
        let own = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.text().await.unwrap();
        for m in &CASE_MARKERS[..5] {
            assert!(own.contains(m), "the owner reads {m}");
        }
        for reader in [&app.other_worker, &boss] {
            let t = app.token(reader).await;
            let record = app.api_get(&t, &format!("/api/v1/children/{child}")).await;
            assert_eq!(record.status(), 200);
            let record: Value = record.json().await.unwrap();
            assert_eq!(record["given_name_latin"], "Sreyneang", "identity is consented");
            assert_eq!(record["protection"], json!([]), "protection categories are sensitive");
            assert!(record["withheld"].as_array().unwrap().contains(&json!("protection")), "shown as withheld, not as none");
            let file = app.api_get(&t, &format!("/api/v1/children/{child}/case")).await;
            assert_eq!(file.status(), 200);
            let text = file.text().await.unwrap();
            for m in CASE_MARKERS {
                assert!(!text.contains(m), "{} reads {m} in the case file: {text}", reader.username);
            }
            let file: Value = serde_json::from_str(&text).unwrap();
            assert!(file["case"]["risk_level"].is_null() && file["case"]["summary"].is_null());
            assert_eq!(file["approvals"], json!([]), "approvals and their comments");
            assert_eq!(file["visits"], json!([]), "the visit schedule");
            assert_eq!(file["attachments"], json!([]));
            for part in ["summary", "risk", "placement", "visits", "attachments"] {
                assert!(file["withheld"].as_array().unwrap().contains(&json!(part)), "{part} said withheld");
            }
            // What a write answers is cut like a read: a receiver records a service.
            let service = json!({"service": "health_care", "provider": "own", "provided_on": today()});
            let res = app.api_post(&t, &format!("/api/v1/children/{child}/case/service"), service).await;
            assert_eq!(res.status(), 200);
            let answered: Value = res.json().await.unwrap();
            assert!(answered["summary"].is_null() && answered["risk_level"].is_null() && answered["supervisor_id"].is_null(), "{answered}");
            assert_eq!(app.api_get(&t, &format!("/api/v1/children/{child}/cash")).await.status(), 404, "cash support");
            let by_id = app.api_get(&t, &format!("/api/v1/children/{child}/case/attachments/{fid}")).await;
            assert_eq!(by_id.status(), 404, "a file by its id");
            // The pages: the case says what is not shared; the ministry's forms are not theirs.
            let (c, _) = app.login(&reader.username).await;
            let page = c.get(app.url(&format!("/children/{child}/case"))).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("not shared with your organisation"), "{page}");
            let profile = c.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
            assert!(profile.contains("Sreyneang") && profile.contains("Not shared with you") && !profile.contains("Abused"));
            for m in CASE_MARKERS {
                assert!(!page.contains(m) && !profile.contains(m), "{} reads {m} on a page", reader.username);
            }
            // The forms are for whoever records them: their choices name the owner's people.
            let task_form = c.get(app.url(&format!("/children/{child}/case/task"))).send().await.unwrap();
            assert_eq!(task_form.status(), 403, "the task form lists the other organisation's staff");
            for n in 1..=6 {
                let form = c.get(app.url(&format!("/children/{child}/case/forms/{n}?format=html"))).send().await.unwrap();
                assert_eq!(form.status(), 404, "ministry form {n}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn after_a_transfer_only_the_senders_people_on_the_case_read_what_was_recorded_before() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let (child, _) = full_case(&app, &w, &s).await;
        let org = app.worker.org_id;
        let colleague = user(&app, org, "colleague", Role::SocialWorker).await;
        let manager = user(&app, org, "ourmanager", Role::Manager).await;
        let boss = user(&app, app.other_worker.org_id, "otherboss", Role::Supervisor).await;
        referred(&app, &w, &child, app.other_worker.org_id, "transfer", &["identity", "case_summary"], &boss).await;

        // The receiver works on: a new address-like detail and a note of its own.
        let bt = app.token(&boss).await;
        let now: Value = app.api_get(&bt, &format!("/api/v1/children/{child}")).await.json().await.unwrap();
        let patch = json!({"version": now["version"], "nickname": "AFTER-NICK"});
        let res =
            crate::app::client().patch(app.url(&format!("/api/v1/children/{child}"))).bearer_auth(&bt).json(&patch).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let note = json!({"kind": "phone", "noted_on": today(), "text": "AFTER-MARK"});
        assert_eq!(app.api_post(&bt, &format!("/api/v1/children/{child}/case/note"), note).await.status(), 200);

        // The worker who had the case reads what her organisation recorded, as it was.
        let record: Value = app.api_get(&w, &format!("/api/v1/children/{child}")).await.json().await.unwrap();
        assert_eq!(record["given_name_latin"], "Sreyneang");
        assert!(!record.to_string().contains("AFTER-NICK"), "the receiver's later changes are not the sender's: {record}");
        let file = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.text().await.unwrap();
        assert!(file.contains("NOTE-MARK"), "what she recorded");
        assert!(!file.contains("AFTER-MARK"), "nothing the receiver wrote after the transfer");
        let parsed: Value = serde_json::from_str(&file).unwrap();
        assert_eq!(parsed["approvals"], json!([]), "the approvals are the receiver's case now");
        assert!(parsed["case"]["summary"].is_null() && parsed["case"]["risk_level"].is_null(), "the case as the receiver keeps it");
        // The sender's supervisor approved on the case: she worked on it too.
        assert_eq!(app.api_get(&s, &format!("/api/v1/children/{child}/case")).await.status(), 200);
        // Nobody else of the sender: not a colleague, not the manager.
        for other in [&colleague, &manager] {
            let t = app.token(other).await;
            assert_eq!(app.api_get(&t, &format!("/api/v1/children/{child}")).await.status(), 404, "{}", other.username);
            assert_eq!(app.api_get(&t, &format!("/api/v1/children/{child}/case")).await.status(), 404, "{}", other.username);
        }
    })
    .await;
}

#[tokio::test]
async fn a_managers_list_and_export_show_protection_categories_as_withheld() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let (child, _) = full_case(&app, &w, &s).await;
        let manager = user(&app, app.worker.org_id, "ourmanager", Role::Manager).await;
        let m = app.token(&manager).await;
        let list = app.api_get(&m, "/api/v1/children").await.text().await.unwrap();
        assert!(list.contains(&child) && !list.contains("abused") && !list.contains("PROTECT-MARK"), "{list}");
        let one = app.api_get(&m, &format!("/api/v1/children/{child}")).await.text().await.unwrap();
        assert!(!one.contains("abused") && one.contains("\"withheld\""), "{one}");
        // The case's own worker still reads them.
        let own = app.api_get(&w, &format!("/api/v1/children/{child}")).await.text().await.unwrap();
        assert!(own.contains("abused") && own.contains("PROTECT-MARK"));
        let (c, _) = app.login("ourmanager").await;
        let csv = c.get(app.url("/children/export?format=csv")).send().await.unwrap().text().await.unwrap();
        assert!(!csv.contains("PROTECT-MARK") && !csv.to_lowercase().contains("abused"), "{csv}");
    })
    .await;
}

#[tokio::test]
async fn a_referral_names_its_child_only_to_whoever_may_read_it() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let (child, _) = full_case(&app, &w, &s).await;
        let colleague = user(&app, app.worker.org_id, "colleague", Role::SocialWorker).await;
        let boss = user(&app, app.other_worker.org_id, "otherboss", Role::Supervisor).await;
        referred(&app, &w, &child, app.other_worker.org_id, "referral", &["identity"], &boss).await;
        let row = |list: &Value| list["items"].as_array().unwrap().iter().find(|r| r["child_id"] == child.as_str()).cloned();
        let mine: Value = app.api_get(&w, "/api/v1/referrals").await.json().await.unwrap();
        assert!(row(&mine).unwrap()["child_name"].as_str().is_some_and(|n| n.contains("Sreyneang")));
        // A colleague who may not read the child learns nothing of it: not its name, not the
        // referral's reasons and services that describe it.
        let theirs: Value = app.api_get(&app.token(&colleague).await, "/api/v1/referrals").await.json().await.unwrap();
        assert!(row(&theirs).is_none(), "{theirs}");
        let page = app.login("colleague").await.0.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Sreyneang") && !page.contains("Family support"));

        // The printed referral to a partner outside Krousar is the sender's paper: not the receiver's.
        let (c, csrf) = app.login("worker").await;
        let form = [
            ("_csrf", csrf.as_str()),
            ("kind", "referral"),
            ("partner", "Friends of the Village"),
            ("services", "School"),
            ("reason", "Fees"),
            ("urgency", "normal"),
            ("consent_by", "parent"),
            ("consent_on", &today()),
            ("shares", "identity"),
        ];
        assert_eq!(c.post(app.url(&format!("/children/{child}/referral"))).form(&form).send().await.unwrap().status(), 303);
        let inbox = c.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        let at = inbox.find("/referrals/external/").unwrap() + "/referrals/external/".len();
        let rid = &inbox[at..at + 36];
        let url = app.url(&format!("/referrals/external/{rid}/form?format=html"));
        assert_eq!(c.get(&url).send().await.unwrap().status(), 200);
        let (x, _) = app.login("otherboss").await;
        assert_eq!(x.get(&url).send().await.unwrap().status(), 404, "the receiver reads the child, not the sender's papers");
    })
    .await;
}

#[tokio::test]
async fn another_organisations_record_and_a_random_id_answer_alike() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let (child, fid) = full_case(&app, &w, &s).await;
        let x = app.token(&app.other_worker).await;
        let random = uuid::Uuid::now_v7();
        for (theirs, none) in [
            (format!("/api/v1/children/{child}"), format!("/api/v1/children/{random}")),
            (format!("/api/v1/children/{child}/case"), format!("/api/v1/children/{random}/case")),
            (format!("/api/v1/children/{child}/case/attachments/{fid}"), format!("/api/v1/children/{random}/case/attachments/{fid}")),
            (format!("/api/v1/children/{child}/sensitive"), format!("/api/v1/children/{random}/sensitive")),
        ] {
            let (a, b) = (app.api_get(&x, &theirs).await, app.api_get(&x, &none).await);
            assert_eq!(a.status(), b.status(), "{theirs}");
            let same = |t: String| crate::app::without_reference(&t);
            assert_eq!(same(a.text().await.unwrap()), same(b.text().await.unwrap()), "{theirs}");
        }
        let (c, _) = app.login("stranger").await;
        for (theirs, none) in [
            (format!("/children/{child}"), format!("/children/{random}")),
            (format!("/children/{child}/case"), format!("/children/{random}/case")),
        ] {
            let a = c.get(app.url(&theirs)).send().await.unwrap();
            let b = c.get(app.url(&none)).send().await.unwrap();
            assert_eq!((a.status(), b.status()), (b.status(), a.status()));
            assert_eq!(a.status(), 404, "{theirs}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_institutions_transition_is_changed_by_its_partner_or_the_ministry() {
    each_db(|app| async move {
        let fields = RciFields {
            name: "Hope Centre".into(),
            rci_type: RciType::Ngo,
            village_code: Some("02020101".into()),
            capacity: Some(40),
            registration_status: RciRegistration::Registered,
            note: None,
        };
        let rci = app.store.create_rci(&app.supervisor.actor(), fields).await.unwrap().id;
        let ministry = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        user(&app, app.other_worker.org_id, "otherboss", Role::Supervisor).await;
        user(&app, ministry.id, "mosvy", Role::Ministry).await;
        let stage = |who: &'static str, to: &'static str| {
            let app = &app;
            async move {
                let (c, csrf) = app.login(who).await;
                let page = c.get(app.url(&format!("/rcis/{rci}"))).send().await.unwrap().text().await.unwrap();
                let offered = page.contains(&format!("/rcis/{rci}/stage"));
                let form = [("_csrf", csrf.as_str()), ("stage", to), ("on", &today())];
                (offered, c.post(app.url(&format!("/rcis/{rci}/stage"))).form(&form).send().await.unwrap().status().as_u16())
            }
        };
        assert_eq!(stage("otherboss", "planning").await, (false, 403), "another organisation's supervisor");
        assert_eq!(stage("supervisor", "planning").await, (true, 303), "the organisation that works with it");
        assert_eq!(stage("mosvy", "transitioning").await, (true, 303), "the ministry");
        let now = app.store.rci(&app.supervisor.actor(), rci).await.unwrap();
        assert_eq!(now.transition_stage.code(), "transitioning");
    })
    .await;
}
