//! Notices: written with their events for exactly the people concerned, read only by their
//! recipient, sent by e-mail through a real SMTP server without any child's name or case
//! number, held back by quiet hours, switched off by choice; and the private calendar feed.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use crate::smtp::SmtpServer;
use krousar_domain::Role;
use krousar_store::accounts::User;
use krousar_store::Who;
use serde_json::{json, Value};

async fn child_with_case(app: &TestApp, token: &str, latin: &str) -> (String, String) {
    let mut body = child_json("សុខា", latin);
    body["confirmed_new"] = json!(true);
    let c: Value = app.api_post(token, "/api/v1/children", body).await.json().await.unwrap();
    let id = c["id"].as_str().unwrap().to_string();
    let number = c["case_number"].as_str().unwrap_or_default().to_string();
    let today = krousar_domain::today().to_string();
    let res = app.api_post(token, &format!("/api/v1/children/{id}/case/open"), json!({"route": "prevention", "opened_on": today})).await;
    assert_eq!(res.status(), 201);
    // An assessment to ask approval for.
    let risk = json!({"level": "high", "reasons": "Violence at home", "assessed_on": today});
    assert_eq!(app.api_post(token, &format!("/api/v1/children/{id}/case/risk"), risk).await.status(), 200);
    (id, number)
}

