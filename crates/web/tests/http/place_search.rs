//! The location type-ahead through HTTP, on both engines: places at every level found by the
//! spellings other sources and new users write, numbers in every form, unit words as level
//! hints, a place above after a comma, the `within` scope, and hostile input.

use crate::app::{each_db, urlencode, TestApp};
use serde_json::Value;

async fn codes(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let res = app.api_get(token, &format!("/api/v1/locations/search?{query}")).await;
    assert_eq!(res.status(), 200, "{query}");
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect()
}

async fn first(app: &TestApp, token: &str, q: &str, rest: &str) -> Option<String> {
    codes(app, token, &format!("q={}{rest}", urlencode(q))).await.into_iter().next()
}

#[tokio::test]
async fn the_type_ahead_finds_every_level_however_the_name_is_written() {
    each_db(|app| async move {
        let t = app.token(&app.worker).await;
        // Province, district, commune, village: romanised other ways, in Khmer, with unit words.
        for (q, rest, want) in [
            ("Batdambang", "&level=province", "02"),
            ("ខេត្តបាត់ដំបង", "", "02"),
            ("bakan", "", "1501"),
            ("kompong siem", "", "0306"),
            ("Srok Kampong Siem", "", "0306"),
            ("ឃុំក្រពើពីរ", "&within=1506", "150602"),
            ("krapeu pir, veal veaeng", "", "150602"),
            ("Praset", "&level=village&within=0808", "08080901"),
            ("Veal Shouv", "&level=village&within=0306", "03060111"),
            ("Kaoh Ta Kouv", "&level=village&within=0706", "07061205"),
            ("Khemmeakrakphumin", "&level=district&within=09", "0904"),
        ] {
            assert_eq!(first(&app, &t, q, rest).await.as_deref(), Some(want), "{q}{rest}");
        }
        // A number in any form finds the same village.
        for q in ["Rumchek 3", "Rumchek Bei", "Rumchek III", "រំចេក៣", "រំចេកបី", "ភូមិរំចេកបី"]
        {
            assert_eq!(first(&app, &t, q, "&level=village&within=0203").await.as_deref(), Some("02030303"), "{q}");
        }
        // The scope holds: nothing outside the district, and not the district itself.
        let inside = codes(&app, &t, "q=thum&within=0102&limit=50").await;
        assert!(!inside.is_empty() && inside.iter().all(|c| c.starts_with("0102") && c != "0102"), "{inside:?}");
        // The level holds.
        let villages = codes(&app, &t, "q=kampong&level=village&limit=20").await;
        assert!(villages.len() == 20 && villages.iter().all(|c| c.len() == 8), "{villages:?}");
        // Typing: the beginning of a name finds it.
        assert_eq!(first(&app, &t, "krapeu p", "&level=commune").await.as_deref(), Some("150602"));
    })
    .await;
}

#[tokio::test]
async fn hostile_or_empty_queries_answer_nothing_harmful() {
    each_db(|app| async move {
        let t = app.token(&app.worker).await;
        for q in ["", "   ", "%", "_", "%%%%", "' OR 1=1 --", "\u{200B}", ",,,", "ភូមិ"] {
            let res = app.api_get(&t, &format!("/api/v1/locations/search?q={}", urlencode(q))).await;
            assert_eq!(res.status(), 200, "{q:?}");
        }
        // A long query is cut, not worked through.
        let long = "kampong ".repeat(2000);
        let res = app.api_get(&t, &format!("/api/v1/locations/search?q={}", urlencode(&long))).await;
        assert_eq!(res.status(), 200);
        // Nonsense finds nothing rather than unrelated places.
        assert!(codes(&app, &t, "q=xqzvwxq").await.is_empty());
        // A scope that is not a code is ignored, not an error.
        assert_eq!(app.api_get(&t, "/api/v1/locations/search?q=bakan&within=15%25").await.status(), 200);
        // Only signed-in users may ask.
        let anon = reqwest::Client::new().get(app.url("/api/v1/locations/search?q=bakan")).send().await.unwrap();
        assert_eq!(anon.status(), 401);
    })
    .await;
}
