//! Issue 20, item 3: two-step sign-in that the organisation requires binds every route, not
//! only the pages. Before it is set up, a session or an API token gets 403 on every API route,
//! sync included (no device enrolled, no key, nothing pulled), and the app is told it may not
//! work offline; once it is set up, everything works again.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_store::Who;
use reqwest::Method;
use serde_json::{json, Value};

fn code(secret: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap().generate_current().unwrap()
}

/// Turn two-step sign-in on from the account page, as the person would.
pub async fn set_up_totp(app: &TestApp, c: &reqwest::Client, csrf: &str) -> String {
    let page = c.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    let secret = page.split("name=\"secret\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let res = c
        .post(app.url("/account/totp"))
        .form(&[("_csrf", csrf), ("secret", secret.as_str()), ("code", code(&secret).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    secret
}

/// A call as the offline app makes it: the session, its CSRF token, and the device with its secret.
async fn sync(app: &TestApp, c: &reqwest::Client, csrf: &str, device: &str, method: Method, path: &str) -> reqwest::Response {
    let mut r = c
        .request(method.clone(), app.url(&format!("/api/v1/sync{path}")))
        .header("x-csrf-token", csrf)
        .header("x-krousar-device", device)
        .header("x-krousar-device-secret", crate::sync::TEST_SECRET);
    if method != Method::GET {
        r = r.json(&json!({"password": PASSWORD}));
    }
    r.send().await.unwrap()
}

async fn refused_for_totp(res: reqwest::Response, what: &str) -> String {
    assert_eq!(res.status(), 403, "{what}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "totp_required", "{what}: {body}");
    body["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_organisation_requiring_two_step_sign_in_is_obeyed_by_the_api_and_sync() {
    each_db(|app| async move {
        let token = app.token(&app.worker).await;
        // A device enrolled before the organisation required two-step sign-in.
        let (old_phone, _) = app.store.enrol_device(&app.worker.actor(), "old phone", crate::sync::TEST_SECRET).await.unwrap();
        app.store.set_org_require_totp(Who::system(), app.worker.org_id, true).await.unwrap();
        let (c, csrf) = app.login("worker").await;

        let hello: Value = c.get(app.url("/api/v1/sync/hello")).send().await.unwrap().json().await.unwrap();
        assert_eq!(hello["signed_in"], true);
        assert_eq!(hello["may_work_offline"], false, "the app must not offer offline work");

        // Enrolment is refused and creates nothing.
        let res = c
            .post(app.url("/api/v1/sync/devices"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "phone", "password": PASSWORD, "secret": crate::sync::device_secret()}))
            .send()
            .await
            .unwrap();
        let message = refused_for_totp(res, "enrolment").await;
        assert!(message.contains("two-step sign-in"), "{message}");
        assert_eq!(app.store.my_devices(&app.worker.actor()).await.unwrap().len(), 1, "no device enrolled");

        // The device enrolled before gets no key and nothing else.
        let d = old_phone.id.to_string();
        let change = uuid::Uuid::now_v7().to_string();
        for (method, path) in [
            (Method::POST, "/unlock".to_string()),
            (Method::POST, "/pull".to_string()),
            (Method::POST, "/push".to_string()),
            (Method::GET, format!("/photos/{change}")),
            (Method::PUT, format!("/photos/{change}")),
            (Method::POST, format!("/photos/{change}/done")),
        ] {
            refused_for_totp(sync(&app, &c, &csrf, &d, method.clone(), &path).await, &format!("{method} {path}")).await;
        }

        // The rest of the API, by session and by token, reads and writes.
        refused_for_totp(c.get(app.url("/api/v1/children")).send().await.unwrap(), "children by session").await;
        refused_for_totp(app.api_get(&token, "/api/v1/children").await, "children by token").await;
        refused_for_totp(app.api_get(&token, "/api/v1/worklist").await, "worklist by token").await;
        refused_for_totp(app.api_post(&token, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await, "a new child by token").await;
        let children: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM children").fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(children, 0, "nothing written");
        // In the person's language.
        app.store.set_user_locale(app.worker.id, "km").await.unwrap();
        let km = refused_for_totp(app.api_get(&token, "/api/v1/children").await, "in Khmer").await;
        assert!(km.contains("ពីរជំហាន"), "{km}");

        // Set up: everything works again, the old device too.
        set_up_totp(&app, &c, &csrf).await;
        let hello: Value = c.get(app.url("/api/v1/sync/hello")).send().await.unwrap().json().await.unwrap();
        assert_eq!(hello["may_work_offline"], true);
        assert_eq!(c.get(app.url("/api/v1/children")).send().await.unwrap().status(), 200);
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 200);
        assert_eq!(sync(&app, &c, &csrf, &d, Method::POST, "/unlock").await.status(), 200);
        assert_eq!(sync(&app, &c, &csrf, &d, Method::POST, "/pull").await.status(), 200);
        let res = c
            .post(app.url("/api/v1/sync/devices"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "phone", "password": PASSWORD, "secret": crate::sync::device_secret()}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    })
    .await;
}
