//! The home page names the first few of each list and links to the whole of it: a supervisor
//! with many requests waiting sees the oldest ten and "… and N more", which leads to them all.

use crate::app::{child_json, each_db};
use serde_json::{json, Value};

#[tokio::test]
async fn a_supervisor_sees_the_oldest_requests_and_a_link_to_all_of_them() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        // Nothing waits yet (or the last request was decided since the link was followed): an
        // empty list, not every other one.
        let (page, _) = app.login("supervisor").await;
        let none = page.get(app.url("/todo?when=approvals")).send().await.unwrap().text().await.unwrap();
        assert!(none.contains("id=\"approvals\"") && !none.contains("id=\"due-overdue\""), "{none}");
        let today = krousar_domain::today().to_string();
        let mut cases = Vec::new();
        for i in 0..12 {
            let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", &format!("Sreypov{i}"))).await.json().await.unwrap();
            let base = format!("/api/v1/children/{}/case", c["id"].as_str().unwrap());
            let opened = json!({"route": "report", "referral_source": "police", "opened_on": today});
            assert_eq!(app.api_post(&w, &format!("{base}/open"), opened).await.status(), 201);
            let risk = json!({"level": "high", "reasons": "Violence at home", "assessed_on": today});
            assert_eq!(app.api_post(&w, &format!("{base}/risk"), risk).await.status(), 200);
            assert_eq!(app.api_post(&w, &format!("{base}/approvals"), json!({"kind": "assessment"})).await.status(), 200);
            cases.push(format!("/children/{}/case", c["id"].as_str().unwrap()));
        }
        let home = page.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        let listed = cases.iter().filter(|c| home.contains(&format!("href=\"{c}\""))).count();
        assert_eq!(listed, 10, "the first ten named on the home page");
        assert!(home.contains("Approvals (12)"), "all twelve counted");
        assert!(home.contains("href=\"/todo?when=approvals\""), "a link to the rest");
        assert!(home.contains("and 2 more"), "the rest counted");

        let all = page.get(app.url("/todo?when=approvals")).send().await.unwrap().text().await.unwrap();
        assert!(cases.iter().all(|c| all.contains(&format!("href=\"{c}\""))), "every request on the whole list");
        assert!(!all.contains("id=\"due-overdue\""), "only the list asked for");
        let everything = page.get(app.url("/todo")).send().await.unwrap().text().await.unwrap();
        assert!(everything.contains("id=\"approvals\"") && everything.contains("id=\"due-overdue\""));
        // A worker asks for nothing to be approved: no such list for her.
        let (worker_page, _) = app.login("worker").await;
        let theirs = worker_page.get(app.url("/todo?when=approvals")).send().await.unwrap().text().await.unwrap();
        assert!(!theirs.contains("id=\"approvals\""), "{theirs}");
    })
    .await;
}
