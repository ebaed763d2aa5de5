//! The audit log in words: the administrators' page says who did what to which record, filtered
//! by a child's case number only within their reach; a child's page shows who opened or changed
//! the record to the supervisor over it, and not to the worker.

use crate::app::{child_json, each_db};
use serde_json::Value;

#[tokio::test]
async fn the_audit_reads_as_sentences_and_a_childs_history_is_for_its_supervisor() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("សុភា", "Sophea")).await.json().await.unwrap();
        let (id, number) = (c["id"].as_str().unwrap().to_string(), c["case_number"].as_str().unwrap().to_string());
        let (worker, _) = app.login("worker").await;
        let page = |client: &reqwest::Client, path: String| {
            let req = client.get(app.url(&path));
            async move { req.send().await.unwrap().text().await.unwrap() }
        };
        let own = page(&worker, format!("/children/{id}")).await;
        assert!(own.contains("Sophea") && !own.contains("Who opened or changed this record"), "not for the worker");

        let (boss, _) = app.login("supervisor").await;
        let seen = page(&boss, format!("/children/{id}")).await;
        assert!(seen.contains("Who opened or changed this record"));
        assert!(seen.contains(&format!("worker opened the record of child {number}")), "the worker's reading, in words");
        assert!(seen.contains(&format!("worker registered child {number}")));

        let (admin, _) = app.login("admin").await;
        let found = page(&admin, format!("/admin/audit?child={number}")).await;
        assert!(found.contains(&format!("supervisor opened the record of child {number}")), "filtered by case number");
        assert!(!found.contains("Sophea") && !found.contains("សុភា"), "an administrator reads case numbers, not names");
        // Another organisation's child, by its case number: nothing, as for one that does not exist.
        let s = app.token(&app.other_worker).await;
        let theirs: Value = app.api_post(&s, "/api/v1/children", child_json("ដារ៉ា", "Dara")).await.json().await.unwrap();
        let other_number = theirs["case_number"].as_str().unwrap();
        for asked in [other_number, "NO-SUCH-1"] {
            let none = page(&admin, format!("/admin/audit?child={asked}")).await;
            assert!(none.contains("Nothing recorded."), "{asked}");
        }
        // A person of another organisation is not found either.
        assert!(page(&admin, "/admin/audit?user=stranger".into()).await.contains("Nothing recorded."));
    })
    .await;
}
