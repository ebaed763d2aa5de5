//! Accounts: administrators manage users; tokens; two-step sign-in; audit page.

use crate::app::{client, csrf_of, each_db, PASSWORD};

#[tokio::test]
async fn an_administrator_manages_users_and_reads_the_audit_log() {
    each_db(|app| async move {
        let (a, csrf) = app.login("admin").await;
        let create = |username: &'static str, password: &'static str| {
            let csrf = csrf.clone();
            vec![
                ("_csrf", csrf),
                ("username", username.to_string()),
                ("display_name", "New Worker".to_string()),
                ("role", "social-worker".to_string()),
                ("team", String::new()),
                ("password", password.to_string()),
            ]
        };
        let res = a.post(app.url("/admin/users")).form(&create("newbie", PASSWORD)).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let res = a.post(app.url("/admin/users")).form(&create("newbie", PASSWORD)).send().await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("already taken"));
        let res = a.post(app.url("/admin/users")).form(&create("shorty", "short")).send().await.unwrap();
        assert_eq!(res.status(), 422);
        // Teams: created here, chosen for new users.
        let res = a.post(app.url("/admin/teams")).form(&[("_csrf", csrf.as_str()), ("team_name", "South")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let south = app.store.teams(app.admin.org_id).await.unwrap().into_iter().find(|t| t.name == "South").unwrap();
        let mut with_team = create("southie", PASSWORD);
        with_team[4].1 = south.id.to_string();
        assert_eq!(a.post(app.url("/admin/users")).form(&with_team).send().await.unwrap().status(), 303);
        assert_eq!(app.store.user_by_username("southie").await.unwrap().team_id, Some(south.id));
        // The new user signs in; then the administrator disables the account.
        let (n, _) = app.login("newbie").await;
        let newbie = app.store.user_by_username("newbie").await.unwrap();
        let token = app.token(&newbie).await;
        let form = [("_csrf", csrf.as_str()), ("role", "social-worker"), ("team", ""), ("disabled", "1"), ("new_password", "")];
        assert_eq!(a.post(app.url(&format!("/admin/users/{}", newbie.id))).form(&form).send().await.unwrap().status(), 303);
        let res = n.get(app.url("/")).send().await.unwrap();
        assert_eq!(res.status(), 303, "the disabled user's session has ended");
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 401, "and the token is revoked");
        // The audit log shows it, filtered by action.
        let log = a.get(app.url("/admin/audit?action=user.update")).send().await.unwrap().text().await.unwrap();
        assert!(log.contains("user.update") && log.contains("disabled") && log.contains("true"));
        assert!(log.contains("admin changed the account of New Worker"), "in words");
        // Others may not manage users or read the log.
        let (w, _) = app.login("worker").await;
        assert_eq!(w.get(app.url("/admin/users")).send().await.unwrap().status(), 403);
        assert_eq!(w.get(app.url("/admin/audit")).send().await.unwrap().status(), 403);
    })
    .await;
}

fn current_code(secret: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap().generate_current().unwrap()
}

#[tokio::test]
async fn tokens_can_be_revoked_and_two_step_sign_in_is_enforced() {
    each_db(|app| async move {
        let (c, csrf) = app.login("worker").await;
        // A token made on the account page works for the API until revoked.
        let page = c
            .post(app.url("/account/tokens"))
            .form(&[("_csrf", csrf.as_str()), ("label", "laptop")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = page.split("krt_").nth(1).map(|rest| format!("krt_{}", &rest[..64])).expect("token shown once");
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 200);
        let tokens = app.store.tokens(app.worker.id).await.unwrap();
        c.post(app.url(&format!("/account/tokens/{}/revoke", tokens[0].id))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(app.api_get(&token, "/api/v1/children").await.status(), 401);

        // Turn on two-step sign-in with a code from the authenticator.
        let page = c.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
        let secret = page.split("name=\"secret\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let res = c
            .post(app.url("/account/totp"))
            .form(&[("_csrf", csrf.as_str()), ("secret", secret.as_str()), ("code", "000000")])
            .send()
            .await
            .unwrap();
        assert!(res.text().await.unwrap().contains("not right"));
        let code = current_code(&secret);
        c.post(app.url("/account/totp"))
            .form(&[("_csrf", csrf.as_str()), ("secret", secret.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert!(app.store.user(app.worker.id).await.unwrap().totp_on());
        // Signing in now needs the code; the password alone opens nothing.
        let fresh = client();
        let login = fresh.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let res = fresh
            .post(app.url("/login"))
            .form(&[("_csrf", csrf_of(&login).as_str()), ("username", "worker"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/login/totp");
        assert_eq!(fresh.get(app.url("/children")).send().await.unwrap().headers()["location"], "/login/totp");
        let step = fresh.get(app.url("/login/totp")).send().await.unwrap().text().await.unwrap();
        let res = fresh
            .post(app.url("/login/totp"))
            .form(&[("_csrf", csrf_of(&step).as_str()), ("code", current_code(&secret).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/");
        assert_eq!(fresh.get(app.url("/children")).send().await.unwrap().status(), 200);

        // An organisation that requires it sends users without it to set it up.
        let (a, acsrf) = app.login("admin").await;
        a.post(app.url("/admin/organisation")).form(&[("_csrf", acsrf.as_str()), ("require_totp", "1")]).send().await.unwrap();
        let (s, _) = app.login("supervisor").await;
        let res = s.get(app.url("/children")).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/account");
        assert_eq!(s.get(app.url("/account")).send().await.unwrap().status(), 200);
    })
    .await;
}
