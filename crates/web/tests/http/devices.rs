//! A lost phone and its keys, over HTTP on every engine (issue 20): a password reset rotates the
//! device's key and the old password opens nothing; the key is released only for the owner's
//! password typed on the device, counted like signing in; a device proves itself with its own
//! secret; someone else signed in on the owner's browser is told "not yours", never "revoked";
//! keys are sealed in the database; the server, not the phone's clock, says when a copy expired.

use crate::app::{each_db, TestApp, PASSWORD};
use crate::sync::{device_secret, enrol, Device};
use serde_json::{json, Value};

async fn unlock(app: &TestApp, d: &Device, password: &str) -> (u16, Value) {
    d.post(app, "/unlock", json!({"password": password})).await
}

async fn reset_password(app: &TestApp, user: uuid::Uuid, new: &str) {
    let (admin, csrf) = app.login("admin").await;
    let form = [("_csrf", csrf.as_str()), ("role", "social-worker"), ("team", ""), ("new_password", new)];
    let res = admin.post(app.url(&format!("/admin/users/{user}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn a_password_reset_rotates_the_device_key_and_the_old_password_opens_nothing() {
    each_db(|app| async move {
        let d = enrol(&app, "worker").await;
        let (status, first) = unlock(&app, &d, PASSWORD).await;
        assert_eq!(status, 200, "{first}");
        let old_key = first["key"].as_str().unwrap().to_string();
        assert!(first["previous_key"].is_null());
        assert_eq!(first["password_epoch"], "");

        reset_password(&app, app.worker.id, "a brand new password").await;
        let (status, body) = unlock(&app, &d, PASSWORD).await;
        assert_eq!(status, 422, "the old password no longer opens the copy: {body}");
        assert!(!body["password_epoch"].as_str().unwrap().is_empty(), "the refusal tells the device its wrapping is stale");
        // The refusal is still the API's error, said in words, with the epoch beside it.
        assert_eq!(body["error"]["code"], "invalid", "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        let (status, after) = unlock(&app, &d, "a brand new password").await;
        assert_eq!(status, 200);
        let new_key = after["key"].as_str().unwrap();
        assert_ne!(new_key, old_key, "the reset gave the device a new key");
        assert_eq!(after["previous_key"], old_key.as_str(), "the old one stays until the copy is re-sealed");
        assert!(!after["password_epoch"].as_str().unwrap().is_empty(), "the device learns its wrapping is stale");

        // A second reset before the device re-sealed its copy keeps both keys: no third key
        // would strand the work sealed with the middle one.
        reset_password(&app, app.worker.id, "yet another new password").await;
        let (_, second) = unlock(&app, &d, "yet another new password").await;
        assert_eq!((second["key"].as_str(), second["previous_key"].as_str()), (Some(new_key), Some(old_key.as_str())));

        // Re-sealed: the previous key is destroyed, on proof the device holds the new one (the
        // device's secret alone, a copied profile, cannot).
        for wrong in [json!({}), json!({"key_hash": krousar_store::sync::rekey_proof(&old_key)})] {
            let res = d.call(&app, reqwest::Method::POST, "/rekeyed", Some(wrong)).await;
            assert!(matches!(res.status().as_u16(), 400 | 403), "{}", res.status());
        }
        let proof = json!({"key_hash": krousar_store::sync::rekey_proof(new_key)});
        let res = d.call(&app, reqwest::Method::POST, "/rekeyed", Some(proof)).await;
        assert_eq!(res.status(), 204);
        let (_, again) = unlock(&app, &d, "yet another new password").await;
        assert!(again["previous_key"].is_null());
        assert_eq!(again["key"], new_key);
        let rekeyed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'device.rekeyed'").fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(rekeyed, 1);
    })
    .await;
}

#[tokio::test]
async fn keys_are_sealed_in_the_database_and_released_only_for_the_owners_password() {
    each_db(|app| async move {
        let d = enrol(&app, "worker").await;
        let (_, body) = unlock(&app, &d, PASSWORD).await;
        let key = body["key"].as_str().unwrap();
        let (stored, key_id, secret_hash): (String, String, String) =
            sqlx::query_as("SELECT data_key, key_id, secret_hash FROM devices WHERE id = $1")
                .bind(&d.id)
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        assert!(!stored.contains(key) && !key_id.is_empty(), "the data key is sealed with the key ring");
        assert!(!secret_hash.is_empty() && !secret_hash.contains(&d.secret), "only the secret's hash is kept");

        // Wrong passwords are counted and audited like sign-ins; the account locks.
        for _ in 0..6 {
            assert_eq!(unlock(&app, &d, "not the password").await.0, 422);
        }
        let (status, body) = unlock(&app, &d, PASSWORD).await;
        assert_eq!(status, 422, "locked: the right password releases nothing: {body}");
        let failures: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('auth.failure', 'auth.locked') AND record_id = $1")
                .bind(app.worker.id.to_string())
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        assert!(failures >= 5, "failures are audited ({failures})");
    })
    .await;
}

#[tokio::test]
async fn a_device_proves_itself_and_a_colleague_on_its_browser_is_not_told_revoked() {
    each_db(|app| async move {
        let d = enrol(&app, "worker").await;
        assert_eq!(d.post(&app, "/pull", json!({})).await.0, 200);

        // Another browser of the same worker names the phone but cannot prove it.
        let (c, csrf) = app.login("worker").await;
        for secret in ["", "not-the-secret-of-this-device-at-all-0123456789"] {
            let other = Device { c: c.clone(), csrf: csrf.clone(), id: d.id.clone(), secret: secret.to_string() };
            let (status, body) = other.post(&app, "/pull", json!({})).await;
            assert_eq!((status, body["error"]["code"].as_str()), (403, Some("device_not_yours")));
            assert_eq!(unlock(&app, &other, PASSWORD).await.0, 403, "nor is its key released");
        }

        // A colleague signs in on the worker's browser: the device is not hers, and not revoked.
        let (colleague, csrf) = app.login("supervisor").await;
        let on_phone = Device { c: colleague, csrf, id: d.id.clone(), secret: d.secret.clone() };
        let (status, body) = on_phone.post(&app, "/pull", json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("device_not_yours")));
        let push = json!({"changes": []});
        assert_eq!(on_phone.post(&app, "/push", push).await.0, 403);
        let revoked: Option<String> =
            sqlx::query_scalar("SELECT revoked_at FROM devices WHERE id = $1").bind(&d.id).fetch_one(app.store.pool()).await.unwrap();
        assert!(revoked.is_none());
        assert_eq!(d.post(&app, "/pull", json!({})).await.0, 200, "the owner still syncs");

        // A device secret that is too short is refused at enrolment; nothing is made.
        let (c, csrf) = app.login("worker").await;
        let res = c
            .post(app.url("/api/v1/sync/devices"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "x", "password": PASSWORD, "secret": "short"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices").fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(n, 1);
        let _ = device_secret();
    })
    .await;
}

#[tokio::test]
async fn the_server_says_when_a_copy_has_expired_whatever_the_phone_clock_says() {
    each_db(|app| async move {
        let d = enrol(&app, "worker").await;
        assert_eq!(d.post(&app, "/pull", json!({})).await.0, 200);
        let (_, body) = unlock(&app, &d, PASSWORD).await;
        assert_eq!(body["expired"], false);
        assert_eq!(body["offline_days"], 14);
        let long_ago = krousar_store::db::time_text(chrono::Utc::now() - chrono::Duration::days(15));
        sqlx::query("UPDATE devices SET last_sync_at = $1 WHERE id = $2")
            .bind(&long_ago)
            .bind(&d.id)
            .execute(app.store.pool())
            .await
            .unwrap();
        let (_, body) = unlock(&app, &d, PASSWORD).await;
        assert_eq!(body["expired"], true, "fifteen days without a sync, by the server's clock");
        assert!(body["idle_minutes"].as_i64().is_some_and(|m| (1..=15).contains(&m)));
    })
    .await;
}

#[tokio::test]
async fn unlocking_without_a_session_obeys_two_step_sign_in_and_an_old_device_needs_its_owner() {
    each_db(|app| async move {
        let d = enrol(&app, "worker").await;
        let anonymous = Device { c: crate::app::client(), csrf: String::new(), id: d.id.clone(), secret: d.secret.clone() };
        assert_eq!(unlock(&app, &anonymous, PASSWORD).await.0, 200, "the phone opens before its user signs in");

        // The organisation requires two-step sign-in and the worker has not set it up.
        app.store.set_org_require_totp(krousar_store::Who::system(), app.worker.org_id, true).await.unwrap();
        let (status, body) = unlock(&app, &anonymous, PASSWORD).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("totp_required")), "{body}");
        app.store.set_org_require_totp(krousar_store::Who::system(), app.worker.org_id, false).await.unwrap();

        // A device of an older version (no secret yet) is given one only by its signed-in owner.
        sqlx::query("UPDATE devices SET secret_hash = '' WHERE id = $1").bind(&d.id).execute(app.store.pool()).await.unwrap();
        let stranger = Device { c: crate::app::client(), csrf: String::new(), id: d.id.clone(), secret: device_secret() };
        assert_eq!(unlock(&app, &stranger, PASSWORD).await.0, 403, "knowing the id and the password is not enough");
        let (c, csrf) = app.login("worker").await;
        let owner = Device { c, csrf, id: d.id.clone(), secret: device_secret() };
        assert_eq!(unlock(&app, &owner, PASSWORD).await.0, 200);
        assert_eq!(unlock(&app, &anonymous, PASSWORD).await.0, 403, "the old secret no longer proves it");
    })
    .await;
}
