//! The JSON API: registration, search by romanised and Khmer names, optimistic locking, and
//! bad input that never writes and never answers 500.

use crate::app::{child_json, client, each_db, urlencode};
use serde_json::json;

#[tokio::test]
async fn register_search_and_patch_with_versions() {
    each_db(|app| async move {
        let t = app.token(&app.worker).await;
        let res = app.api_post(&t, "/api/v1/children", child_json("សុខា", "Sokha")).await;
        assert_eq!(res.status(), 201);
        let c: serde_json::Value = res.json().await.unwrap();
        assert_eq!(c["sex"], "female");
        assert_eq!(c["date_of_birth"], "2015-03-02");
        assert_eq!(c["village_code"], "02020101");
        assert_eq!(c["version"], 1);
        assert!(c["case_number"].as_str().unwrap().starts_with("TN-"));
        let id = c["id"].as_str().unwrap().to_string();

        // Found by partial, variant, reordered and Khmer names.
        for q in ["sokh", "Chann Sokha", "sokha chan", "សុខា", "ចាន់សុខា"] {
            let page: serde_json::Value = app.api_get(&t, &format!("/api/v1/children?q={}", urlencode(q))).await.json().await.unwrap();
            assert_eq!(page["items"].as_array().unwrap().len(), 1, "query {q}");
            assert!(page["next"].is_null());
        }
        let none: serde_json::Value = app.api_get(&t, "/api/v1/children?q=dara").await.json().await.unwrap();
        assert_eq!(none["items"].as_array().unwrap().len(), 0);
        // Short family names are found as the start of a word; a single letter finds nothing.
        let ly = json!({"given_name_latin": "Sopheap", "family_name_latin": "Ly", "sex": "female", "estimated_birth_year": 2012});
        assert_eq!(app.api_post(&t, "/api/v1/children", ly).await.status(), 201);
        let found: serde_json::Value = app.api_get(&t, "/api/v1/children?q=ly").await.json().await.unwrap();
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
        assert_eq!(found["items"][0]["family_name_latin"], "Ly");
        let one_letter: serde_json::Value = app.api_get(&t, "/api/v1/children?q=s").await.json().await.unwrap();
        assert_eq!(one_letter["items"].as_array().unwrap().len(), 0);

        // PATCH with the right version, then with a stale one.
        let url = app.url(&format!("/api/v1/children/{id}"));
        let ok = client().patch(&url).bearer_auth(&t).json(&json!({"version": 1, "nickname": "Mom"})).send().await.unwrap();
        assert_eq!(ok.status(), 200);
        let stale = client().patch(&url).bearer_auth(&t).json(&json!({"version": 1, "nickname": "Other"})).send().await.unwrap();
        assert_eq!(stale.status(), 409);
        let body: serde_json::Value = stale.json().await.unwrap();
        assert_eq!(body["error"]["code"], "conflict");
        assert_eq!(body["error"]["current_version"], 2);
        let now: serde_json::Value = app.api_get(&t, &format!("/api/v1/children/{id}")).await.json().await.unwrap();
        assert_eq!(now["nickname"], "Mom");
        assert_eq!(now["version"], 2);
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_writes_nothing() {
    each_db(|app| async move {
        let t = app.token(&app.worker).await;
        let cases = vec![
            json!({"given_name_km": "ក", "sex": "female", "date_of_birth": "2999-01-01"}),
            json!({"given_name_km": "ក", "sex": "female", "date_of_birth": "2015-02-30"}),
            json!({"given_name_km": "ក", "sex": "female", "date_of_birth": "2015-01-01", "village_code": "99999999"}),
            json!({"given_name_km": "ក", "sex": "unknown", "date_of_birth": "2015-01-01"}),
            json!({"given_name_km": "a\u{0000}b", "sex": "male", "date_of_birth": "2015-01-01"}),
            json!({"given_name_km": "x".repeat(5000), "sex": "male", "date_of_birth": "2015-01-01"}),
            json!({"sex": "male", "date_of_birth": "2015-01-01"}),
        ];
        for body in cases {
            let res = app.api_post(&t, "/api/v1/children", body.clone()).await;
            assert_eq!(res.status(), 422, "{body}");
            let e: serde_json::Value = res.json().await.unwrap();
            assert_eq!(e["error"]["code"], "invalid");
            assert!(!e["error"]["fields"][0]["message"].as_str().unwrap().is_empty());
        }
        // Malformed JSON and invalid UTF-8: 400 in our error shape.
        for raw in [b"{not json".to_vec(), vec![0xff, 0xfe, b'{', b'}']] {
            let res = client()
                .post(app.url("/api/v1/children"))
                .bearer_auth(&t)
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 400);
            let e: serde_json::Value = res.json().await.unwrap();
            assert_eq!(e["error"]["code"], "bad_request");
        }
        // A huge body is cut off before it is read.
        let huge = format!("{{\"given_name_km\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
        let res = client()
            .post(app.url("/api/v1/children"))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
        // An injection string is stored as text, harmlessly.
        let evil = "Robert'); DROP TABLE children;--<script>alert(1)</script>";
        let res =
            app.api_post(&t, "/api/v1/children", json!({"given_name_latin": evil, "sex": "male", "estimated_birth_year": 2012})).await;
        assert_eq!(res.status(), 201);
        let page: serde_json::Value = app.api_get(&t, "/api/v1/children").await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "only the valid child was written");
        assert_eq!(page["items"][0]["given_name_latin"], evil);
        // Khmer messages for a Khmer user.
        app.store.set_user_locale(app.worker.id, "km").await.unwrap();
        let res = app.api_post(&t, "/api/v1/children", json!({"given_name_km": "ក", "sex": "female", "date_of_birth": "2999-01-01"})).await;
        let e: serde_json::Value = res.json().await.unwrap();
        assert!(krousar_match::is_khmer(e["error"]["fields"][0]["message"].as_str().unwrap()));
    })
    .await;
}

#[tokio::test]
async fn places_are_found_by_khmer_and_romanised_names() {
    each_db(|app| async move {
        let t = app.token(&app.worker).await;
        for q in ["Mongkol Borey", "mongkol borei", "មង្គលបូរី"] {
            let r: serde_json::Value =
                app.api_get(&t, &format!("/api/v1/locations/search?level=district&q={}", urlencode(q))).await.json().await.unwrap();
            let codes: Vec<_> = r["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect();
            assert!(codes.contains(&"0102".to_string()), "{q}: {codes:?}");
        }
        let within: serde_json::Value =
            app.api_get(&t, "/api/v1/locations/search?level=village&within=0102&q=thum").await.json().await.unwrap();
        assert!(within["items"].as_array().unwrap().iter().all(|i| i["code"].as_str().unwrap().starts_with("0102")));
        let doc: serde_json::Value = client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/v1/children/{id}"]["patch"].is_object());
        assert!(doc["paths"]["/api/v1/sync/push"]["post"].is_object());
    })
    .await;
}
