//! Issue 19, sign-in: the lockout counted atomically (parallel guesses), the two-step code under
//! the same lockout, and one answer for every refusal (no username oracle).

use crate::app::{client, csrf_of, each_db, TestApp, PASSWORD};
use krousar_store::Who;

/// One sign-in attempt from a fresh browser; the status (303 in, 200 refused) and the page.
async fn attempt(base: String, username: String, password: String, lang: &str) -> (u16, String) {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT_LANGUAGE, lang.parse().unwrap());
    let c =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).default_headers(headers).build().unwrap();
    let page = c.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let res = c
        .post(format!("{base}/login"))
        .form(&[("_csrf", csrf.as_str()), ("username", username.as_str()), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    // The page without what differs by nature: the fresh anti-forgery token and the name typed.
    let body = res.text().await.unwrap().replace(&csrf, "CSRF").replace(&username, "USERNAME");
    let body = match body.find("name=\"_csrf\" value=\"") {
        Some(_) => body.split("name=\"_csrf\" value=\"").map(|part| part.split_once('"').map(|(_, r)| r).unwrap_or(part)).collect(),
        None => body,
    };
    (status, body)
}

async fn audit_count(app: &TestApp, action: &str, user: uuid::Uuid) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND record_id = $2")
        .bind(action)
        .bind(user.to_string())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn parallel_wrong_passwords_never_pass_the_limit_nor_let_the_right_one_in() {
    each_db(|app| async move {
        let mut guesses = tokio::task::JoinSet::new();
        for i in 0..40 {
            guesses.spawn(attempt(app.base.clone(), "supervisor".into(), format!("wrong password {i}"), "en"));
        }
        while let Some(r) = guesses.join_next().await {
            assert_eq!(r.unwrap().0, 200, "every wrong guess is refused");
        }
        // Locked: the right password is refused too.
        let (status, _) = attempt(app.base.clone(), "supervisor".into(), PASSWORD.into(), "en").await;
        assert_eq!(status, 200, "the right password must not get in while the account is locked");
        let user = app.store.user(app.supervisor.id).await.unwrap();
        let until = user.locked_until.as_deref().and_then(krousar_store::db::parse_time).expect("locked");
        assert!(until > chrono::Utc::now());
        // Consistent counts: no more passwords were checked than the limit (six by default):
        // at most five failures before the one that locked.
        let failures = audit_count(&app, "auth.failure", user.id).await;
        assert!(failures <= 5, "{failures} passwords checked past the limit");
        assert!(audit_count(&app, "auth.locked", user.id).await >= 1);
        assert_eq!(audit_count(&app, "auth.login", user.id).await, 0);
    })
    .await;
}

#[tokio::test]
async fn unknown_usernames_wrong_passwords_and_locked_accounts_answer_alike() {
    each_db(|app| async move {
        for _ in 0..6 {
            attempt(app.base.clone(), "supervisor".into(), "wrong password".into(), "en").await;
        }
        for lang in ["en", "km"] {
            let locked = attempt(app.base.clone(), "supervisor".into(), PASSWORD.into(), lang).await;
            let unknown = attempt(app.base.clone(), "nobody-here".into(), PASSWORD.into(), lang).await;
            let wrong = attempt(app.base.clone(), "worker".into(), "wrong password".into(), lang).await;
            assert_eq!(locked.0, unknown.0, "same status ({lang})");
            assert_eq!(locked.1, unknown.1, "same page for a locked account and an unknown username ({lang})");
            assert_eq!(wrong, unknown, "same page for a wrong password ({lang})");
        }
        let (_, en) = attempt(app.base.clone(), "nobody".into(), "x".into(), "en").await;
        assert!(en.contains("Sign-in failed. After several failed attempts an account is locked for a while."));
        let (_, km) = attempt(app.base.clone(), "nobody".into(), "x".into(), "km").await;
        assert!(km.contains("ចាក់សោ"));
    })
    .await;
}

fn code(secret: &str, offset: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let t = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    t.generate((chrono::Utc::now().timestamp() + offset) as u64)
}

/// Sign in with the password; the client is left at the second step, with its form's token.
async fn password_step(app: &TestApp) -> (reqwest::Client, String) {
    let c = client();
    let page = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let res = c
        .post(app.url("/login"))
        .form(&[("_csrf", csrf_of(&page).as_str()), ("username", "worker"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/login/totp");
    let step = c.get(app.url("/login/totp")).send().await.unwrap().text().await.unwrap();
    (c, csrf_of(&step))
}

async fn send_code(app: &TestApp, c: &reqwest::Client, csrf: &str, code: &str) -> reqwest::Response {
    c.post(app.url("/login/totp")).form(&[("_csrf", csrf), ("code", code)]).send().await.unwrap()
}

fn signed_in(res: &reqwest::Response) -> bool {
    res.status() == 303 && res.headers().get("location").is_some_and(|l| l == "/")
}

#[tokio::test]
async fn two_step_codes_are_counted_and_a_locked_account_is_refused_at_every_step() {
    each_db(|app| async move {
        let secret = totp_rs::Secret::generate_secret().to_encoded().to_string();
        app.store.set_user_totp(Who::system(), app.worker.id, Some(&secret)).await.unwrap();
        // A code from an hour ago is never right now.
        let wrong = code(&secret, -3600);

        // Five wrong codes end the pending session: the right code then opens nothing.
        let (c, csrf) = password_step(&app).await;
        for _ in 0..4 {
            assert!(!signed_in(&send_code(&app, &c, &csrf, &wrong).await));
        }
        // (The account's own count is cleared here so that only the session's count is tested.)
        sqlx::query("UPDATE users SET failed_logins = 0").execute(app.store.pool()).await.unwrap();
        assert!(!signed_in(&send_code(&app, &c, &csrf, &wrong).await));
        let res = send_code(&app, &c, &csrf, &code(&secret, 0)).await;
        assert!(!signed_in(&res), "the right code after five wrong ones on the same pending session");
        assert_ne!(c.get(app.url("/children")).send().await.unwrap().status(), 200);
        assert!(app.store.user(app.worker.id).await.unwrap().locked_until.is_none(), "the session ended, the account is not locked");

        // Parallel wrong codes on one pending session cannot pass more checks than the limit.
        let (c, csrf) = password_step(&app).await;
        let mut tries = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (c, csrf, url, wrong) = (c.clone(), csrf.clone(), app.url("/login/totp"), wrong.clone());
            tries.spawn(
                async move { c.post(url).form(&[("_csrf", csrf.as_str()), ("code", wrong.as_str())]).send().await.unwrap().status() },
            );
        }
        while tries.join_next().await.is_some() {}
        assert!(!signed_in(&send_code(&app, &c, &csrf, &code(&secret, 0)).await));
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL").execute(app.store.pool()).await.unwrap();

        // The account locked by wrong passwords elsewhere while a session waits at the second
        // step: even the right code is refused there.
        let (c, csrf) = password_step(&app).await;
        for _ in 0..6 {
            attempt_quiet(&app, "worker", "wrong password").await;
        }
        assert!(app.store.user(app.worker.id).await.unwrap().locked_until.is_some());
        let res = send_code(&app, &c, &csrf, &code(&secret, 0)).await;
        assert!(!signed_in(&res), "a locked account is refused at the second step");
        assert_ne!(c.get(app.url("/children")).send().await.unwrap().status(), 200);
    })
    .await;
}

pub async fn attempt_quiet(app: &TestApp, username: &str, password: &str) {
    attempt(app.base.clone(), username.into(), password.into(), "en").await;
}

#[tokio::test]
async fn enrolling_a_device_goes_through_the_same_lockout() {
    each_db(|app| async move {
        let (c, csrf) = app.login("worker").await;
        let enrol = |password: &'static str| {
            let (c, csrf, url) = (c.clone(), csrf.clone(), app.url("/api/v1/sync/devices"));
            async move {
                c.post(url)
                    .header("x-csrf-token", csrf)
                    .json(&serde_json::json!({"name": "phone", "password": password}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let mut tries = tokio::task::JoinSet::new();
        for _ in 0..20 {
            tries.spawn(enrol("wrong password"));
        }
        while let Some(s) = tries.join_next().await {
            assert_eq!(s.unwrap(), 422);
        }
        assert_eq!(enrol(PASSWORD).await, 422, "locked: the right password enrols nothing");
        assert!(audit_count(&app, "auth.failure", app.worker.id).await <= 5);
        assert!(app.store.user(app.worker.id).await.unwrap().locked_until.is_some());
    })
    .await;
}
