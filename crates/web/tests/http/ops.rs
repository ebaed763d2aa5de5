//! What an operator's tools ask: `/readyz` (database, schema, keys) and each request's id, in
//! the answer's header and on the error page a user can quote it from.

use crate::app::each_db;
use serde_json::{json, Value};

#[tokio::test]
async fn ready_and_every_answer_carries_its_request_id() {
    each_db(|app| async move {
        let c = crate::app::client();
        let res = c.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, json!({"database": "ok", "migrations": "current", "keys": "ok"}));

        // An id on every answer, always the server's own: a client cannot choose it.
        let res = c.get(app.url("/login")).send().await.unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 16, "{id}");
        let borrowed = c.get(app.url("/login")).header("x-request-id", &id).send().await.unwrap();
        assert_ne!(borrowed.headers()["x-request-id"].to_str().unwrap(), id);

        // The error page says it, for the user to quote.
        let (page, _) = app.login("worker").await;
        let res = page.get(app.url("/children/00000000-0000-0000-0000-000000000000")).send().await.unwrap();
        assert_eq!(res.status(), 404);
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        let text = res.text().await.unwrap();
        assert!(text.contains(&format!("<code class=\"reference\">{id}</code>")), "{text}");
    })
    .await;
}

/// `/metrics`: absent without a token, refused without the right one, and with it the
/// requests by route (ids folded), the pool, the queues and sign-in failures.
#[tokio::test]
async fn metrics_are_behind_a_token_and_count_what_happened() {
    each_db(|app| async move {
        let c = crate::app::client();
        assert_eq!(c.get(app.url("/metrics")).send().await.unwrap().status(), 404, "no token set: no page");
        let config = krousar_web::Config { metrics_token: Some("scrape-secret".into()), ..Default::default() };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = krousar_web::router(app.store.clone(), config);
        tokio::spawn(crate::app::serve(listener, router));

        assert_eq!(c.get(format!("{base}/metrics")).send().await.unwrap().status(), 401);
        assert_eq!(c.get(format!("{base}/metrics")).bearer_auth("scrape-secreT").send().await.unwrap().status(), 401);
        // Something to count: a page with an id in its address (and others with anything there:
        // one label for all), an unknown address, an odd method, and a wrong password.
        c.get(format!("{base}/children/0190a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b")).send().await.unwrap();
        c.get(format!("{base}/children/not-an-id-at-all")).send().await.unwrap();
        c.get(format!("{base}/no/such/page/xyzzy")).send().await.unwrap();
        c.request(reqwest::Method::from_bytes(b"BREW").unwrap(), format!("{base}/healthz")).send().await.unwrap();
        let wrong = [("username", "worker"), ("password", "not the password")];
        let login_page = c.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
        let token =
            login_page.split("name=\"_csrf\" value=\"").nth(1).map(|r| r.split('"').next().unwrap().to_string()).unwrap_or_default();
        let mut form = vec![("_csrf", token.as_str())];
        form.extend(wrong);
        c.post(format!("{base}/login")).form(&form).send().await.unwrap();

        let res = c.get(format!("{base}/metrics")).bearer_auth("scrape-secret").send().await.unwrap();
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        for wanted in [
            "krousar_http_requests_total",
            "route=\"/children/{id}\"",
            "krousar_http_request_duration_seconds_bucket",
            "krousar_db_pool_connections{state=\"open\"}",
            "krousar_sign_in_failures_total",
        ] {
            assert!(text.contains(wanted), "{wanted} in\n{text}");
        }
        for never in ["0190a2b3", "not-an-id", "xyzzy", "BREW"] {
            assert!(!text.contains(never), "{never} in a label:\n{text}");
        }
        assert!(text.contains("route=\"unmatched\"") && text.contains("method=\"other\""), "{text}");
    })
    .await;
}
