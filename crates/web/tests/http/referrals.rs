//! Referrals and transfers between organisations: consent first, the receiver's supervisor
//! decides, the consent limits what the receiver reads, a transfer moves the case.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

async fn child_with_case(app: &TestApp, token: &str, name: &str) -> String {
    let c: Value = app.api_post(token, "/api/v1/children", child_json("ស្រីពៅ", name)).await.json().await.unwrap();
    let id = c["id"].as_str().unwrap().to_string();
    let today = krousar_domain::today().to_string();
    assert_eq!(
        app.api_post(token, &format!("/api/v1/children/{id}/case/open"), json!({"route": "prevention", "opened_on": today})).await.status(),
        201
    );
    let note = json!({"kind": "phone", "noted_on": today, "text": "Mother worried about school fees"});
    assert_eq!(app.api_post(token, &format!("/api/v1/children/{id}/case/note"), note).await.status(), 200);
    id
}

fn referral(to: &str, kind: &str, consent: bool) -> Vec<(String, String)> {
    let mut f = vec![
        ("to_org".to_string(), to.to_string()),
        ("kind".to_string(), kind.to_string()),
        ("services".to_string(), "Vocational training".to_string()),
        ("reason".to_string(), "Family moved to Siem Reap".to_string()),
        ("urgency".to_string(), "normal".to_string()),
    ];
    if consent {
        f.push(("consent_by".into(), "parent".into()));
        f.push(("consent_on".into(), krousar_domain::today().to_string()));
        f.push(("shares".into(), "identity".into()));
        f.push(("shares".into(), "case_summary".into()));
    }
    f
}

fn with_csrf(mut f: Vec<(String, String)>, csrf: &str) -> Vec<(String, String)> {
    f.insert(0, ("_csrf".into(), csrf.into()));
    f
}

