//! Forms filled in on a household's record and on a carer household's (issue 25): offered on
//! their pages, filled in and updated from the page and the API, counted in the form's report
//! as households (no girls split), exported with the household's name; another organisation,
//! the administrator and a form of the wrong kind are all refused; the workbook import says
//! why it cannot take them.

use crate::app::{each_db, TestApp};
use crate::form_support::{add_field, new_form, publish};
use serde_json::{json, Value};

/// An administrator's new published form with one yes/no question, filled in on `target`.
async fn yes_no_form(app: &TestApp, target: &str) -> String {
    let path = new_form(app, target, "ទឹកស្អាត", "Clean water").await;
    let field = [("kind", "yes_no"), ("label_km", "មានទឹកស្អាត"), ("label_en", "Clean water"), ("required", "on")];
    assert_eq!(add_field(app, &path, &field).await, 303);
    assert_eq!(publish(app, &path).await.status(), 303);
    path.trim_start_matches("/admin/forms/").to_string()
}

#[tokio::test]
async fn a_form_on_a_household_is_filled_in_counted_and_kept_to_its_organisation() {
    each_db(|app| async move {
        let form = yes_no_form(&app, "household").await;
        let child_form = yes_no_form(&app, "child").await;
        let w = app.token(&app.worker).await;
        let home = json!({"name": "Sok family", "income_band": "unknown", "id_poor": "unknown", "members": []});
        let res = app.api_post(&w, "/api/v1/households", home).await;
        assert_eq!(res.status(), 201);
        let h = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

        let (web, csrf) = app.login("worker").await;
        let page = web.get(app.url(&format!("/households/{h}"))).send().await.unwrap().text().await.unwrap();
        let fill = format!("/households/{h}/forms/{form}");
        assert!(page.contains("id=\"own-forms\"") && page.contains(&fill), "{page}");
        assert!(!page.contains(&child_form), "a child's form is not offered on a household");
        let today = krousar_domain::today().to_string();
        let res = web.post(app.url(&fill)).form(&[("_csrf", csrf.as_str()), ("answered_on", &today)]).send().await.unwrap();
        assert_eq!(res.status(), 422, "the question is required");
        let res = web.post(app.url(&fill)).form(&[("_csrf", csrf.as_str()), ("answered_on", &today), ("f1", "no")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/households/{h}#own-forms").as_str());
        let update = web.get(app.url(&fill)).send().await.unwrap().text().await.unwrap();
        assert!(update.contains("value=\"no\" checked"), "an update starts from what the record says: {update}");
        let body = json!({"answered_on": today, "answers": {"f1": "yes"}});
        assert_eq!(app.api_post(&w, &format!("/api/v1/households/{h}/forms/{form}"), body).await.status(), 201);
        let page = web.get(app.url(&format!("/households/{h}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Clean water: Yes") && page.contains("Earlier answers"), "{page}");
        let listed: Value = app.api_get(&w, &format!("/api/v1/households/{h}/forms")).await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");

        // A form of another kind is not answered here, nor this one on a child.
        let res = app.api_post(&w, &format!("/api/v1/households/{h}/forms/{child_form}"), json!({"answers": {"f1": "yes"}})).await;
        assert_eq!(res.status(), 404);
        assert_eq!(web.get(app.url(&format!("/households/{h}/forms/{child_form}"))).send().await.unwrap().status(), 404);

        // Counted as households, the latest answer of each; exported with its name.
        let (sup, _) = app.login("supervisor").await;
        let report = sup.get(app.url(&format!("/admin/forms/{form}/report"))).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("1 households") && !report.contains("(0F)"), "{report}");
        // On the indicators page too, over what the supervisor sees, linked to the report.
        let indicators = sup.get(app.url("/indicators?reach=visible")).send().await.unwrap().text().await.unwrap();
        let own = &indicators[indicators.find("id=\"own-forms\"").expect("the forms on the indicators page")..];
        assert!(own.contains(&format!("/admin/forms/{form}/report")) && own.contains("1 households"), "{own}");
        let yes = format!("/admin/forms/{form}/report/records?q=f1&v=yes");
        let listed = sup.get(app.url(&yes)).send().await.unwrap().text().await.unwrap();
        assert!(listed.contains(&format!("<a href=\"/households/{h}\">Sok family</a>")), "{listed}");
        let csv = sup.get(app.url(&format!("/admin/forms/{form}/answers?format=csv"))).send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(csv.lines().nth(1).unwrap().starts_with("Sok family,"), "{csv}");
        let rows: Value =
            app.api_get(&app.token(&app.supervisor).await, &format!("/api/v1/forms/{form}/answers")).await.json().await.unwrap();
        assert_eq!(rows["items"][0]["household_id"], h.as_str(), "{rows}");
        assert!(rows["items"][0].get("child_id").is_none());

        // A workbook cannot name a household: said so, nothing kept.
        let sheet = format!("Case number [case_number],Date filled in [answered_on],Clean water [f1]\nX,{today},yes\n");
        let upload = reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(sheet.into_bytes()).file_name("w.csv").mime_str("text/csv").unwrap());
        let page =
            web.post(app.url(&format!("/admin/forms/{form}/answers/import"))).multipart(upload).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("only for forms on a case or on a child"), "{page}");

        // Another organisation, and the administrator (who does not read households), neither
        // read nor write them.
        let x = app.token(&app.other_worker).await;
        assert!(matches!(app.api_get(&x, &format!("/api/v1/households/{h}/forms")).await.status().as_u16(), 403 | 404));
        let res = app.api_post(&x, &format!("/api/v1/households/{h}/forms/{form}"), json!({"answers": {"f1": "no"}})).await;
        assert!(matches!(res.status().as_u16(), 403 | 404));
        let (a, acsrf) = app.login("admin").await;
        let res = a.post(app.url(&fill)).form(&[("_csrf", acsrf.as_str()), ("answered_on", &today), ("f1", "no")]).send().await.unwrap();
        assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
        let listed: Value = app.api_get(&w, &format!("/api/v1/households/{h}/forms")).await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 2, "nothing more was kept");
    })
    .await;
}