async fn inbox(app: &TestApp, token: &str) -> Value {
    let res = app.api_get(token, "/api/v1/notifications").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn user(app: &TestApp, org: uuid::Uuid, name: &str, role: Role) -> User {
    let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
    app.store.create_user(Who::system(), org, None, name, name, role, &hash, "en").await.unwrap()
}

fn referral(to: uuid::Uuid) -> Value {
    let today = krousar_domain::today().to_string();
    json!({"to_org": to, "services": "Health care", "reason": "Clinic nearby", "consent_by": "parent", "consent_on": today, "shares": ["identity"]})
}

#[tokio::test]
async fn a_notice_reaches_exactly_who_must_act_and_only_they_read_it() {
    each_db(|app| async move {
        let boss = user(&app, app.other_worker.org_id, "otherboss", Role::Supervisor).await;
        let (w, b, x, s) =
            (app.token(&app.worker).await, app.token(&boss).await, app.token(&app.other_worker).await, app.token(&app.supervisor).await);
        let (child, _) = child_with_case(&app, &w, "Sreypov").await;

        // Asking for an approval tells the supervisor who may give it, not the one asking.
        let res = app.api_post(&w, &format!("/api/v1/children/{child}/case/approvals"), json!({"kind": "assessment"})).await;
        assert_eq!(res.status(), 200);
        let mine = inbox(&app, &s).await;
        assert_eq!(mine["unread"], 1);
        assert_eq!(mine["items"][0]["event"], "approval_requested");
        assert_eq!(mine["items"][0]["link"], format!("/children/{child}/case"));
        assert_eq!(mine["items"][0]["text"], "An approval is waiting for your decision");
        assert_eq!(inbox(&app, &w).await["unread"], 0, "not the one asking");

        // A referral tells the receiver's supervisor; not its social worker, not the sender.
        let sent: Value =
            app.api_post(&w, &format!("/api/v1/children/{child}/referrals"), referral(boss.org_id)).await.json().await.unwrap();
        let rid = sent["id"].as_str().unwrap();
        let theirs = inbox(&app, &b).await;
        assert_eq!((theirs["unread"].as_i64(), theirs["items"][0]["event"].as_str()), (Some(1), Some("referral_received")));
        assert_eq!(inbox(&app, &x).await["unread"], 0, "a social worker does not decide referrals");
        assert_eq!(inbox(&app, &w).await["unread"], 0);
        let notice = theirs["items"][0]["id"].as_str().unwrap().to_string();

        // Another person's notice is not found: read, opened or marked.
        assert_eq!(app.api_post(&w, &format!("/api/v1/notifications/{notice}/read"), json!({})).await.status(), 404);
        let (worker_page, _) = app.login("worker").await;
        let res = worker_page.get(app.url(&format!("/notifications/{notice}"))).send().await.unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(inbox(&app, &b).await["unread"], 1, "still unread");

        // The bell shows the count; opening the notice marks it read and goes to its page.
        let (boss_page, _) = app.login("otherboss").await;
        let page = boss_page.get(app.url("/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("A referral came to your organisation"), "{page}");
        assert!(page.contains("Notices, 1 unread"), "the bell says how many");
        let res = boss_page.get(app.url(&format!("/notifications/{notice}"))).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/referrals");
        assert_eq!(inbox(&app, &b).await["unread"], 0);
        let page = boss_page.get(app.url("/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Notices, none unread"));

        // Declining tells the sender.
        let res = app.api_post(&b, &format!("/api/v1/referrals/{rid}/decline"), json!({"reason": "No clinic here"})).await;
        assert_eq!(res.status(), 204);
        let sender = inbox(&app, &w).await;
        assert_eq!(sender["items"][0]["event"], "referral_answered");

        // Mark all read, from the page.
        let (sup_page, sup_csrf) = app.login("supervisor").await;
        let res = sup_page.post(app.url("/notifications/read")).form(&[("_csrf", sup_csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(inbox(&app, &s).await["unread"], 0);

        // Sharing a case with another worker tells that worker (not the supervisor doing it).
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other = app
            .store
            .create_user(Who::system(), app.worker.org_id, app.worker.team_id, "second", "Second", Role::SocialWorker, &hash, "en")
            .await
            .unwrap();
        let res = sup_page
            .post(app.url(&format!("/children/{child}/co-worker")))
            .form(&[("_csrf", sup_csrf.as_str()), ("co_worker", &other.id.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let t = app.token(&other).await;
        assert_eq!(inbox(&app, &t).await["items"][0]["event"], "case_assigned");
        assert_eq!(inbox(&app, &s).await["unread"], 0);
    })
    .await;
}

/// The delivery rows of the notices given to `user`: (state, attempts, error).
async fn deliveries(app: &TestApp, user: uuid::Uuid) -> Vec<(String, i64, Option<String>)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT d.state, d.attempts, d.error FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id \
         WHERE n.user_id = $1 ORDER BY n.created_at",
    )
    .bind(user.to_string())
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>("state"), r.get::<i64, _>("attempts"), r.get::<Option<String>, _>("error")))
    .collect()
}

/// A message's text as written, quoted-printable undone (soft line breaks, `=XX` bytes), so
/// that a name in any script would be seen.
fn quoted_printable(data: &str) -> String {
    let joined = data.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn mail_form<'a>(csrf: &'a str, port: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("host", "127.0.0.1"),
        ("port", port),
        ("security", "none"),
        ("username", "krousar"),
        ("password", password),
        ("from_address", "krousar@ngo.example.org"),
        ("site", "https://krousar.example.org"),
    ]
}

#[tokio::test]
async fn notices_go_by_email_without_names_after_quiet_hours_and_only_when_chosen() {
    each_db(|app| async move {
        let smtp = SmtpServer::start().await;
        let port = smtp.port.to_string();
        user(&app, app.worker.org_id, "root", Role::SystemAdmin).await;
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);

        // Only the system administrator sets the mail server; only an organisation's
        // administrator (or manager) its defaults.
        let (worker_page, worker_csrf) = app.login("worker").await;
        assert_eq!(worker_page.get(app.url("/admin/mail")).send().await.unwrap().status(), 403);
        assert_eq!(worker_page.get(app.url("/admin/notifications")).send().await.unwrap().status(), 403);
        let res = worker_page.post(app.url("/admin/mail")).form(&mail_form(&worker_csrf, &port, "x")).send().await.unwrap();
        assert_eq!(res.status(), 403);
        let (admin_page, admin_csrf) = app.login("admin").await;
        assert_eq!(admin_page.get(app.url("/admin/mail")).send().await.unwrap().status(), 403);

        let (root, root_csrf) = app.login("root").await;
        let mut bad = mail_form(&root_csrf, "99999", "s3cret");
        bad[1] = ("host", "smtp example");
        let res = root.post(app.url("/admin/mail")).form(&bad).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("like smtp.example.org"), "{page}");
        let res = root.post(app.url("/admin/mail")).form(&mail_form(&root_csrf, &port, "s3cret")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let kept: String = sqlx::query_scalar("SELECT password FROM notification_mail").fetch_one(app.store.pool()).await.unwrap();
        assert!(!kept.contains("s3cret"), "the password is kept sealed");
        let page = root.get(app.url("/admin/mail")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("A password is kept") && !page.contains("s3cret"));

        // The supervisor gives an address (keeping her organisation's choices).
        let (sup_page, sup_csrf) = app.login("supervisor").await;
        let res = sup_page
            .post(app.url("/account/notifications"))
            .form(&[("_csrf", sup_csrf.as_str()), ("email", "not an address")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let form = sup_page.get(app.url("/account/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(
            form.contains("name=\"approval_requested.email\" value=\"on\" aria-label=\"Someone asks for my approval — E-mail\" checked"),
            "{form}"
        );
        let ticked = [
            ("_csrf", sup_csrf.as_str()),
            ("email", "sup@ngo.example.org"),
            ("approval_requested.email", "on"),
            ("referral_received.email", "on"),
            ("overdue.email", "on"),
            ("case_assigned.email", "on"),
            ("inquiry_received.email", "on"),
            ("inquiry_answered.email", "on"),
            ("approval_requested.push", "on"),
            ("referral_received.push", "on"),
            ("overdue.push", "on"),
            ("case_assigned.push", "on"),
            ("inquiry_received.push", "on"),
            ("inquiry_answered.push", "on"),
            ("sync_conflict.push", "on"),
        ];
        assert_eq!(sup_page.post(app.url("/account/notifications")).form(&ticked).send().await.unwrap().status(), 200);
        let page = sup_page.get(app.url("/account/notifications")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Change any box and save to make them yours."), "saving the defaults as they are keeps following them");

        // An approval asked: one e-mail, saying what and linking to the notice, naming no one.
        let (child, number) = child_with_case(&app, &w, "Sreypov").await;
        let res = app.api_post(&w, &format!("/api/v1/children/{child}/case/approvals"), json!({"kind": "assessment"})).await;
        assert_eq!(res.status(), 200);
        let notice = inbox(&app, &s).await["items"][0]["id"].as_str().unwrap().to_string();
        let now = chrono::Utc::now();
        // Two servers at once: one of them sends it.
        let (a, b) = tokio::join!(krousar_web::notify::deliver_due(&app.store, now), krousar_web::notify::deliver_due(&app.store, now));
        assert_eq!(a.unwrap() + b.unwrap(), 1, "one server sends it");
        assert_eq!(krousar_web::notify::deliver_due(&app.store, now).await.unwrap(), 0, "nothing is sent twice");
        let mail = smtp.messages();
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].to, vec!["sup@ngo.example.org"]);
        assert!(mail[0].auth.is_some(), "signed in to the mail server");
        let data = &quoted_printable(&mail[0].data);
        assert!(data.contains(&format!("https://krousar.example.org/notifications/{notice}")), "{data}");
        assert!(data.contains("An approval is waiting for your decision"), "{data}");
        for secret in ["Sreypov", "សុខា", child.as_str()] {
            assert!(!data.contains(secret), "{secret} left the server: {data}");
        }
        if !number.is_empty() {
            assert!(!data.contains(&number), "the case number left the server");
        }
        assert_eq!(deliveries(&app, app.supervisor.id).await[0].0, "sent");

        // Quiet hours now: the next e-mail waits for their end.
        let hour = (now + chrono::Duration::hours(7)).format("%H").to_string().parse::<u32>().unwrap();
        let (start, end) = (format!("{:02}:00", (hour + 23) % 24), format!("{:02}:00", (hour + 2) % 24));
        let res = admin_page
            .post(app.url("/admin/notifications"))
            .form(&[("_csrf", admin_csrf.as_str()), ("quiet_start", "9pm"), ("quiet_end", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "a time that is not one changes nothing");
        let res = admin_page
            .post(app.url("/admin/notifications"))
            .form(&[("_csrf", admin_csrf.as_str()), ("quiet_start", &start), ("quiet_end", &end), ("approval_requested.email", "on")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (second, _) = child_with_case(&app, &w, "Dara").await;
        app.api_post(&w, &format!("/api/v1/children/{second}/case/approvals"), json!({"kind": "assessment"})).await;
        assert_eq!(krousar_web::notify::deliver_due(&app.store, now).await.unwrap(), 0, "quiet hours");
        assert_eq!(krousar_web::notify::deliver_due(&app.store, now + chrono::Duration::hours(3)).await.unwrap(), 1, "after them");
        assert_eq!(smtp.messages().len(), 2);

        // Her own choice: no e-mail for approvals. The inbox still has it.
        let own = [("_csrf", sup_csrf.as_str()), ("email", "sup@ngo.example.org"), ("overdue.email", "on")];
        assert_eq!(sup_page.post(app.url("/account/notifications")).form(&own).send().await.unwrap().status(), 200);
        let (third, _) = child_with_case(&app, &w, "Vanna").await;
        app.api_post(&w, &format!("/api/v1/children/{third}/case/approvals"), json!({"kind": "assessment"})).await;
        assert_eq!(krousar_web::notify::deliver_due(&app.store, now + chrono::Duration::days(1)).await.unwrap(), 0);
        assert_eq!(inbox(&app, &s).await["unread"], 3);
        assert_eq!(deliveries(&app, app.supervisor.id).await.len(), 2, "no delivery was queued");

        // The test message, from the administrator's page.
        let res = root
            .post(app.url("/admin/mail/test"))
            .form(&[("_csrf", root_csrf.as_str()), ("to", "it@ngo.example.org")])
            .send()
            .await
            .unwrap();
        assert!(res.text().await.unwrap().contains("The test message was sent."));
        assert_eq!(smtp.messages().last().unwrap().to, vec!["it@ngo.example.org"]);

        // A mail server that does not answer: the delivery waits to be tried again.
        let closed = { tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port() }.to_string();
        let res = root.post(app.url("/admin/mail")).form(&mail_form(&root_csrf, &closed, "")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let back = [("_csrf", sup_csrf.as_str()), ("email", "sup@ngo.example.org"), ("approval_requested.email", "on")];
        sup_page.post(app.url("/account/notifications")).form(&back).send().await.unwrap();
        let (fourth, _) = child_with_case(&app, &w, "Rith").await;
        app.api_post(&w, &format!("/api/v1/children/{fourth}/case/approvals"), json!({"kind": "assessment"})).await;
        let later = now + chrono::Duration::days(2);
        assert_eq!(krousar_web::notify::deliver_due(&app.store, later).await.unwrap(), 0);
        let last = deliveries(&app, app.supervisor.id).await.pop().unwrap();
        assert_eq!((last.0.as_str(), last.1), ("pending", 1), "to be tried again: {last:?}");
        assert!(last.2.is_some());
        assert_eq!(krousar_web::notify::deliver_due(&app.store, later).await.unwrap(), 0, "not before its time");
    })
    .await;
}

#[tokio::test]
async fn a_private_calendar_lists_due_work_by_case_number_and_stops_when_renewed() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let (child, _) = child_with_case(&app, &w, "Sreypov").await;
        let due = (krousar_domain::today() + chrono::Days::new(3)).to_string();
        let res = app
            .api_post(
                &w,
                &format!("/api/v1/children/{child}/case/task"),
                json!({"title": "Call Sreypov's mother", "owner_id": app.worker.id, "due_on": due}),
            )
            .await;
        assert_eq!(res.status(), 200);
        let (page, csrf) = app.login("worker").await;
        let res = page.post(app.url("/account/calendar")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        let html = res.text().await.unwrap();
        let start = html.find("/calendar/").expect("the address is shown once");
        let path = html[start..].split('"').next().unwrap().to_string();
        assert!(path.ends_with(".ics"), "{path}");

        // Read without signing in, as a phone's calendar does.
        let anon = reqwest::Client::new();
        let res = anon.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let ics = res.text().await.unwrap();
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{child}")).await.json().await.unwrap();
        let number = case["case_number"].as_str().unwrap();
        assert!(ics.contains("BEGIN:VEVENT") && ics.contains(&format!("Task · case {number}")), "{ics}");
        assert!(ics.contains(&format!("DTSTART;VALUE=DATE:{}", due.replace('-', ""))));
        for secret in ["Sreypov", "សុខា", "mother"] {
            assert!(!ics.contains(secret), "{secret} is in the calendar");
        }

        // Another worker's calendar does not hold this case; a wrong address is not found.
        assert_eq!(anon.get(app.url("/calendar/0000.ics")).send().await.unwrap().status(), 404);
        let wrong = format!("/calendar/{}.ics", "a".repeat(64));
        assert_eq!(anon.get(app.url(&wrong)).send().await.unwrap().status(), 404);

        // A new address ends the old one; stopping ends both.
        let html = page.post(app.url("/account/calendar")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().text().await.unwrap();
        let start = html.find("/calendar/").unwrap();
        let renewed = html[start..].split('"').next().unwrap().to_string();
        assert_ne!(renewed, path);
        assert_eq!(anon.get(app.url(&path)).send().await.unwrap().status(), 404, "the old address stopped");
        assert_eq!(anon.get(app.url(&renewed)).send().await.unwrap().status(), 200);
        let res = page.post(app.url("/account/calendar")).form(&[("_csrf", csrf.as_str()), ("stop", "1")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(anon.get(app.url(&renewed)).send().await.unwrap().status(), 404);

        // A password reset stops the address too (a leaked one stops with the password); an
        // account whose role holds no cases has no calendar of them.
        let (page, csrf) = app.login("worker").await;
        let html = page.post(app.url("/account/calendar")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().text().await.unwrap();
        let start = html.find("/calendar/").unwrap();
        let third = html[start..].split('"').next().unwrap().to_string();
        assert_eq!(anon.get(app.url(&third)).send().await.unwrap().status(), 200);
        let hash = krousar_web::auth::hash_password("another long password").unwrap();
        let w = &app.worker;
        app.store.update_user_admin(Who::system(), w.id, w.role, w.team_id, false, Some(&hash)).await.unwrap();
        assert_eq!(anon.get(app.url(&third)).send().await.unwrap().status(), 404, "stopped by the reset");
        let (page, csrf) = app.login_with("worker", "another long password").await;
        let html = page.post(app.url("/account/calendar")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().text().await.unwrap();
        let start = html.find("/calendar/").unwrap();
        let fourth = html[start..].split('"').next().unwrap().to_string();
        app.store.update_user_admin(Who::system(), w.id, Role::OrgAdmin, None, false, None).await.unwrap();
        assert_eq!(anon.get(app.url(&fourth)).send().await.unwrap().status(), 404, "an administrator holds no cases");
    })
    .await;
}

#[tokio::test]
async fn the_overdue_digest_is_made_once_a_day_whoever_runs_it() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let (child, _) = child_with_case(&app, &w, "Sreypov").await;
        let today = krousar_domain::today();
        let due = (today + chrono::Days::new(1)).to_string();
        let res = app
            .api_post(
                &w,
                &format!("/api/v1/children/{child}/case/task"),
                json!({"title": "Call", "owner_id": app.worker.id, "due_on": due}),
            )
            .await;
        assert_eq!(res.status(), 200);
        // Three days later at 08:00 in Cambodia the task is overdue.
        let at = (today + chrono::Days::new(3)).and_hms_opt(1, 0, 0).unwrap().and_utc();
        let early = (today + chrono::Days::new(3)).and_hms_opt(23, 0, 0).unwrap().and_utc() - chrono::Duration::days(1);
        assert_eq!(app.store.overdue_digest(early).await.unwrap(), None, "before seven in the morning");
        let (a, b) = tokio::join!(app.store.overdue_digest(at), app.store.overdue_digest(at));
        let made: Vec<usize> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(made.len(), 1, "one server makes it");
        assert_eq!(app.store.overdue_digest(at + chrono::Duration::hours(2)).await.unwrap(), None, "once a day");
        let mine = inbox(&app, &w).await;
        let digests: Vec<&Value> = mine["items"].as_array().unwrap().iter().filter(|n| n["event"] == "overdue").collect();
        assert_eq!(digests.len(), 1);
        assert!(digests[0]["count"].as_i64().unwrap() >= 1);
        assert!(digests[0]["text"].as_str().unwrap().contains("overdue"));
    })
    .await;
}

#[tokio::test]
async fn a_person_sets_how_they_are_told_through_the_api() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let before: Value = app.api_get(&w, "/api/v1/notifications/choices").await.json().await.unwrap();
        assert_eq!((before["own"].as_bool(), before["email"].is_null()), (Some(false), true), "{before}");
        assert_eq!(before["events"]["overdue"], json!(["email", "push"]), "the built-in default");
        let bad = app.api_put(&w, "/api/v1/notifications/choices", json!({"email": "not an address"})).await;
        assert_eq!(bad.status(), 422);
        let unknown = app.api_put(&w, "/api/v1/notifications/choices", json!({"events": {"overdue": ["sms"]}})).await;
        assert_eq!(unknown.status(), 400, "a channel Krousar does not have");
        let res = app
            .api_put(&w, "/api/v1/notifications/choices", json!({"email": "sokha@ngo.example.org", "events": {"overdue": ["email"]}}))
            .await;
        assert_eq!(res.status(), 204);
        let mine: Value = app.api_get(&w, "/api/v1/notifications/choices").await.json().await.unwrap();
        assert_eq!((mine["own"].as_bool(), mine["email"].as_str()), (Some(true), Some("sokha@ngo.example.org")));
        assert_eq!(mine["events"]["approval_requested"], json!([]), "left out: no e-mail");
        let res = app.api_put(&w, "/api/v1/notifications/choices", json!({"email": "sokha@ngo.example.org", "events": null})).await;
        assert_eq!(res.status(), 204);
        let back: Value = app.api_get(&w, "/api/v1/notifications/choices").await.json().await.unwrap();
        assert_eq!(back["own"], false, "following the organisation again");
    })
    .await;
}
