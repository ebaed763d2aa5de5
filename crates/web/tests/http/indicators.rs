//! Indicators on a small hand-built dataset whose answers are known: each figure "N (nF)" and
//! the list of children behind it agree, within the user's scope only.

use crate::app::{child_json, each_db};
use serde_json::{json, Value};

#[tokio::test]
async fn indicators_count_what_their_lists_show() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let today = krousar_web::views::today().to_string();
        let mut ids = Vec::new();
        for (km, latin, sex) in [("ស្រីពៅ", "Sreypov", "female"), ("ស្រីនាង", "Sreyneang", "female"), ("ដារា", "Dara", "male")]
        {
            let mut body = child_json(km, latin);
            body["sex"] = json!(sex);
            let c: Value = app.api_post(&w, "/api/v1/children", body).await.json().await.unwrap();
            ids.push(c["id"].as_str().unwrap().to_string());
        }
        // Sreypov goes home to her mother; Dara to a group home (not a family).
        for (id, kind) in [(&ids[0], "mother"), (&ids[2], "group_home")] {
            app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), json!({"route": "rci", "opened_on": today})).await;
            let home: Value = app
                .api_post(
                    &w,
                    "/api/v1/households",
                    json!({"name": "Home", "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": id}),
                )
                .await
                .json()
                .await
                .unwrap();
            let res = app
                .api_post(
                    &w,
                    &format!("/api/v1/children/{id}/case/placement"),
                    json!({"kind": kind, "household_id": home["id"], "started_on": today, "justification": "Only option for now"}),
                )
                .await;
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
        let (c, _) = app.login("worker").await;
        let page = c.get(app.url("/indicators")).send().await.unwrap().text().await.unwrap();
        let figure = |label: &str| -> String {
            let after = page.split(label).nth(1).unwrap_or("");
            let link = after.split("<a href=").nth(1).unwrap_or("");
            let value = link.split("\">").nth(1).unwrap_or("");
            value.split('<').next().unwrap_or("").to_string()
        };
        assert_eq!(figure("Children registered<"), "3 (2F)", "{page}");
        assert_eq!(figure("Children reintegrated<"), "1 (1F)");
        assert_eq!(figure("Cases closed<"), "0 (0F)");
        // Each figure's list holds exactly the children it counts.
        for (code, expected) in [("registered", 3), ("reintegrated", 1), ("closed", 0)] {
            let list = c.get(app.url(&format!("/indicators/{code}"))).send().await.unwrap().text().await.unwrap();
            assert_eq!(list.matches("href=\"/children/").count(), expected, "{code}: {list}");
        }
        let reintegrated = c.get(app.url("/indicators/reintegrated")).send().await.unwrap().text().await.unwrap();
        assert!(reintegrated.contains("Sreypov") && !reintegrated.contains("Dara"));
        // Last year: nothing; another organisation: nothing of these.
        let old = c.get(app.url("/indicators?from=2020-01-01&to=2020-12-31")).send().await.unwrap().text().await.unwrap();
        assert!(old.contains("0 (0F)") && !old.contains("3 (2F)"));
        let (o, _) = app.login("stranger").await;
        let theirs = o.get(app.url("/indicators")).send().await.unwrap().text().await.unwrap();
        assert!(!theirs.contains("3 (2F)"));
        assert!(!o.get(app.url("/indicators/registered")).send().await.unwrap().text().await.unwrap().contains("Sreypov"));
    })
    .await;
}
