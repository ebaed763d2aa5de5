//! A file question on a case's form (issue 25): a photo or a scan sent with the answer, checked
//! as every attachment is, kept with the case's files linked to the answer in the same
//! transaction (a refused file, or any other problem, keeps nothing); through the API an answer
//! names a file already kept with the case; a form on a record cannot ask for one; a form that
//! must have a file is not offered offline.

use crate::app::each_db;
use crate::form_support::{add_field, child_with_open_case, new_form, publish};
use serde_json::{json, Value};

#[tokio::test]
async fn a_file_question_keeps_its_file_with_the_case() {
    each_db(|app| async move {
        let field = [("kind", "file"), ("label_km", "លិខិតយល់ព្រម"), ("label_en", "Signed consent"), ("required", "on")];
        // On a child's record: refused when published (files are kept with a case).
        let record_form = new_form(&app, "child", "ការយល់ព្រម", "Consent").await;
        assert_eq!(add_field(&app, &record_form, &field).await, 303);
        let res = publish(&app, &record_form).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Only a form on a case"));
        let path = new_form(&app, "case", "ការយល់ព្រម", "Consent").await;
        let form = path.trim_start_matches("/admin/forms/").to_string();
        assert_eq!(add_field(&app, &path, &field).await, 303);
        assert_eq!(publish(&app, &path).await.status(), 303);

        let w = app.token(&app.worker).await;
        let c = child_with_open_case(&app, &w).await;
        let id = c["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let (web, wcsrf) = app.login("worker").await;
        let fill = format!("/children/{id}/case/custom/{form}");
        let page = web.get(app.url(&fill)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("type=\"file\""), "{page}");
        let send = |name: &'static str, bytes: Vec<u8>| {
            let body = reqwest::multipart::Form::new()
                .text("_csrf", wcsrf.clone())
                .text("answered_on", today.clone())
                .part("f1", reqwest::multipart::Part::bytes(bytes).file_name(name));
            web.post(app.url(&format!("{fill}/files"))).multipart(body).send()
        };
        let files = || async {
            app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json::<Value>().await.unwrap()["attachments"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0)
        };
        // No file, or a file that is not a photo or a scan: refused by its question, nothing kept.
        let res = send("empty.jpg", Vec::new()).await.unwrap();
        assert_eq!(res.status(), 422);
        let res = send("consent.pdf", b"not really a pdf".to_vec()).await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("id=\"f1-err\""));
        assert_eq!(files().await, 0, "nothing kept");
        // A photo of the signed page: kept with the case, linked to the answer.
        let res = send("consent.jpg", crate::photos::camera_photo()).await.unwrap();
        assert_eq!(res.status(), 303);
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json().await.unwrap();
        let kept = case["attachments"].as_array().expect("attachments");
        assert_eq!(kept.len(), 1, "{case}");
        assert!(kept[0]["entry_id"].is_string(), "linked to the answer: {case}");
        let file = kept[0]["id"].as_str().unwrap().to_string();
        let timeline = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(timeline.contains("Signed consent: consent.jpg"), "{timeline}");
        let download = web.get(app.url(&format!("/children/{id}/case/attachments/{file}"))).send().await.unwrap();
        assert_eq!(download.status(), 200);
        // Through the API, an answer names a file the case keeps; another id is refused.
        let body = json!({"answered_on": today, "answers": {"f1": file}});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/custom/{form}"), body).await.status(), 200);
        let body = json!({"answered_on": today, "answers": {"f1": uuid::Uuid::now_v7().to_string()}});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/custom/{form}"), body).await.status(), 422);
        // Offline: a form that must have a file is not offered.
        let d = crate::sync::enrol(&app, "worker").await;
        let (_, pulled) = d.post(&app, "/pull", json!({"have": {}})).await;
        assert!(pulled["forms"].get(format!("custom:{form}")).is_none());
    })
    .await;
}
