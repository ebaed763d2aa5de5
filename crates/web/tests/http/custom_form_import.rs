//! Answers to an organisation's own form brought in from a workbook (issue 25): the template
//! has a column per question; a sheet with any problem keeps nothing and names every row and
//! column; a good one is kept on each case (the case's people only), once.

use crate::app::{child_json, each_db, TestApp};
use krousar_domain::forms::definition::FieldInput;
use krousar_domain::forms::FormDef;
use serde_json::{json, Value};

async fn upload(c: &reqwest::Client, app: &TestApp, form: &str, csrf: &str, csv: &str) -> reqwest::Response {
    let body = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("answers.csv").mime_str("text/csv").unwrap());
    c.post(app.url(&format!("/admin/forms/{form}/answers/import"))).multipart(body).send().await.unwrap()
}

#[tokio::test]
async fn answers_come_in_from_a_workbook_all_or_nothing_and_once() {
    each_db(|app| async move {
        let admin = app.admin.actor();
        let form = app.store.create_custom_form(&admin, FormDef::named(Some("ផ្ទះ"), Some("Home")).unwrap()).await.unwrap();
        let water = FieldInput {
            kind: Some("one_choice".into()),
            label_km: Some("ទឹក".into()),
            label_en: Some("Water".into()),
            choices_km: Some("មាន\nគ្មាន".into()),
            choices_en: Some("Yes\nNo".into()),
            required: Some("on".into()),
            ..Default::default()
        };
        let members = FieldInput {
            kind: Some("number".into()),
            label_km: Some("សមាជិក".into()),
            label_en: Some("Members".into()),
            ..Default::default()
        };
        app.store
            .edit_custom_form(&admin, form, "add", |d| {
                d.add_field(&water)?;
                d.add_field(&members).map(|_| ())
            })
            .await
            .unwrap();
        app.store.publish_custom_form(&admin, form).await.unwrap();
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today().to_string();
        let mut numbers = Vec::new();
        for name in ["ក", "ខ"] {
            let c: Value = app.api_post(&w, "/api/v1/children", child_json(name, "Dara")).await.json().await.unwrap();
            let id = c["id"].as_str().unwrap().to_string();
            let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
            assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
            numbers.push((id, c["case_number"].as_str().unwrap().to_string()));
        }
        // Another organisation's child: its case number is not ours to write on.
        let s = app.token(&app.other_worker).await;
        let theirs: Value = app.api_post(&s, "/api/v1/children", child_json("គ", "Sok")).await.json().await.unwrap();
        let theirs = theirs["case_number"].as_str().unwrap().to_string();

        let (web, csrf) = app.login("supervisor").await;
        let template = web.get(app.url(&format!("/admin/forms/{form}/answers/template"))).send().await.unwrap();
        assert_eq!(template.status(), 200);
        let wb = krousar_import::workbook::read("t.xlsx", &template.bytes().await.unwrap()).unwrap();
        let head: Vec<String> = wb.sheets[0].rows[0].cells.iter().map(|(_, c)| c.shown()).collect();
        assert_eq!(head, ["Case number [case_number]", "Date filled in [answered_on]", "Water [f1]", "Members [f2]"]);
        let head = head.join(",");

        // One bad row among good ones: nothing kept, every problem by row and column.
        let (a, b) = (&numbers[0].1, &numbers[1].1);
        let bad = format!("{head}\n{a},{today},Yes,4\n{b},{today},Perhaps,x\n{theirs},{today},No,\nKR-NOPE,{today},No,\n");
        let res = upload(&web, &app, &form.to_string(), &csrf, &bad).await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("Nothing was kept") && page.contains("<td>3</td><td>Water [f1]</td>"), "{page}");
        assert!(page.contains("<td>3</td><td>Members [f2]</td>"), "{page}");
        // Row 4 and 5 are refused alike: another organisation's case reads as no case at all.
        let unknown = page.matches("No open case with this number that you work on.").count();
        assert_eq!(unknown, 0, "a sheet with unreadable rows is refused before any case is looked at: {page}");
        let bad = format!("{head}\n{a},{today},Yes,4\n{theirs},{today},No,\nKR-NOPE,{today},No,\n");
        let page = upload(&web, &app, &form.to_string(), &csrf, &bad).await.text().await.unwrap();
        assert_eq!(page.matches("No open case with this number that you work on.").count(), 2, "{page}");
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{}/case", numbers[0].0)).await.json().await.unwrap();
        assert!(!case.to_string().contains("custom_form"), "nothing kept: {case}");

        // A good sheet: kept on each case; the same sheet again changes nothing.
        let good = format!("{head}\n{a},{today},Yes,4\n{b},{today},មាន,៣\n");
        let res = upload(&web, &app, &form.to_string(), &csrf, &good).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("Answers kept: 2; already on their cases: 0."));
        let again = upload(&web, &app, &form.to_string(), &csrf, &good).await.text().await.unwrap();
        assert!(again.contains("Answers kept: 0; already on their cases: 2."), "{again}");
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{}/case", numbers[1].0)).await.json().await.unwrap();
        let answers: Vec<&Value> = case["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "custom_form").collect();
        assert_eq!(answers.len(), 1, "{case}");
        assert_eq!(answers[0]["body"]["answers"][1]["value"]["value"], 3);
        // The administrator works on no case: every row refused, nothing kept.
        let (adm, acsrf) = app.login("admin").await;
        let res = upload(&adm, &app, &form.to_string(), &acsrf, &good).await;
        assert_eq!(res.status(), 422);
        // Another organisation does not find the form.
        let (o, ocsrf) = app.login("stranger").await;
        assert_eq!(upload(&o, &app, &form.to_string(), &ocsrf, &good).await.status(), 404);
    })
    .await;
}