#[tokio::test]
async fn a_form_on_a_carer_household_is_filled_in_and_counted() {
    each_db(|app| async move {
        let form = yes_no_form(&app, "carer").await;
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today().to_string();
        let body = json!({"name": "Sok Chenda household", "kind": "foster", "village_code": "02020101", "enquired_on": today});
        let res = app.api_post(&w, "/api/v1/carers", body).await;
        assert_eq!(res.status(), 201);
        let k = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let (web, csrf) = app.login("worker").await;
        let page = web.get(app.url(&format!("/carers/{k}"))).send().await.unwrap().text().await.unwrap();
        let fill = format!("/carers/{k}/forms/{form}");
        assert!(page.contains(&fill), "{page}");
        let res = web.post(app.url(&fill)).form(&[("_csrf", csrf.as_str()), ("answered_on", &today), ("f1", "yes")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let page = web.get(app.url(&format!("/carers/{k}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Clean water: Yes"), "{page}");
        let listed: Value = app.api_get(&w, &format!("/api/v1/carers/{k}/forms")).await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
        let (sup, _) = app.login("supervisor").await;
        let report = sup.get(app.url(&format!("/admin/forms/{form}/report"))).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("1 carer households"), "{report}");

        // Another organisation's worker: as if the carer did not exist.
        let x = app.token(&app.other_worker).await;
        assert_eq!(app.api_get(&x, &format!("/api/v1/carers/{k}/forms")).await.status(), 404);
        let res = app.api_post(&x, &format!("/api/v1/carers/{k}/forms/{form}"), json!({"answers": {"f1": "no"}})).await;
        assert!(matches!(res.status().as_u16(), 403 | 404));
        let (xw, xcsrf) = app.login("stranger").await;
        let res = xw.post(app.url(&fill)).form(&[("_csrf", xcsrf.as_str()), ("answered_on", &today), ("f1", "no")]).send().await.unwrap();
        assert!(matches!(res.status().as_u16(), 403 | 404));
    })
    .await;
}
