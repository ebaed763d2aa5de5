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

        // An id on every answer; a proxy's plain one is kept, anything else replaced.
        let res = c.get(app.url("/login")).send().await.unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 12, "{id}");
        let kept = c.get(app.url("/login")).header("x-request-id", "proxy-42").send().await.unwrap();
        assert_eq!(kept.headers()["x-request-id"], "proxy-42");
        let hostile = c.get(app.url("/login")).header("x-request-id", "<script>").send().await.unwrap();
        assert_ne!(hostile.headers()["x-request-id"], "<script>");

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
