//! Issue 19, accounts under administration: a password reset ends every session and token;
//! administrators see and revoke a user's tokens and devices; nobody manages an account, or grants
//! a role, reaching further than their own.

use crate::app::{each_db, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;

#[tokio::test]
async fn a_password_reset_ends_tokens_and_admins_revoke_tokens_and_devices() {
    each_db(|app| async move {
        let (a, csrf) = app.login("admin").await;
        let token = app.token(&app.worker).await;
        let (w, _) = app.login("worker").await;
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 200);
        // The administrator resets the worker's password.
        let form = [("_csrf", csrf.as_str()), ("role", "social-worker"), ("team", ""), ("new_password", "a brand new password")];
        let res = a.post(app.url(&format!("/admin/users/{}", app.worker.id))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 401, "the token ends with the reset");
        assert_eq!(w.get(app.url("/children")).send().await.unwrap().status(), 303, "and so does the session");

        // A new token and a device: both shown on the worker's admin page, both revocable there.
        let token = app.token(&app.worker).await;
        let (device, _) = app.store.enrol_device(&app.worker.actor(), "Lost phone", &crate::sync::device_secret()).await.unwrap();
        let page = a.get(app.url(&format!("/admin/users/{}", app.worker.id))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Lost phone") && page.contains("test"), "the user's devices and tokens are listed");
        let tokens = app.store.tokens(app.worker.id).await.unwrap();
        let live = tokens.iter().find(|t| t.revoked_at.is_none()).unwrap();
        let revoke = app.url(&format!("/admin/users/{}/tokens/{}/revoke", app.worker.id, live.id));
        assert_eq!(a.post(&revoke).form(&[("_csrf", "forged")]).send().await.unwrap().status(), 403, "CSRF-protected");
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 200);
        let res = a.post(&revoke).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 401);
        let back = format!("/admin/users/{}", app.worker.id);
        let res = a
            .post(app.url(&format!("/devices/{}/revoke", device.id)))
            .form(&[("_csrf", csrf.as_str()), ("back", back.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], back.as_str());
        let theirs = app.store.org_devices(&app.admin.actor(), app.admin.org_id).await.unwrap();
        assert!(theirs.iter().any(|d| d.id == device.id && d.revoked()));
        let log = a.get(app.url("/admin/audit?action=token.revoke")).send().await.unwrap().text().await.unwrap();
        assert!(log.contains(&live.id.to_string()), "the revocation is audited");
        // A worker may not revoke another person's tokens.
        let (w, wcsrf) = app.login("supervisor").await;
        let res = w
            .post(app.url(&format!("/admin/users/{}/tokens/{}/revoke", app.worker.id, live.id)))
            .form(&[("_csrf", wcsrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    })
    .await;
}

#[tokio::test]
async fn an_organisation_administrator_cannot_take_over_a_system_administrator_or_make_a_ministry_viewer() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let sys =
            app.store.create_user(Who::system(), app.admin.org_id, None, "root", "Root", Role::SystemAdmin, &hash, "en").await.unwrap();
        let (a, csrf) = app.login("admin").await;
        // The system administrator's page and form are closed to the organisation's administrator.
        assert_eq!(a.get(app.url(&format!("/admin/users/{}", sys.id))).send().await.unwrap().status(), 403);
        let takeover = [("_csrf", csrf.as_str()), ("role", "org-admin"), ("team", ""), ("new_password", "i own you now please")];
        let res = a.post(app.url(&format!("/admin/users/{}", sys.id))).form(&takeover).send().await.unwrap();
        assert_eq!(res.status(), 403);
        let after = app.store.user(sys.id).await.unwrap();
        assert_eq!((after.role, after.password_hash), (Role::SystemAdmin, sys.password_hash.clone()), "nothing changed");
        let disable = [("_csrf", csrf.as_str()), ("role", "system-admin"), ("team", ""), ("disabled", "1"), ("new_password", "")];
        assert_eq!(a.post(app.url(&format!("/admin/users/{}", sys.id))).form(&disable).send().await.unwrap().status(), 403);
        assert!(!app.store.user(sys.id).await.unwrap().disabled);

        // No ministry or system administrator accounts from an organisation's administrator, and
        // the pick-list offers only what may be granted.
        let page = a.get(app.url("/admin/users")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("value=\"ministry\"") && !page.contains("value=\"system-admin\""));
        assert!(page.contains("value=\"org-admin\"") && page.contains("value=\"manager\""));
        for role in ["ministry", "system-admin"] {
            let form = [
                ("_csrf", csrf.as_str()),
                ("username", "viewer"),
                ("display_name", "Viewer"),
                ("role", role),
                ("team", ""),
                ("password", PASSWORD),
            ];
            assert_eq!(a.post(app.url("/admin/users")).form(&form).send().await.unwrap().status(), 422, "{role}");
            assert!(app.store.user_by_username("viewer").await.is_err(), "{role} not created");
        }
        // Nor promote a worker to one.
        let promote = [("_csrf", csrf.as_str()), ("role", "ministry"), ("team", ""), ("new_password", "")];
        assert_eq!(a.post(app.url(&format!("/admin/users/{}", app.worker.id))).form(&promote).send().await.unwrap().status(), 422);
        assert_eq!(app.store.user(app.worker.id).await.unwrap().role, Role::SocialWorker);
        // What an organisation's administrator may do still works: another administrator.
        let form = [
            ("_csrf", csrf.as_str()),
            ("username", "deputy"),
            ("display_name", "Deputy"),
            ("role", "org-admin"),
            ("team", ""),
            ("password", PASSWORD),
        ];
        assert_eq!(a.post(app.url("/admin/users")).form(&form).send().await.unwrap().status(), 303);

        // The system administrator may do all of it.
        let (s, scsrf) = app.login("root").await;
        let page = s.get(app.url("/admin/users")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("value=\"ministry\"") && page.contains("value=\"system-admin\""));
        let promote = [("_csrf", scsrf.as_str()), ("role", "ministry"), ("team", ""), ("new_password", "")];
        assert_eq!(s.post(app.url(&format!("/admin/users/{}", app.worker.id))).form(&promote).send().await.unwrap().status(), 303);
        assert_eq!(app.store.user(app.worker.id).await.unwrap().role, Role::Ministry);
    })
    .await;
}

#[tokio::test]
async fn an_organisation_administrator_cannot_revoke_a_system_administrators_device() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let org = app.worker.org_id;
        let root = app.store.create_user(Who::system(), org, None, "root", "Root", Role::Supervisor, &hash, "en").await.unwrap();
        // A phone enrolled while a supervisor, kept after becoming the system administrator.
        let (device, _) = app.store.enrol_device(&root.actor(), "Root's phone", &crate::sync::device_secret()).await.unwrap();
        sqlx::query("UPDATE users SET role = 'system-admin' WHERE id = $1")
            .bind(root.id.to_string())
            .execute(app.store.pool())
            .await
            .unwrap();
        let refused = app.store.revoke_device(&app.admin.actor(), device.id).await;
        assert!(matches!(refused, Err(krousar_store::StoreError::Forbidden)), "{refused:?}");
        // Their own worker's phone, they do revoke.
        let (phone, _) = app.store.enrol_device(&app.worker.actor(), "Worker's phone", &crate::sync::device_secret()).await.unwrap();
        assert!(app.store.revoke_device(&app.admin.actor(), phone.id).await.unwrap().revoked());
    })
    .await;
}
