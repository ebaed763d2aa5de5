//! A place question on an organisation's own form (issue 25): a village of the gazetteer,
//! picked level by level on the page (without script, "Show places" fills the next level and
//! keeps what was typed), by its code through the API, offline and from a workbook (a code typed
//! as a number keeps its leading zero); anything that is not a village is refused with a
//! message and nothing is kept; the answer reads as the village's path.

use crate::app::each_db;
use crate::form_support::{add_field, child_with_open_case, new_form, publish};
use serde_json::{json, Value};

#[tokio::test]
async fn a_place_question_takes_a_village_of_the_gazetteer() {
    each_db(|app| async move {
        let path = new_form(&app, "case", "ប្រភព", "Origin").await;
        let form = path.trim_start_matches("/admin/forms/").to_string();
        let field = [("kind", "place"), ("label_km", "ភូមិកំណើត"), ("label_en", "Home village"), ("required", "on")];
        assert_eq!(add_field(&app, &path, &field).await, 303);
        let (a, _) = app.login("admin").await;
        let builder = a.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(builder.contains("name=\"f1_province\"") && builder.contains("data-place-picker"), "the preview picks places: {builder}");
        assert_eq!(publish(&app, &path).await.status(), 303);

        let w = app.token(&app.worker).await;
        let c = child_with_open_case(&app, &w).await;
        let id = c["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let (web, wcsrf) = app.login("worker").await;
        let fill = format!("/children/{id}/case/custom/{form}");
        // Without script: a province chosen, "Show places" lists its districts, nothing kept.
        let pairs = [("_csrf", wcsrf.as_str()), ("answered_on", today.as_str()), ("f1_province", "02"), ("f1_refresh", "1")];
        let res = web.post(app.url(&fill)).form(&pairs).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(page.contains("<option value=\"0202\""), "the province's districts: {page}");
        assert!(page.contains("<option value=\"02\" selected"), "the province kept: {page}");
        // Not a village: refused, with a message, nothing kept.
        for bad in ["99999999", "02020199", "02", "Battambang"] {
            let res =
                web.post(app.url(&fill)).form(&[("_csrf", wcsrf.as_str()), ("answered_on", &today), ("f1", bad)]).send().await.unwrap();
            assert_eq!(res.status(), 422, "{bad}");
            assert!(res.text().await.unwrap().contains("Choose a village from the list."));
        }
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json().await.unwrap();
        assert!(!case.to_string().contains("custom_form"), "nothing kept: {case}");
        // A village: kept with its path, read in each language.
        let res =
            web.post(app.url(&fill)).form(&[("_csrf", wcsrf.as_str()), ("answered_on", &today), ("f1", "02020101")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let timeline = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        let path_en = app.store.location_path("02020101").await.unwrap().label(false);
        assert!(timeline.contains(&format!("Home village: {path_en}")), "{path_en}: {timeline}");
        // Through the API, by code; a code the gazetteer does not hold is refused the same way.
        let body = json!({"answered_on": today, "answers": {"f1": "02020199"}});
        let res = app.api_post(&w, &format!("/api/v1/children/{id}/case/custom/{form}"), body).await;
        assert_eq!(res.status(), 422);
        let body = json!({"answered_on": today, "answers": {"f1": "02020102"}});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/custom/{form}"), body).await.status(), 200);
        // Offline: the app picks the village from the provinces it carries.
        let d = crate::sync::enrol(&app, "worker").await;
        let (_, pulled) = d.post(&app, "/pull", json!({"have": {}})).await;
        let fields = pulled["forms"][format!("custom:{form}")]["groups"].to_string();
        assert!(fields.contains("\"type\":\"place\"") && fields.contains("\"name\":\"f1\""), "{fields}");
        let change = json!({"changes": [{"id": uuid::Uuid::now_v7().to_string(), "kind": "custom-form", "child": id,
            "recorded_at": chrono::Utc::now().to_rfc3339(), "fields": {"form": form, "answered_on": today, "f1": "02020101"}}]});
        let (_, sent) = d.post(&app, "/push", change).await;
        assert_eq!(sent["results"][0]["outcome"], "accepted", "{sent}");

        // From a workbook: the code typed as a number (its leading zero lost) is read back.
        let number = c["case_number"].as_str().unwrap().to_string();
        let csv = format!("Case number [case_number],Date filled in [answered_on],Home village [f1]\n{number},{today},2020103\n");
        let body = reqwest::multipart::Form::new()
            .text("_csrf", wcsrf.clone())
            .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("v.csv").mime_str("text/csv").unwrap());
        let page =
            web.post(app.url(&format!("/admin/forms/{form}/answers/import"))).multipart(body).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Answers kept: 1"), "{page}");
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json().await.unwrap();
        assert_eq!(case.to_string().matches("\"02020101\"").count(), 2, "the page and offline: {case}");
        assert_eq!(case.to_string().matches("\"02020103\"").count(), 1, "the workbook: {case}");
        assert_eq!(case.to_string().matches("\"02020102\"").count(), 1, "the API: {case}");
    })
    .await;
}
