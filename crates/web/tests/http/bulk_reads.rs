//! Lists and searches are audited like opened records (issue 19, item 8): one entry per request
//! naming the filters and the records shown, by the API and by the pages, on every engine.

use crate::app::{child_json, each_db, TestApp};
use serde_json::{json, Value};

/// The newest audit entry of `action`: (actor, detail), and how many there are.
async fn last_entry(app: &TestApp, action: &str) -> (Option<String>, Value, i64) {
    let pool = app.store.pool();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1").bind(action).fetch_one(pool).await.unwrap();
    let (actor, detail): (Option<String>, String) =
        sqlx::query_as("SELECT actor_id, detail FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1")
            .bind(action)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|_| panic!("no {action} entry"));
    (actor, serde_json::from_str(&detail).unwrap(), n)
}

fn ids_of(detail: &Value) -> Vec<String> {
    detail["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn every_list_and_search_records_what_it_showed() {
    each_db(|app| async move {
        let t = app.token(&app.worker).await;
        let mut children = Vec::new();
        for (km, latin) in [("សុខា", "Sokha"), ("ដារា", "Dara")] {
            let res = app.api_post(&t, "/api/v1/children", child_json(km, latin)).await;
            assert_eq!(res.status(), 201);
            children.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
        }
        let worker = app.worker.id.to_string();

        // The API's bulk read: every child it returned is named, with who asked.
        let res = app.api_get(&t, "/api/v1/children?limit=200").await;
        assert_eq!(res.status(), 200);
        let (actor, detail, n) = last_entry(&app, "child.list").await;
        assert_eq!(actor.as_deref(), Some(worker.as_str()));
        let mut listed = ids_of(&detail);
        listed.sort();
        let mut expected = children.clone();
        expected.sort();
        assert_eq!(listed, expected, "{detail}");
        assert_eq!(detail["filters"]["limit"], 200);

        // A name search on the page: one more entry, with the query and only the child found.
        let (c, _) = app.login("worker").await;
        let res = c.get(app.url("/children?q=Sokha")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let (_, detail, n2) = last_entry(&app, "child.list").await;
        assert_eq!(n2, n + 1, "one entry per request");
        assert_eq!(ids_of(&detail), vec![children[0].clone()], "{detail}");
        assert_eq!(detail["filters"]["q"], "Sokha");

        // Households: by the API and by the page.
        let home = json!({"name": "Sok family", "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": children[0]});
        let res = app.api_post(&t, "/api/v1/households", home).await;
        assert!(res.status().is_success(), "{}", res.status());
        let household = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        assert_eq!(app.api_get(&t, "/api/v1/households?q=Sok").await.status(), 200);
        let (actor, detail, n) = last_entry(&app, "household.list").await;
        assert_eq!(actor.as_deref(), Some(worker.as_str()));
        assert_eq!(ids_of(&detail), vec![household.clone()], "{detail}");
        assert_eq!(detail["filters"]["q"], "Sok");
        assert_eq!(c.get(app.url("/households")).send().await.unwrap().status(), 200);
        let (_, detail, n2) = last_entry(&app, "household.list").await;
        assert_eq!(n2, n + 1);
        assert_eq!(ids_of(&detail), vec![household]);
    })
    .await;
}
