//! Forms filled in on a child's own record (issue 25): chosen when the form is made; filled in
//! and updated from the child's page or the API, each answer kept; read only by who reads the
//! record in full; counted in the form's report; not offered on the case or offline.

use crate::app::{child_json, each_db};
use serde_json::{json, Value};

#[tokio::test]
async fn a_form_on_the_childs_record_is_filled_in_updated_and_counted() {
    each_db(|app| async move {
        let (a, csrf) = app.login("admin").await;
        let res = a
            .post(app.url("/admin/forms"))
            .form(&[("_csrf", csrf.as_str()), ("name_km", "ការសិក្សា"), ("name_en", "Schooling"), ("target", "nowhere")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "an unknown place to fill it in is refused");
        let res = a
            .post(app.url("/admin/forms"))
            .form(&[("_csrf", csrf.as_str()), ("name_km", "ការសិក្សា"), ("name_en", "Schooling"), ("target", "child")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let path = res.headers()["location"].to_str().unwrap().to_string();
        let form = path.trim_start_matches("/admin/forms/").to_string();
        let grade =
            [("_csrf", csrf.as_str()), ("kind", "number"), ("label_km", "ថ្នាក់ទី"), ("label_en", "Grade"), ("min", "1"), ("max", "12")];
        assert_eq!(a.post(app.url(&format!("{path}/fields"))).form(&grade).send().await.unwrap().status(), 303);
        assert_eq!(a.post(app.url(&format!("{path}/publish"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().status(), 303);
        assert!(
            a.get(app.url(&path)).send().await.unwrap().text().await.unwrap().contains("s record"),
            "the builder says where it is filled in"
        );

        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let (web, wcsrf) = app.login("worker").await;
        let page = web.get(app.url(&format!("/children/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"own-forms\"") && page.contains(&format!("/children/{id}/forms/{form}")), "{page}");
        // Checked as every form is; then kept, and updated later with the first answer kept.
        let fill = format!("/children/{id}/forms/{form}");
        let today = krousar_domain::today().to_string();
        let res = web.post(app.url(&fill)).form(&[("_csrf", wcsrf.as_str()), ("answered_on", &today), ("f1", "13")]).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let res = web.post(app.url(&fill)).form(&[("_csrf", wcsrf.as_str()), ("answered_on", &today), ("f1", "៤")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/children/{id}#own-forms").as_str());
        let body = json!({"answered_on": today, "answers": {"f1": 5}});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/forms/{form}"), body).await.status(), 201);
        let page = web.get(app.url(&format!("/children/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Grade: 5") && page.contains("Earlier answers") && page.contains("Grade: 4"), "{page}");
        let listed: Value = app.api_get(&w, &format!("/api/v1/children/{id}/forms")).await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
        // Not a case's form: not offered on the case, not answerable there, not carried offline.
        let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
        let case = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(!case.contains(&format!("/case/custom/{form}")));
        let res = app.api_post(&w, &format!("/api/v1/children/{id}/case/custom/{form}"), json!({"answers": {"f1": 3}})).await;
        assert_eq!(res.status(), 404);
        let d = crate::sync::enrol(&app, "worker").await;
        let (_, pulled) = d.post(&app, "/pull", json!({"have": {}})).await;
        assert!(pulled["forms"].get(format!("custom:{form}")).is_none());

        // Counted in the form's report: the latest answer of each child.
        let (sup, _) = app.login("supervisor").await;
        let report = sup.get(app.url(&format!("/admin/forms/{form}/report"))).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("1 (1F)"), "{report}");
        let csv = sup.get(app.url(&format!("/admin/forms/{form}/answers?format=csv"))).send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().count(), 3, "both answers: {csv}");

        // Brought in from a workbook, onto the record (not the case); the same sheet again is
        // not kept twice.
        let number = c["case_number"].as_str().unwrap().to_string();
        let csv = format!("Case number [case_number],Date filled in [answered_on],Grade [f1]\n{number},{today},7\n");
        let upload = || {
            let body = reqwest::multipart::Form::new().text("_csrf", wcsrf.clone()).part(
                "file",
                reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("grades.csv").mime_str("text/csv").unwrap(),
            );
            web.post(app.url(&format!("/admin/forms/{form}/answers/import"))).multipart(body).send()
        };
        let page = upload().await.unwrap().text().await.unwrap();
        assert!(page.contains("Answers kept: 1; already on their cases: 0."), "{page}");
        let page = upload().await.unwrap().text().await.unwrap();
        assert!(page.contains("Answers kept: 0; already on their cases: 1."), "{page}");
        let listed: Value = app.api_get(&w, &format!("/api/v1/children/{id}/forms")).await.json().await.unwrap();
        assert_eq!(listed["items"][0]["answers"]["answers"][0]["value"]["value"], 7, "{listed}");
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json().await.unwrap();
        assert!(!case.to_string().contains("custom_form"), "nothing on the case: {case}");

        // Another organisation neither reads nor writes them.
        let s = app.token(&app.other_worker).await;
        assert!(matches!(app.api_get(&s, &format!("/api/v1/children/{id}/forms")).await.status().as_u16(), 403 | 404));
        let res = app.api_post(&s, &format!("/api/v1/children/{id}/forms/{form}"), json!({"answers": {"f1": 3}})).await;
        assert!(matches!(res.status().as_u16(), 403 | 404));
        // The administrator does not read the record, nor fill it in.
        let res = a.post(app.url(&fill)).form(&[("_csrf", csrf.as_str()), ("answered_on", &today), ("f1", "6")]).send().await.unwrap();
        assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
        assert_eq!(
            app.api_get(&w, &format!("/api/v1/children/{id}/forms")).await.json::<Value>().await.unwrap()["items"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    })
    .await;
}
