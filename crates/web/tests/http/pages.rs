//! The pages: sign-in and lockout, language, CSRF, registering through the form, headers.

use crate::app::{client, csrf_of, each_db, PASSWORD};

#[tokio::test]
async fn sign_in_language_and_lockout() {
    each_db(|app| async move {
        let (c, csrf) = app.login("worker").await;
        let home = c.get(app.url("/")).send().await.unwrap();
        let h = home.headers().clone();
        let html = home.text().await.unwrap();
        assert!(html.contains("My caseload"));
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        // Switch to Khmer: remembered on the account.
        let res = c.post(app.url("/lang")).form(&[("_csrf", csrf.as_str()), ("lang", "km")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(app.store.user(app.worker.id).await.unwrap().locale, "km");
        let html = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("ករណីរបស់ខ្ញុំ") && html.contains("lang=\"km\""));
        // A forged CSRF token changes nothing.
        let res = c.post(app.url("/lang")).form(&[("_csrf", "forged"), ("lang", "en")]).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(app.store.user(app.worker.id).await.unwrap().locale, "km");

        // Six wrong passwords lock the account, even against the right one.
        let anon = client();
        for _ in 0..6 {
            let page = anon.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
            let res = anon
                .post(app.url("/login"))
                .form(&[("_csrf", csrf_of(&page).as_str()), ("username", "supervisor"), ("password", "wrong password")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
        let page = anon.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let res = anon
            .post(app.url("/login"))
            .form(&[("_csrf", csrf_of(&page).as_str()), ("username", "supervisor"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("ចាក់សោ"), "the lockout message, in Khmer (the default before sign-in)");
        // Session cookie attributes.
        let page = anon.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let res = anon
            .post(app.url("/login"))
            .form(&[("_csrf", csrf_of(&page).as_str()), ("username", "worker"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    })
    .await;
}

#[tokio::test]
async fn register_a_child_through_the_form_and_find_it() {
    each_db(|app| async move {
        let (c, csrf) = app.login("worker").await;
        // No-JavaScript place search: "Find" re-renders the form with matches, keeping input.
        let form = [
            ("_csrf", csrf.as_str()),
            ("given_name_km", "ស្រីពៅ"),
            ("family_name_km", "កែវ"),
            ("given_name_latin", "Sreypov"),
            ("family_name_latin", "Keo"),
            ("sex", "female"),
            ("date_of_birth", "2016-05-01"),
            ("place_q", "Ou Thum"),
            ("find_place", "1"),
        ];
        let html = c.post(app.url("/children")).form(&form).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("value=\"01020101\"") && html.contains("value=\"ស្រីពៅ\""), "search results and typed values shown");
        // A future date of birth: the form comes back with the message and what was typed.
        let bad = [
            ("_csrf", csrf.as_str()),
            ("given_name_km", "ស្រីពៅ"),
            ("sex", "female"),
            ("date_of_birth", "2999-01-01"),
            ("village_pick", "01020101"),
        ];
        let res = c.post(app.url("/children")).form(&bad).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("This date is in the future") && html.contains("value=\"ស្រីពៅ\""));
        assert_eq!(app.store.count_children(&app.worker.actor(), &Default::default()).await.unwrap(), 0);
        // Save.
        let ok = [
            ("_csrf", csrf.as_str()),
            ("given_name_km", "ស្រីពៅ"),
            ("family_name_km", "កែវ"),
            ("given_name_latin", "Sreypov"),
            ("family_name_latin", "Keo"),
            ("sex", "female"),
            ("date_of_birth", "2016-05-01"),
            ("village_pick", "01020101"),
            ("protection", "orphan"),
            ("protection", "street_child"),
        ];
        let res = c.post(app.url("/children")).form(&ok).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let at = res.headers()["location"].to_str().unwrap().to_string();
        let record = c.get(app.url(&at)).send().await.unwrap().text().await.unwrap();
        assert!(record.contains("Ou Thum") && record.contains("Street child") && record.contains("Orphan"));
        // Found by a romanised variant of part of the name, in the caseload and the list.
        let list = c.get(app.url("/children?q=srei")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Sreypov") || list.contains("ស្រីពៅ"), "{list}");
        assert!(list.contains("1 child") && !list.contains("1 children"));
        let home = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("ស្រីពៅ") || home.contains("Sreypov"));
    })
    .await;
}

#[tokio::test]
async fn idle_and_old_sessions_end() {
    each_db(|app| async move {
        let (c, _) = app.login("worker").await;
        assert_eq!(c.get(app.url("/children")).send().await.unwrap().status(), 200);
        // Idle for two hours (the default idle timeout is one hour).
        sqlx::query("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00.000000Z'").execute(app.store.pool()).await.unwrap();
        let res = c.get(app.url("/children")).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/login");
        // Idle sessions nobody comes back to are purged.
        let (_other, _) = app.login("supervisor").await;
        sqlx::query("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00.000000Z'").execute(app.store.pool()).await.unwrap();
        assert_eq!(app.store.purge_idle_sessions(60).await.unwrap(), 1);
        // Active, but signed in more than twelve hours ago.
        let (c, _) = app.login("worker").await;
        sqlx::query("UPDATE sessions SET created_at = '2000-01-01T00:00:00.000000Z'").execute(app.store.pool()).await.unwrap();
        assert_eq!(c.get(app.url("/children")).send().await.unwrap().headers()["location"], "/login");
        // Signing out ends the session on the server.
        let (c, csrf) = app.login("worker").await;
        c.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(c.get(app.url("/children")).send().await.unwrap().headers()["location"], "/login");
        let n: i64 = sqlx::Row::get(&sqlx::query("SELECT COUNT(*) AS n FROM sessions").fetch_one(app.store.pool()).await.unwrap(), "n");
        assert_eq!(n, 0);
    })
    .await;
}
