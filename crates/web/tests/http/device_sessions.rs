//! Issue 20, item 6: revoking a lost phone ends its web sessions at once (not at their timeout,
//! hours later), and "sign out everywhere" for a person and for their administrator. A session
//! works for a device when the device was enrolled from it, when it synced as the device, or
//! when it was signed in on a browser carrying the device's cookie.

use crate::app::{client, csrf_of, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

/// Sign in on an existing browser (which keeps its cookies).
async fn sign_in(app: &TestApp, c: &reqwest::Client, username: &str) -> String {
    let page = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let res = c
        .post(app.url("/login"))
        .form(&[("_csrf", csrf_of(&page).as_str()), ("username", username), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "sign-in of {username}");
    csrf_of(&c.get(app.url("/account")).send().await.unwrap().text().await.unwrap())
}

/// 200 while the session works; the sign-in page once it has ended.
async fn children(app: &TestApp, c: &reqwest::Client) -> String {
    let res = c.get(app.url("/children")).send().await.unwrap();
    match res.status().as_u16() {
        200 => "open".into(),
        303 => res.headers()["location"].to_str().unwrap().to_string(),
        other => format!("status {other}"),
    }
}

async fn audit_details(app: &TestApp, action: &str, record: &str) -> Vec<String> {
    sqlx::query_scalar::<_, String>("SELECT detail FROM audit_log WHERE action = $1 AND record_id = $2")
        .bind(action)
        .bind(record)
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn revoking_a_device_ends_the_sessions_that_work_for_it() {
    each_db(|app| async move {
        // The phone is enrolled from its session, and keeps the device's id in a cookie.
        let (phone, csrf) = app.login("worker").await;
        let res = phone
            .post(app.url("/api/v1/sync/devices"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "Lost phone", "password": PASSWORD, "secret": crate::sync::TEST_SECRET}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        let body: Value = res.json().await.unwrap();
        let device = body["device"]["id"].as_str().unwrap().to_string();
        assert!(
            cookies.iter().any(|c| c.starts_with(&format!("krousar_device={device};")) && c.contains("HttpOnly")),
            "the browser keeps the device: {cookies:?}"
        );
        // Another browser of the worker syncs as the phone (it has the phone's secret: a copied profile).
        let (laptop, lcsrf) = app.login("worker").await;
        let res = laptop
            .post(app.url("/api/v1/sync/pull"))
            .header("x-krousar-device", &device)
            .header("x-krousar-device-secret", crate::sync::TEST_SECRET)
            .header("x-csrf-token", &lcsrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        // The phone signs out, and in again: its cookie names the device.
        let res = phone.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        sign_in(&app, &phone, "worker").await;
        // A colleague signing in on the same phone is not tagged with the worker's device.
        let shared = client();
        let page = shared.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let pre = csrf_of(&page);
        let res = shared
            .post(app.url("/login"))
            .header("cookie", format!("krousar_pre={pre}; krousar_device={device}"))
            .form(&[("_csrf", pre.as_str()), ("username", "supervisor"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let tagged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND device_id IS NOT NULL")
            .bind(app.supervisor.id.to_string())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(tagged, 0, "not the colleague's device");
        // A browser of the worker that never carried the device.
        let (desk, _) = app.login("worker").await;
        for c in [&phone, &laptop, &desk, &shared] {
            assert_eq!(children(&app, c).await, "open");
        }

        // The administrator revokes the phone from the worker's page.
        let (admin, acsrf) = app.login("admin").await;
        let back = format!("/admin/users/{}", app.worker.id);
        let res = admin
            .post(app.url(&format!("/devices/{device}/revoke")))
            .form(&[("_csrf", acsrf.as_str()), ("back", back.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(children(&app, &phone).await, "/login", "the phone's session ends with the device");
        assert_eq!(children(&app, &laptop).await, "/login", "and so does the one that synced as it");
        // The phone still learns that it was revoked, and wipes its copy.
        let res = phone
            .post(app.url("/api/v1/sync/pull"))
            .header("x-krousar-device", &device)
            .header("x-krousar-device-secret", crate::sync::TEST_SECRET)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 410);
        assert_eq!(children(&app, &desk).await, "open", "the worker's other browser is not the phone");
        assert_eq!(children(&app, &shared).await, "open", "nor is the colleague's session");
        let detail = audit_details(&app, "device.revoke", &device).await;
        assert!(detail.iter().any(|d| d.contains("\"sessions_ended\":2")), "{detail:?}");
    })
    .await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_account() {
    each_db(|app| async move {
        app.store.set_user_locale(app.worker.id, "km").await.unwrap();
        let (a, csrf) = app.login("worker").await;
        let (b, _) = app.login("worker").await;
        let (colleague, _) = app.login("supervisor").await;
        let page = a.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("action=\"/account/sessions/end\"") && page.contains("ចាកចេញពីគ្រប់ទីកន្លែង"), "the button, in Khmer");
        let end = app.url("/account/sessions/end");
        assert_eq!(a.post(&end).form(&[("_csrf", "forged")]).send().await.unwrap().status(), 403, "CSRF-protected");
        assert_eq!(children(&app, &b).await, "open");
        let res = a.post(&end).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/login");
        assert_eq!(children(&app, &a).await, "/login", "this browser");
        assert_eq!(children(&app, &b).await, "/login", "and the other one");
        assert_eq!(children(&app, &colleague).await, "open", "nobody else's");
        let detail = audit_details(&app, "user.sessions_end", &app.worker.id.to_string()).await;
        assert_eq!(detail.len(), 1);
        assert!(detail[0].contains("\"sessions\":2"), "{detail:?}");
    })
    .await;
}

#[tokio::test]
async fn an_administrator_signs_a_person_out_everywhere_and_no_other_organisation_can() {
    each_db(|app| async move {
        let (w1, _) = app.login("worker").await;
        let (w2, _) = app.login("worker").await;
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        app.store
            .create_user(Who::system(), app.other_worker.org_id, None, "their-admin", "Their admin", Role::OrgAdmin, &hash, "en")
            .await
            .unwrap();
        let end = |id: String| app.url(&format!("/admin/users/{id}/sessions/end"));

        // Another organisation's administrator: answered as for an account that does not exist.
        let (them, tcsrf) = app.login("their-admin").await;
        let theirs = them.post(end(app.worker.id.to_string())).form(&[("_csrf", tcsrf.as_str())]).send().await.unwrap();
        let nobody = them.post(end(uuid::Uuid::now_v7().to_string())).form(&[("_csrf", tcsrf.as_str())]).send().await.unwrap();
        assert_eq!((theirs.status().as_u16(), nobody.status().as_u16()), (404, 404));
        let same = |t: String| crate::app::without_reference(&t);
        assert_eq!(same(theirs.text().await.unwrap()), same(nobody.text().await.unwrap()), "the same answer");
        let page = them.get(app.url(&format!("/admin/users/{}", app.worker.id))).send().await.unwrap();
        assert_eq!(page.status(), 404, "the account's page answers alike");
        // A colleague without the right to manage accounts.
        let (sup, scsrf) = app.login("supervisor").await;
        let res = sup.post(end(app.worker.id.to_string())).form(&[("_csrf", scsrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(children(&app, &w1).await, "open", "nothing ended");

        // The worker's administrator, from the worker's page.
        let (admin, acsrf) = app.login("admin").await;
        let page = admin.get(app.url(&format!("/admin/users/{}", app.worker.id))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("action=\"/admin/users/{}/sessions/end\"", app.worker.id)) && page.contains("Sign out everywhere"));
        assert_eq!(admin.post(end(app.worker.id.to_string())).form(&[("_csrf", "forged")]).send().await.unwrap().status(), 403);
        let res = admin.post(end(app.worker.id.to_string())).form(&[("_csrf", acsrf.as_str())]).send().await.unwrap();
        assert_eq!(res.headers()["location"], format!("/admin/users/{}", app.worker.id).as_str());
        assert_eq!(children(&app, &w1).await, "/login");
        assert_eq!(children(&app, &w2).await, "/login");
        assert_eq!(admin.get(app.url("/account")).send().await.unwrap().status(), 200, "the administrator stays signed in");
        let who: String = sqlx::query_scalar("SELECT actor_id FROM audit_log WHERE action = 'user.sessions_end' AND record_id = $1")
            .bind(app.worker.id.to_string())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(who, app.admin.id.to_string(), "audited as the administrator's");
    })
    .await;
}
