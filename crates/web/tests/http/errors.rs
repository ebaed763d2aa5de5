//! Issue 23, the HTTP layer: handlers only say what went wrong; one place (`error::localise`,
//! run by the `context` middleware) says it in the caller's language, with their menu on a
//! page and in the API's JSON shape. A path parameter that is no id is "not found" for both.

use crate::app::{each_db, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;

#[tokio::test]
async fn an_error_is_said_in_the_callers_language_with_their_menu() {
    each_db(|app| async move {
        // A page: an id that is no UUID, and one that is nobody's.
        let (c, _) = app.login("worker").await;
        for path in ["/children/not-an-id", &format!("/children/{}", uuid::Uuid::now_v7())] {
            let res = c.get(app.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 404, "{path}");
            let html = res.text().await.unwrap();
            assert!(html.contains("This page or record does not exist"), "{path}: {html}");
            assert!(html.contains("action=\"/logout\""), "{path}: the signed-in user keeps the menu");
        }
        // Signed out: the same words, without a menu.
        let res = crate::app::client().get(app.url("/children/not-an-id")).send().await.unwrap();
        assert_eq!(res.status(), 303, "signed out, a page sends to sign-in first");

        // The API, for a Khmer reader: the same refusal in JSON, in Khmer.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let km =
            app.store.create_user(Who::system(), app.worker.org_id, None, "khmer", "Khmer", Role::SocialWorker, &hash, "km").await.unwrap();
        let token = app.token(&km).await;
        for path in ["/api/v1/children/not-an-id", "/api/v1/children/not-an-id/case/attachments/also-not"] {
            let res = app.api_get(&token, path).await;
            assert_eq!(res.status(), 404, "{path}");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "not_found", "{path}");
            assert_eq!(body["error"]["message"], "ទំព័រ ឬកំណត់ត្រានេះមិនមានទេ ឬមិនបើកឱ្យអ្នកមើលទេ។", "{path}");
        }
        // Invalid input: every field's problem, in the reader's language.
        let res = app.api_post(&token, "/api/v1/children", serde_json::json!({"sex": "x"})).await;
        assert_eq!(res.status(), 422);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid");
        let fields = body["error"]["fields"].as_array().unwrap();
        assert!(fields.iter().any(|f| f["field"] == "sex"), "{body}");
        assert!(
            fields.iter().all(|f| f["message"].as_str().is_some_and(|m| m.chars().any(|c| ('\u{1780}'..='\u{17FF}').contains(&c)))),
            "{body}"
        );
    })
    .await;
}
