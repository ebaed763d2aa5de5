//! Distributions: a list built by village and by name, only from the organisation's own
//! households; receipts recorded all or nothing; the support shown on the household's and the
//! child's pages; the children reached counted by the indicator, its drill-down as long as its
//! count; another organisation sees none of it.

use crate::app::{child_json, each_db, TestApp};
use serde_json::{json, Value};

async fn household(app: &TestApp, token: &str, name: &str, child: Option<&str>) -> String {
    let mut body = json!({"name": name, "income_band": "unknown", "id_poor": "unknown", "members": [], "village_code": "02020101"});
    if let Some(c) = child {
        body["child_id"] = json!(c);
    }
    let res = app.api_post(token, "/api/v1/households", body).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_distribution_reaches_households_and_their_children_and_no_one_else_sees_it() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let x = app.token(&app.other_worker).await;
        let child: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let child_id = child["id"].as_str().unwrap().to_string();
        let sok = household(&app, &w, "គ្រួសារ សុខ", Some(&child_id)).await;
        let chan = household(&app, &w, "Chan family", None).await;
        let theirs = household(&app, &x, "Their family", None).await;

        let today = krousar_domain::today().to_string();
        let given = (krousar_domain::today() - chrono::Days::new(5)).to_string();
        let first = (krousar_domain::today() - chrono::Days::new(3)).to_string();
        let bad = app.api_post(&w, "/api/v1/distributions", json!({"name": "", "kind": "gold", "items": []})).await;
        assert_eq!(bad.status(), 422);
        let plan = json!({"name": "Emergency food", "kind": "food", "given_on": given,
            "items": [{"name": "Rice", "quantity": "25", "unit": "kg", "value_riel": "100000"}, {"name": "Fish", "quantity": "10", "unit": "tin", "value_riel": "30000"}]});
        let res = app.api_post(&w, "/api/v1/distributions", plan).await;
        assert_eq!(res.status(), 201);
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

        // Another organisation's household cannot be put on the list; the village adds ours only.
        let res = app.api_post(&w, &format!("/api/v1/distributions/{id}/households"), json!({"households": [theirs]})).await;
        assert_eq!(res.status(), 422);
        let res = app.api_post(&w, &format!("/api/v1/distributions/{id}/households"), json!({"village": "02020101"})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["added"], 2);
        let res = app.api_post(&w, &format!("/api/v1/distributions/{id}/households"), json!({"households": [sok]})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["added"], 0, "already on the list");
        let got: Value = app.api_get(&w, &format!("/api/v1/distributions/{id}")).await.json().await.unwrap();
        assert_eq!(got["households"].as_array().unwrap().len(), 2);
        assert_eq!(got["distribution"]["households"], 2);

        // Another organisation: not found, and not on its list.
        assert_eq!(app.api_get(&x, &format!("/api/v1/distributions/{id}")).await.status(), 404);
        let theirs_list: Value = app.api_get(&x, "/api/v1/distributions").await.json().await.unwrap();
        assert_eq!(theirs_list["items"].as_array().unwrap().len(), 0);
        // A role without distributions (the organisation's administrator): refused.
        let a = app.token(&app.admin).await;
        assert_eq!(app.api_get(&a, "/api/v1/distributions").await.status(), 403);

        // Receipts, all or nothing: a household not on the list spoils the whole save.
        let wrong = json!({"received_on": first, "households": [{"household_id": sok, "state": "received", "signed": true}, {"household_id": theirs, "state": "received"}]});
        assert_eq!(app.api_post(&w, &format!("/api/v1/distributions/{id}/receipts"), wrong).await.status(), 422);
        let got: Value = app.api_get(&w, &format!("/api/v1/distributions/{id}")).await.json().await.unwrap();
        assert_eq!(got["distribution"]["received"], 0, "nothing was kept");
        let right = json!({"received_on": first, "households": [{"household_id": sok, "state": "received", "signed": true}, {"household_id": chan, "state": "not_received"}]});
        assert_eq!(app.api_post(&w, &format!("/api/v1/distributions/{id}/receipts"), right).await.status(), 204);
        let got: Value = app.api_get(&w, &format!("/api/v1/distributions/{id}")).await.json().await.unwrap();
        assert_eq!((got["distribution"]["received"].as_i64(), got["distribution"]["not_received"].as_i64()), (Some(1), Some(1)));

        // Saving the whole list again later keeps the day each receipt was recorded on.
        let later = json!({"received_on": today, "households": [{"household_id": sok, "state": "received", "signed": true}, {"household_id": chan, "state": "received"}]});
        assert_eq!(app.api_post(&w, &format!("/api/v1/distributions/{id}/receipts"), later).await.status(), 204);
        let got: Value = app.api_get(&w, &format!("/api/v1/distributions/{id}")).await.json().await.unwrap();
        let day_of = |h: &str| got["households"].as_array().unwrap().iter().find(|l| l["household_id"] == h).unwrap()["received_on"].clone();
        assert_eq!((day_of(&sok), day_of(&chan)), (json!(first), json!(today)), "{got}");
        let too_many = json!({"households": [chan], "village": "02020101"});
        assert_eq!(app.api_post(&w, &format!("/api/v1/distributions/{id}/households"), too_many).await.status(), 422);

        // On the household's page and API, and on the child's page.
        let support: Value = app.api_get(&w, &format!("/api/v1/households/{sok}/support")).await.json().await.unwrap();
        assert_eq!(support["items"][0]["state"], "received");
        let (page, _) = app.login("worker").await;
        let child_page = page.get(app.url(&format!("/children/{child_id}"))).send().await.unwrap().text().await.unwrap();
        assert!(child_page.contains("Support received") && child_page.contains("Emergency food"), "the child's page");
        let list_page = page.get(app.url(&format!("/distributions/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(list_page.contains("Chan family") && list_page.contains("130,000 riel"), "value per household");
        let printed = page.get(app.url(&format!("/distributions/{id}/print?format=html"))).send().await.unwrap().text().await.unwrap();
        assert!(printed.contains("lang=\"km\"") && printed.contains("គ្រួសារ សុខ") && printed.contains("ហត្ថលេខា"), "the list to sign, in Khmer");

        // The children reached: one child (her household received it), its drill-down as long.
        let ind: Value = app.api_get(&w, "/api/v1/indicators").await.json().await.unwrap();
        let row = ind["items"].as_array().unwrap().iter().find(|i| i["code"] == "support_received").cloned();
        let row = row.expect("the indicator is listed");
        assert_eq!(row["count"]["total"], 1, "{row}");
        let records: Value = app.api_get(&w, "/api/v1/indicators/support_received/records").await.json().await.unwrap();
        assert_eq!(records["items"].as_array().unwrap().len(), 1, "{records}");
    })
    .await;
}
