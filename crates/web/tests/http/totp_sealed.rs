//! Issue 20, item 9 (second-step secrets): the database and its backups hold users' TOTP
//! secrets only sealed with the key file; signing in with a code still works; key rotation
//! re-seals them, a key still sealing one is counted (so `keys retire` refuses it), and the old
//! key can be retired after; a secret an older version kept in clear is sealed once at start.

use crate::app::{client, csrf_of, each_db, TestApp, PASSWORD};
use crate::second_step_everywhere::set_up_totp;
use krousar_store::keyring::Keyring;

fn code(secret: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap().generate_current().unwrap()
}

/// The users row as stored: (totp_secret, totp_key_id).
async fn stored(app: &TestApp, user: uuid::Uuid) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT totp_secret, totp_key_id FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

/// Password, then the code, on a fresh browser: whether it ends signed in.
async fn signs_in_with_code(app: &TestApp, secret: &str) -> bool {
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
    let res =
        c.post(app.url("/login/totp")).form(&[("_csrf", csrf_of(&step).as_str()), ("code", code(secret).as_str())]).send().await.unwrap();
    res.status() == 303 && res.headers()["location"] == "/"
}

#[tokio::test]
async fn second_step_secrets_are_sealed_open_to_check_a_code_and_follow_key_rotation() {
    each_db(|app| async move {
        let (c, csrf) = app.login("worker").await;
        let secret = set_up_totp(&app, &c, &csrf).await;
        let ring = Keyring::open(&app.key_file).unwrap();
        let first = ring.current_id().unwrap();
        let (value, key) = stored(&app, app.worker.id).await;
        let value = value.expect("two-step sign-in is on");
        assert!(!value.contains(&secret), "the users row holds no clear secret");
        assert_eq!(key.as_deref(), Some(first.as_str()), "sealed with the current key");
        assert!(signs_in_with_code(&app, &secret).await);

        // The key is counted as in use (so `krousar keys retire` refuses it) until re-sealed.
        assert_eq!(app.store.sealed_by_key().await.unwrap(), vec![(first.clone(), 1)]);
        let second = ring.add_key().unwrap();
        assert_eq!(app.store.reseal_all().await.unwrap(), 1);
        assert_eq!(app.store.sealed_by_key().await.unwrap(), vec![(second.clone(), 1)]);
        let (resealed, key) = stored(&app, app.worker.id).await;
        assert_eq!(key.as_deref(), Some(second.as_str()));
        assert_ne!(resealed.as_deref(), Some(value.as_str()));
        ring.remove_key(&first).unwrap();
        assert!(signs_in_with_code(&app, &secret).await, "opens with the new key alone");
    })
    .await;
}

#[tokio::test]
async fn a_secret_kept_in_clear_by_an_older_version_is_sealed_once() {
    each_db(|app| async move {
        let secret = totp_rs::Secret::generate_secret().to_encoded().to_string();
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(&secret)
            .bind(app.worker.id.to_string())
            .execute(app.store.pool())
            .await
            .unwrap();
        assert_eq!(app.store.seal_clear_values().await.unwrap(), 1);
        assert_eq!(app.store.seal_clear_values().await.unwrap(), 0, "once");
        let (value, key) = stored(&app, app.worker.id).await;
        assert!(key.is_some() && !value.unwrap().contains(&secret));
        assert!(signs_in_with_code(&app, &secret).await);
        let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'keys.seal_clear'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(entries, 1, "audited");
    })
    .await;
}
