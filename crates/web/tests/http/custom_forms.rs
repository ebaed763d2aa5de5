//! The organisation's own forms (issue 25): built on pages in Khmer by an administrator,
//! published as versions, filled in on a case with the built-in forms' checks, shown on the
//! timeline with the questions as they were asked, counted by answer; nobody else's.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

async fn post(c: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.unwrap()
}

#[tokio::test]
async fn a_form_is_built_in_khmer_published_answered_versioned_and_counted() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        app.store.create_user(Who::system(), app.worker.org_id, None, "adminkm", "Admin", Role::OrgAdmin, &hash, "km").await.unwrap();
        let (a, csrf) = app.login("adminkm").await;
        let list = a.get(app.url("/admin/forms")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("ទម្រង់ផ្ទាល់ខ្លួនរបស់យើង"), "the page in Khmer: {list}");
        // A name is needed.
        assert_eq!(post(&a, &app, "/admin/forms", &[("_csrf", &csrf), ("name_km", " ")]).await.status(), 422);
        let res = post(&a, &app, "/admin/forms", &[("_csrf", &csrf), ("name_km", "ការពិនិត្យផ្ទះ"), ("name_en", "Home check")]).await;
        assert_eq!(res.status(), 303);
        let form_path = res.headers()["location"].to_str().unwrap().to_string();
        let form_id = form_path.trim_start_matches("/admin/forms/").to_string();
        // Nothing to publish yet; a choice field needs choices.
        assert_eq!(post(&a, &app, &format!("{form_path}/publish"), &[("_csrf", &csrf)]).await.status(), 422);
        let res = post(
            &a,
            &app,
            &format!("{form_path}/fields"),
            &[("_csrf", &csrf), ("kind", "one_choice"), ("label_km", "ទឹកស្អាត"), ("choices_km", "មាន")],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("aria-invalid"));
        for fields in [
            vec![
                ("kind", "one_choice"),
                ("label_km", "ទឹកស្អាត"),
                ("label_en", "Clean water"),
                ("choices_km", "មាន\nគ្មាន"),
                ("choices_en", "Yes\nNo"),
                ("required", "on"),
            ],
            vec![("kind", "number"), ("label_km", "ចំនួនសមាជិក"), ("label_en", "Members"), ("min", "1"), ("max", "30")],
            vec![("kind", "long_text"), ("label_km", "កំណត់សម្គាល់"), ("label_en", "Notes")],
        ] {
            let mut form = vec![("_csrf", csrf.as_str())];
            form.extend(fields);
            assert_eq!(post(&a, &app, &format!("{form_path}/fields"), &form).await.status(), 303);
        }
        let builder = a.get(app.url(&form_path)).send().await.unwrap().text().await.unwrap();
        assert!(builder.contains("មើលជាមុន") && builder.contains("ទឹកស្អាត") && builder.contains("disabled"), "a preview: {builder}");
        assert_eq!(post(&a, &app, &format!("{form_path}/publish"), &[("_csrf", &csrf)]).await.status(), 303);

        // A worker fills it in on a case: bad answers say why per field and keep nothing.
        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
        let (web, wcsrf) = app.login("worker").await;
        let case = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(case.contains(&format!("/case/custom/{form_id}")) && case.contains("Home check"), "offered on the case: {case}");
        let answer = format!("/children/{id}/case/custom/{form_id}");
        let res = post(&web, &app, &answer, &[("_csrf", &wcsrf), ("answered_on", &today), ("f2", "99")]).await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("f1-err") && page.contains("f2-err"), "{page}");
        let res =
            post(&web, &app, &answer, &[("_csrf", &wcsrf), ("answered_on", &today), ("f1", "c2"), ("f2", "៥"), ("f3", "Roof leaks")]).await;
        assert_eq!(res.status(), 303);
        let case = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(case.contains("Home check · version 1") && case.contains("Clean water: No") && case.contains("Members: 5"), "{case}");

        // The question is changed and a version 2 published: the answer keeps its words.
        let res = post(
            &a,
            &app,
            &format!("{form_path}/fields/f1"),
            &[
                ("_csrf", &csrf),
                ("kind", "one_choice"),
                ("label_km", "មានទឹកស្អាតផឹកទេ"),
                ("label_en", "Drinking water at home"),
                ("choices_km", "មាន\nគ្មាន"),
                ("choices_en", "Yes\nNo"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(post(&a, &app, &format!("{form_path}/fields/f3/remove"), &[("_csrf", &csrf)]).await.status(), 303);
        assert_eq!(post(&a, &app, &format!("{form_path}/publish"), &[("_csrf", &csrf)]).await.status(), 303);
        let case = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(case.contains("Clean water: No") && case.contains("Notes: Roof leaks"), "the old answer as asked: {case}");
        let form = web.get(app.url(&answer)).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("Drinking water at home") && !form.contains("name=\"f3\""), "the new version: {form}");
        // A second child answers version 2: both counted under the same question.
        let c2: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let id2 = c2["id"].as_str().unwrap().to_string();
        let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
        app.api_post(&w, &format!("/api/v1/children/{id2}/case/open"), open).await;
        let res = post(
            &web,
            &app,
            &format!("/children/{id2}/case/custom/{form_id}"),
            &[("_csrf", &wcsrf), ("answered_on", &today), ("f1", "c2")],
        )
        .await;
        assert_eq!(res.status(), 303);
        let (sup, _) = app.login("supervisor").await;
        let report = sup.get(app.url(&format!("{form_path}/report"))).send().await.unwrap();
        // The supervisor counts; building stays with the administrator and manager.
        assert_eq!(report.status(), 200);
        let report = report.text().await.unwrap();
        assert!(report.contains("Drinking water at home") && report.contains("2 (2F)"), "{report}");
        let (_, scsrf) = app.login("supervisor").await;
        assert_eq!(post(&sup, &app, &format!("{form_path}/publish"), &[("_csrf", &scsrf)]).await.status(), 403);

        // Another organisation: the form is not found, its answers not readable.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        app.store
            .create_user(Who::system(), app.other_worker.org_id, None, "otheradmin", "Other", Role::OrgAdmin, &hash, "en")
            .await
            .unwrap();
        let (o, ocsrf) = app.login("otheradmin").await;
        assert_eq!(o.get(app.url(&form_path)).send().await.unwrap().status(), 404);
        assert_eq!(post(&o, &app, &format!("{form_path}/fields/f1/remove"), &[("_csrf", &ocsrf)]).await.status(), 404);
        let (s, _) = app.login("stranger").await;
        let page = s.get(app.url(&answer)).send().await.unwrap();
        assert!(matches!(page.status().as_u16(), 403 | 404));
        // Retired: not offered, not answerable; its answers stay on the case.
        assert_eq!(post(&a, &app, &format!("{form_path}/active"), &[("_csrf", &csrf), ("active", "0")]).await.status(), 303);
        let case = web.get(app.url(&format!("/children/{id}/case"))).send().await.unwrap().text().await.unwrap();
        assert!(!case.contains(&format!("/case/custom/{form_id}")) && case.contains("Clean water: No"));
        assert_eq!(web.get(app.url(&answer)).send().await.unwrap().status(), 404);
    })
    .await;
}