#[tokio::test]
async fn a_referral_needs_consent_and_the_receivers_supervisor_and_shares_only_what_was_consented() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other_org = app.other_worker.org_id;
        app.store.create_user(Who::system(), other_org, None, "otherboss", "Other boss", Role::Supervisor, &hash, "en").await.unwrap();
        let w = app.token(&app.worker).await;
        let child = child_with_case(&app, &w, "Sreypov").await;
        let (c, csrf) = app.login("worker").await;
        let url = app.url(&format!("/children/{child}/referral"));
        let to = other_org.to_string();

        let res = c.post(&url).form(&with_csrf(referral(&to, "referral", false), &csrf)).send().await.unwrap();
        assert_eq!(res.status(), 422, "no consent, no referral");
        let mut overridden = referral(&to, "referral", false);
        overridden.push(("override_reason".into(), "Urgent".into()));
        assert_eq!(c.post(&url).form(&with_csrf(overridden, &csrf)).send().await.unwrap().status(), 403, "a worker cannot override");
        assert_eq!(c.post(&url).form(&with_csrf(referral(&to, "referral", true), &csrf)).send().await.unwrap().status(), 303);
        assert_eq!(
            c.post(&url).form(&with_csrf(referral(&to, "referral", true), &csrf)).send().await.unwrap().status(),
            422,
            "one pending at a time"
        );

        // The receiving worker sees it (the consent covers the name) but does not decide.
        let (x, xcsrf) = app.login("stranger").await;
        let inbox = x.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(inbox.contains("Sreypov") && inbox.contains("Vocational training"));
        assert_eq!(x.get(app.url(&format!("/children/{child}"))).send().await.unwrap().status(), 404, "not before acceptance");
        let rid = app.store.referrals(&app.other_worker.actor(), false).await.unwrap()[0].id;
        let res = x.post(app.url(&format!("/referrals/{rid}/accept"))).form(&[("_csrf", xcsrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 403, "a worker does not accept");
        let (b, bcsrf) = app.login("otherboss").await;
        assert_eq!(
            b.post(app.url(&format!("/referrals/{rid}/decline"))).form(&[("_csrf", bcsrf.as_str())]).send().await.unwrap().status(),
            422,
            "declining needs a reason"
        );
        assert_eq!(
            b.post(app.url(&format!("/referrals/{rid}/accept"))).form(&[("_csrf", bcsrf.as_str())]).send().await.unwrap().status(),
            303
        );

        // Now the receiver reads the child and what the consent covers — not the notes.
        let xt = app.token(&app.other_worker).await;
        assert_eq!(app.api_get(&xt, &format!("/api/v1/children/{child}")).await.status(), 200);
        let file: Value = app.api_get(&xt, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        let kinds: Vec<&str> = file["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"intake") && !kinds.contains(&"note"), "{kinds:?}");
        assert!(!file.to_string().contains("school fees"));
        // Reading is not working on the case: the sender keeps it.
        let note = json!({"kind": "phone", "noted_on": krousar_domain::today().to_string(), "text": "x"});
        assert_eq!(app.api_post(&xt, &format!("/api/v1/children/{child}/case/note"), note).await.status(), 403);
        // It provides the service and records it; it sees its own record though the consent
        // does not cover services.
        let service = json!({"service": "vocational_training", "provider": "own", "provided_on": krousar_domain::today().to_string(), "outcome": "Enrolled in sewing"});
        assert_eq!(app.api_post(&xt, &format!("/api/v1/children/{child}/case/service"), service).await.status(), 200);
        let file: Value = app.api_get(&xt, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        assert!(file.to_string().contains("Enrolled in sewing"));
        let own: Value = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        assert!(
            own["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "referral_decided"),
            "the sender's history shows the decision"
        );
    })
    .await;
}

#[tokio::test]
async fn a_transfer_moves_the_case_and_a_pending_referral_can_be_withdrawn() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other_org = app.other_worker.org_id;
        let boss =
            app.store.create_user(Who::system(), other_org, None, "otherboss", "Other boss", Role::Supervisor, &hash, "en").await.unwrap();
        let w = app.token(&app.worker).await;
        let child = child_with_case(&app, &w, "Dara").await;
        let (c, csrf) = app.login("worker").await;
        let to = other_org.to_string();
        let url = app.url(&format!("/children/{child}/referral"));
        assert_eq!(c.post(&url).form(&with_csrf(referral(&to, "transfer", true), &csrf)).send().await.unwrap().status(), 303);
        let rid = app.store.referrals(&boss.actor(), false).await.unwrap()[0].id;
        let (b, bcsrf) = app.login("otherboss").await;
        assert_eq!(
            b.post(app.url(&format!("/referrals/{rid}/accept"))).form(&[("_csrf", bcsrf.as_str())]).send().await.unwrap().status(),
            303
        );
        let bt = app.token(&boss).await;
        let moved: Value = app.api_get(&bt, &format!("/api/v1/children/{child}")).await.json().await.unwrap();
        assert_eq!(moved["org_id"], to.as_str());
        assert_eq!(moved["assigned_worker_id"], boss.id.to_string().as_str(), "in the accepting supervisor's caseload");
        // The case moved with the child: the receiving organisation's manager counts it (read
        // from the organisation's own case indexes), the sender's no longer does.
        let receiving =
            app.store.create_user(Who::system(), other_org, None, "othermanager", "M", Role::Manager, &hash, "en").await.unwrap().actor();
        let sending =
            app.store.create_user(Who::system(), app.worker.org_id, None, "ourmanager", "M", Role::Manager, &hash, "en").await.unwrap().actor();
        let counted = |w: krousar_store::cases::Worklist| w.by_stage.iter().map(|s| s.count).sum::<i64>();
        assert_eq!(counted(app.store.worklist(&receiving, false).await.unwrap()), 1);
        assert_eq!(counted(app.store.worklist(&sending, false).await.unwrap()), 0);
        // The sender still reads what it recorded, and no longer works on it.
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        assert!(file.to_string().contains("school fees"));
        let note = json!({"kind": "phone", "noted_on": krousar_domain::today().to_string(), "text": "x"});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{child}/case/note"), note.clone()).await.status(), 403);
        assert_eq!(app.api_post(&bt, &format!("/api/v1/children/{child}/case/note"), note).await.status(), 200);

        // A referral sent and withdrawn cannot be accepted afterwards.
        let second = child_with_case(&app, &w, "Vanna").await;
        let url = app.url(&format!("/children/{second}/referral"));
        assert_eq!(c.post(&url).form(&with_csrf(referral(&to, "referral", true), &csrf)).send().await.unwrap().status(), 303);
        let pending =
            app.store.referrals(&boss.actor(), false).await.unwrap().into_iter().find(|r| r.child_id.to_string() == second).unwrap().id;
        assert_eq!(
            c.post(app.url(&format!("/referrals/{pending}/withdraw"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().status(),
            303
        );
        assert_eq!(
            b.post(app.url(&format!("/referrals/{pending}/accept"))).form(&[("_csrf", bcsrf.as_str())]).send().await.unwrap().status(),
            422
        );
        // The same through the API: a declined referral, with its reason, is in both lists.
        let third = child_with_case(&app, &w, "Mony").await;
        let body = json!({"to_org": to, "services": "Health care", "reason": "Clinic nearby", "consent_by": "child", "consent_on": krousar_domain::today().to_string(), "shares": ["identity"]});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{third}/referrals"), body).await.status(), 201);
        let theirs: Value = app.api_get(&bt, "/api/v1/referrals").await.json().await.unwrap();
        let rid = theirs["items"].as_array().unwrap().iter().find(|r| r["child_id"] == third.as_str()).unwrap()["id"].as_str().unwrap().to_string();
        assert_eq!(app.api_post(&bt, &format!("/api/v1/referrals/{rid}/decline"), json!({"reason": "No places left"})).await.status(), 204);
        let ours: Value = app.api_get(&w, "/api/v1/referrals").await.json().await.unwrap();
        let mine = ours["items"].as_array().unwrap().iter().find(|r| r["id"] == rid.as_str()).unwrap().clone();
        assert_eq!(mine["state"], "declined");
        assert_eq!(mine["decision_reason"], "No places left");
        let log = krousar_store::audit::list(
            &app.store,
            &krousar_store::audit::AuditFilter { action: Some("referral.decide".into()), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
        assert_eq!(log.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_referral_outside_krousar_is_printed_and_its_outcome_recorded() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let child = child_with_case(&app, &w, "Sophea").await;
        let (c, csrf) = app.login("worker").await;
        let mut form = referral("", "referral", true);
        form.push(("partner".into(), "Friends of the Village".into()));
        let res = c.post(app.url(&format!("/children/{child}/referral"))).form(&with_csrf(form, &csrf)).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let inbox = c.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(inbox.contains("Friends of the Village"));
        let at = inbox.find("/referrals/external/").unwrap() + "/referrals/external/".len();
        let rid = inbox[at..at + 36].to_string();
        let km = c.get(app.url(&format!("/referrals/external/{rid}/form?format=html"))).send().await.unwrap().text().await.unwrap();
        assert!(km.contains("ការបញ្ជូនកុមារ") && km.contains("Sophea") && km.contains("Vocational training"));
        let en = c.get(app.url(&format!("/referrals/external/{rid}/form?format=html&lang=en"))).send().await.unwrap().text().await.unwrap();
        assert!(en.contains("Referral of a child") && en.contains("Friends of the Village"));
        let (x, _) = app.login("stranger").await;
        assert_eq!(x.get(app.url(&format!("/referrals/external/{rid}/form?format=html"))).send().await.unwrap().status(), 404);
        let res = c
            .post(app.url(&format!("/referrals/external/{rid}/outcome")))
            .form(&[("_csrf", csrf.as_str()), ("outcome", "Enrolled in their school programme")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let inbox = c.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(inbox.contains("Enrolled in their school programme"));
        let file: Value = app.api_get(&w, &format!("/api/v1/children/{child}/case")).await.json().await.unwrap();
        assert!(file["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "referral_sent" && e["body"]["partner"] == "Friends of the Village"));
    })
    .await;
}

/// The ministry reads a case file only when the case was referred to it: its officer accepts
/// the referral, then reads (not works on) the child; a transfer needs a case supervisor.
#[tokio::test]
async fn a_case_referred_to_the_ministry_is_read_by_its_officer() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let ministry = app.store.create_org(Who::system(), "MoSVY", krousar_domain::choices::OrgKind::Ministry).await.unwrap();
        let officer =
            app.store.create_user(Who::system(), ministry.id, None, "officer", "Officer", Role::Ministry, &hash, "en").await.unwrap();
        let w = app.token(&app.worker).await;
        let child = child_with_case(&app, &w, "Sreyleak").await;
        let other = child_with_case(&app, &w, "Sreymao").await;
        let m = app.token(&officer).await;
        assert_eq!(app.api_get(&m, &format!("/api/v1/children/{child}")).await.status(), 404, "not before a referral");

        let (c, csrf) = app.login("worker").await;
        let to = ministry.id.to_string();
        let res = c
            .post(app.url(&format!("/children/{child}/referral")))
            .form(&with_csrf(referral(&to, "referral", true), &csrf))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let res = c
            .post(app.url(&format!("/children/{other}/referral")))
            .form(&with_csrf(referral(&to, "transfer", true), &csrf))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);

        let (o, ocsrf) = app.login("officer").await;
        let inbox = o.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
        assert!(inbox.contains("Sreyleak") && inbox.contains("Sreymao"));
        let waiting = app.store.referrals(&officer.actor(), false).await.unwrap();
        let rid = |name: &str| waiting.iter().find(|r| r.child_name.as_deref().is_some_and(|n| n.contains(name))).unwrap().id;
        let res =
            o.post(app.url(&format!("/referrals/{}/accept", rid("Sreymao")))).form(&[("_csrf", ocsrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 403, "a transfer needs a case supervisor");
        let res =
            o.post(app.url(&format!("/referrals/{}/accept", rid("Sreyleak")))).form(&[("_csrf", ocsrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);

        assert_eq!(app.api_get(&m, &format!("/api/v1/children/{child}")).await.status(), 200);
        assert_eq!(app.api_get(&m, &format!("/api/v1/children/{child}/case")).await.status(), 200);
        assert_eq!(app.api_get(&m, &format!("/api/v1/children/{other}")).await.status(), 404, "the transfer was not accepted");
        let note = json!({"kind": "phone", "noted_on": krousar_domain::today().to_string(), "text": "x"});
        assert_eq!(
            app.api_post(&m, &format!("/api/v1/children/{child}/case/note"), note).await.status(),
            403,
            "reads, does not work on it"
        );
        let list: Value = app.api_get(&m, "/api/v1/children").await.json().await.unwrap();
        assert!(!list.to_string().contains("Sreymao"));
    })
    .await;
}
