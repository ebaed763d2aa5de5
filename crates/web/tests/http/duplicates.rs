//! Duplicate detection: on registration and on demand, across romanisations and name order;
//! another organisation's record is announced, never shown.

use crate::app::{each_db, TestApp};
use serde_json::{json, Value};

fn sreypov(family: &str, given: &str, year: i32, village: &str) -> Value {
    json!({"family_name_latin": family, "given_name_latin": given, "sex": "female", "estimated_birth_year": year, "village_code": village})
}

async fn register(app: &TestApp, token: &str, body: Value) -> String {
    let res = app.api_post(token, "/api/v1/children", body).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_child_known_elsewhere_is_found_without_being_shown() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let first = register(&app, &w, sreypov("Sok", "Sreypov", 2014, "02020101")).await;
        register(&app, &w, sreypov("Chan", "Dara", 2014, "02020101")).await;

        // Another organisation, another spelling: told where, not who.
        let x = app.token(&app.other_worker).await;
        let res = app.api_post(&x, "/api/v1/children/duplicate-check", sreypov("Sokh", "Sreipov", 2015, "02020102")).await;
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        let found: Value = serde_json::from_str(&text).unwrap();
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{found}");
        assert_eq!(items[0]["org_name"], "Test NGO");
        assert_eq!(items[0]["same_org"], false);
        assert!(items[0]["child"].is_null());
        assert_eq!(items[0]["name"], "same", "Sokh Sreipov and Sok Sreypov have the same keys");
        assert!(!text.contains("Sreypov") && !text.contains(&first), "nothing of the record leaks");

        // In the same organisation, through the form: family and given name swapped.
        let (c, csrf) = app.login("worker").await;
        let form = |confirm: bool| {
            let mut f = vec![
                ("_csrf", csrf.clone()),
                ("family_name_latin", "Sreypov".to_string()),
                ("given_name_latin", "Sok".to_string()),
                ("sex", "female".to_string()),
                ("estimated_age", "12".to_string()),
                ("village_pick", "02020101".to_string()),
                ("save", "1".to_string()),
            ];
            if confirm {
                f.push(("confirm_new", "1".to_string()));
            }
            f
        };
        let res = c.post(app.url("/children")).form(&form(false)).send().await.unwrap();
        assert_eq!(res.status(), 200, "not saved: the worker is asked first");
        let page = res.text().await.unwrap();
        assert!(page.contains(&format!("/children/{first}")), "the record the worker may open is a link");
        assert!(page.contains("name=\"confirm_new\""));
        let listed: Value = app.api_get(&w, "/api/v1/children").await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 2, "nothing registered yet");
        let res = c.post(app.url("/children")).form(&form(true)).send().await.unwrap();
        assert_eq!(res.status(), 303, "a different child: registered after the tick");
        let second = res.headers()["location"].to_str().unwrap().trim_start_matches("/children/").to_string();

        // On demand, from the record; the API says the same.
        let page = c.get(app.url(&format!("/children/{second}/duplicates"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("/children/{first}")));
        let found: Value = app.api_get(&w, &format!("/api/v1/children/{second}/duplicates")).await.json().await.unwrap();
        assert_eq!(found["items"][0]["child"]["id"], first.as_str());
        // Checks are audited: they can reveal that a child is known.
        let filter = krousar_store::audit::AuditFilter { action: Some("child.duplicate_check".into()), limit: 50, ..Default::default() };
        assert!(krousar_store::audit::list(&app.store, &filter).await.unwrap().len() >= 3);
    })
    .await;
}