/// The API and the offline app: the forms in use listed with their fields; an answer through
/// the API checked as on the page; a form filled in offline (several choices joined by commas)
/// carried out once.
#[tokio::test]
async fn a_form_is_answered_through_the_api_and_offline() {
    each_db(|app| async move {
        use krousar_domain::forms::definition::FieldInput;
        use krousar_domain::forms::FormDef;
        let admin = app.admin.actor();
        let form = app.store.create_custom_form(&admin, FormDef::named(Some("ជំនួយ"), Some("Support")).unwrap()).await.unwrap();
        let several = FieldInput {
            kind: Some("several_choices".into()),
            label_km: Some("ជំនួយដែលទទួលបាន".into()),
            label_en: Some("Support received".into()),
            choices_km: Some("អាហារ\nសាលា\nសុខភាព".into()),
            choices_en: Some("Food\nSchool\nHealth".into()),
            required: Some("on".into()),
            ..Default::default()
        };
        let note = FieldInput { kind: Some("text".into()), label_km: Some("កំណត់ចំណាំ".into()), ..Default::default() };
        app.store
            .edit_custom_form(&admin, form, "add", |d| {
                d.add_field(&several)?;
                d.add_field(&note).map(|_| ())
            })
            .await
            .unwrap();
        app.store.publish_custom_form(&admin, form).await.unwrap();

        let w = app.token(&app.worker).await;
        let listed: Value = app.api_get(&w, "/api/v1/forms").await.json().await.unwrap();
        assert_eq!(listed["items"][0]["id"].as_str(), Some(form.to_string().as_str()), "{listed}");
        assert_eq!(listed["items"][0]["fields"][0]["choices"][2]["en"], "Health");
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
        let path = format!("/api/v1/children/{id}/case/custom/{form}");
        let res = app.api_post(&w, &path, json!({"answered_on": today, "answers": {"f1": ["c9"]}})).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("f1"));
        let res = app.api_post(&w, &path, json!({"answered_on": today, "answers": {"f1": ["c1", "c3"], "f2": "Rice, and books"}})).await;
        assert_eq!(res.status(), 200);

        // Offline: the form comes with the others; filled in on the phone, sent twice.
        let d = crate::sync::enrol(&app, "worker").await;
        let (_, first) = d.post(&app, "/pull", json!({"have": {}})).await;
        let key = format!("custom:{form}");
        let def = &first["forms"][&key];
        assert_eq!(def["title"], "Support", "{first}");
        assert_eq!(def["groups"][0]["fields"][1]["type"], "checks");
        let change = json!({"changes": [{"id": uuid::Uuid::now_v7().to_string(), "kind": "custom-form", "child": id,
            "recorded_at": chrono::Utc::now().to_rfc3339(),
            "fields": {"form": form.to_string(), "answered_on": today, "f1": "c2,c3", "f2": "Uniform, shoes"}}]});
        let (_, sent) = d.post(&app, "/push", change.clone()).await;
        assert_eq!(sent["results"][0]["outcome"], "accepted", "{sent}");
        let (_, twice) = d.post(&app, "/push", change).await;
        assert_eq!(twice["results"][0]["outcome"], "already");
        let case: Value = app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json().await.unwrap();
        let answers: Vec<&Value> = case["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "custom_form").collect();
        assert_eq!(answers.len(), 2, "{case}");
        let last = &answers[1]["body"]["answers"];
        assert_eq!(last[0]["value"]["value"], json!(["c2", "c3"]));
        assert_eq!(last[1]["shown_en"], "Uniform, shoes", "a comma in a text answer is kept");
        // The forms' hash changes when a form is published: the device downloads them again.
        let (_, again) = d.post(&app, "/pull", json!({"have": {}, "forms": first["forms_hash"]})).await;
        assert!(again.get("forms").is_none());
        app.store
            .edit_custom_form(&admin, form, "add", |d| {
                d.add_field(&FieldInput { kind: Some("date".into()), label_km: Some("ថ្ងៃ".into()), ..Default::default() }).map(|_| ())
            })
            .await
            .unwrap();
        app.store.publish_custom_form(&admin, form).await.unwrap();
        let (_, after) = d.post(&app, "/pull", json!({"have": {}, "forms": first["forms_hash"]})).await;
        assert!(after["forms"][&key].is_object(), "{after}");
    })
    .await;
}
