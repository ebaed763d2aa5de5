//! The organisation's own fields on the child's registration form and on the household's form
//! (issue 25): one child form (one household form) is asked there; its questions are checked
//! with the built-in fields (a problem in either keeps nothing), kept on the record in the same
//! transaction, started from what the record says when it is edited, and kept again only when
//! they change.

use crate::app::each_db;
use serde_json::Value;

/// A published form on `target` with a required yes/no question and a text, asked on the
/// registration form; returns its id.
async fn registration_form(app: &crate::app::TestApp, target: &str, name: &str) -> String {
    let (a, csrf) = app.login("admin").await;
    let res = a
        .post(app.url("/admin/forms"))
        .form(&[("_csrf", csrf.as_str()), ("name_km", name), ("name_en", name), ("target", target)])
        .send()
        .await
        .unwrap();
    let path = res.headers()["location"].to_str().unwrap().to_string();
    for field in [
        vec![("kind", "yes_no"), ("label_km", "ទៅសាលា"), ("label_en", "Goes to school"), ("required", "on")],
        vec![("kind", "text"), ("label_km", "សាលា"), ("label_en", "School")],
    ] {
        let mut f = vec![("_csrf", csrf.as_str())];
        f.extend(field);
        assert_eq!(a.post(app.url(&format!("{path}/fields"))).form(&f).send().await.unwrap().status(), 303);
    }
    assert_eq!(a.post(app.url(&format!("{path}/publish"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().status(), 303);
    let res = a.post(app.url(&format!("{path}/registration"))).form(&[("_csrf", csrf.as_str()), ("on", "1")]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(a.get(app.url(&path)).send().await.unwrap().text().await.unwrap().contains("asked on the registration form"));
    path.trim_start_matches("/admin/forms/").to_string()
}

#[tokio::test]
async fn the_organisations_own_fields_are_asked_when_a_child_is_registered_and_edited() {
    each_db(|app| async move {
        let form = registration_form(&app, "child", "More").await;
        // A case form cannot join the registration form.
        let (a, csrf) = app.login("admin").await;
        let res =
            a.post(app.url("/admin/forms")).form(&[("_csrf", csrf.as_str()), ("name_km", "ក"), ("target", "case")]).send().await.unwrap();
        let case_form = res.headers()["location"].to_str().unwrap().to_string();
        let res =
            a.post(app.url(&format!("{case_form}/registration"))).form(&[("_csrf", csrf.as_str()), ("on", "1")]).send().await.unwrap();
        assert_eq!(res.status(), 422);

        let w = app.token(&app.worker).await;
        let (c, wcsrf) = app.login("worker").await;
        let page = c.get(app.url("/children/new")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"own-fields\"") && page.contains("Goes to school"), "{page}");
        let form_of = |extra: &[(&str, &str)]| {
            let mut f: Vec<(String, String)> = [
                ("_csrf", wcsrf.as_str()),
                ("family_name_latin", "Chan"),
                ("given_name_latin", "Dara"),
                ("sex", "female"),
                ("estimated_age", "11"),
                ("village_pick", "02020101"),
                ("confirm_new", "1"),
                ("save", "1"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            f
        };
        let count =
            || async { app.api_get(&w, "/api/v1/children").await.json::<Value>().await.unwrap()["items"].as_array().unwrap().len() };
        let before = count().await;
        // The required question unanswered: nothing registered, the field says why.
        let res = c.post(app.url("/children")).form(&form_of(&[("f2", "Wat Bo")])).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("id=\"f1-err\"") && page.contains("value=\"Wat Bo\""), "kept as typed: {page}");
        assert_eq!(count().await, before, "nothing registered");
        // Answered: the child and the answer, together.
        let res = c.post(app.url("/children")).form(&form_of(&[("f1", "yes"), ("f2", "Wat Bo")])).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let id = res.headers()["location"].to_str().unwrap().trim_start_matches("/children/").to_string();
        let held: Value = app.api_get(&w, &format!("/api/v1/children/{id}/forms")).await.json().await.unwrap();
        assert_eq!(held["items"].as_array().unwrap().len(), 1, "{held}");
        assert_eq!(held["items"][0]["answers"]["form_id"], form.as_str());
        let record = c.get(app.url(&format!("/children/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(record.contains("Goes to school: Yes") && record.contains("School: Wat Bo"), "{record}");

        // Through the API: the form says it is asked at registration; the answers come with
        // the record, checked with it.
        let forms: Value = app.api_get(&w, "/api/v1/forms").await.json().await.unwrap();
        let listed = forms["items"].as_array().unwrap().iter().find(|f| f["id"] == form.as_str()).expect("listed");
        assert_eq!(listed["in_registration"], true);
        let mut body = crate::app::child_json("សុខា", "Sokha");
        body["answers"] = serde_json::json!({"f2": "Wat Bo"});
        let res = app.api_post(&w, "/api/v1/children", body.clone()).await;
        assert_eq!(res.status(), 422, "the required question");
        assert!(res.text().await.unwrap().contains("\"f1\""));
        body["answers"] = serde_json::json!({"f1": "yes", "f2": "Wat Bo"});
        let res = app.api_post(&w, "/api/v1/children", body).await;
        assert_eq!(res.status(), 201);
        let other = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let held: Value = app.api_get(&w, &format!("/api/v1/children/{other}/forms")).await.json().await.unwrap();
        assert_eq!(held["items"].as_array().unwrap().len(), 1, "{held}");

        // Offline: the app's registration form ends with the organisation's fields; a child
        // registered on a phone brings their answers, checked as on the page.
        let d = crate::sync::enrol(&app, "worker").await;
        let (_, pulled) = d.post(&app, "/pull", serde_json::json!({"have": {}})).await;
        let groups = pulled["forms"]["register"]["groups"].as_array().unwrap();
        assert_eq!(groups.last().unwrap()["legend"], "More", "{groups:?}");
        let register = |extra: serde_json::Value| {
            let mut fields = serde_json::json!({"given_name_km": "សុភា", "family_name_km": "កែវ", "sex": "female", "estimated_age": "8",
                "birth_registration": "unknown", "id_poor": "unknown", "disability": "none", "living_arrangement": "with_family"});
            for (k, v) in extra.as_object().unwrap() {
                fields[k] = v.clone();
            }
            serde_json::json!({"changes": [{"id": uuid::Uuid::now_v7().to_string(), "kind": "register",
                "recorded_at": chrono::Utc::now().to_rfc3339(), "fields": fields}]})
        };
        let (_, sent) = d.post(&app, "/push", register(serde_json::json!({"f2": "Wat Bo"}))).await;
        assert_ne!(sent["results"][0]["outcome"], "accepted", "the required question: {sent}");
        assert!(sent.to_string().contains("f1"), "{sent}");
        let (_, sent) = d.post(&app, "/push", register(serde_json::json!({"f1": "no"}))).await;
        assert_eq!(sent["results"][0]["outcome"], "accepted", "{sent}");

        // Edited: the form starts from the record; saved unchanged, nothing more is kept; a
        // changed answer is kept beside the first.
        let edit = c.get(app.url(&format!("/children/{id}/edit"))).send().await.unwrap().text().await.unwrap();
        assert!(edit.contains("value=\"yes\" checked") && edit.contains("value=\"Wat Bo\""), "{edit}");
        let version = edit.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let mut same = form_of(&[("f1", "yes"), ("f2", "Wat Bo"), ("version", &version)]);
        let res = c.post(app.url(&format!("/children/{id}"))).form(&same).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let held: Value = app.api_get(&w, &format!("/api/v1/children/{id}/forms")).await.json().await.unwrap();
        assert_eq!(held["items"].as_array().unwrap().len(), 1, "unchanged: {held}");
        let version: i64 = version.parse::<i64>().unwrap() + 1;
        same = form_of(&[("f1", "no"), ("version", &version.to_string())]);
        assert_eq!(c.post(app.url(&format!("/children/{id}"))).form(&same).send().await.unwrap().status(), 303);
        let held: Value = app.api_get(&w, &format!("/api/v1/children/{id}/forms")).await.json().await.unwrap();
        assert_eq!(held["items"].as_array().unwrap().len(), 2, "changed: {held}");
    })
    .await;
}

#[tokio::test]
async fn the_organisations_own_fields_are_asked_on_the_household_form() {
    each_db(|app| async move {
        registration_form(&app, "household", "Home").await;
        let (c, csrf) = app.login("worker").await;
        let page = c.get(app.url("/households/new")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"own-fields\"") && page.contains("Goes to school"), "{page}");
        let form = |extra: &[(&'static str, &'static str)]| {
            let mut f = vec![
                ("_csrf", csrf.clone()),
                ("name", "Chan family".to_string()),
                ("income_band", "unknown".into()),
                ("id_poor", "unknown".into()),
                ("save", "1".into()),
            ];
            f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
            f
        };
        assert_eq!(c.post(app.url("/households")).form(&form(&[])).send().await.unwrap().status(), 422, "the required question");
        let res = c.post(app.url("/households")).form(&form(&[("f1", "no")])).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let h = res.headers()["location"].to_str().unwrap().to_string();
        let page = c.get(app.url(&h)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Goes to school: No"), "{page}");
    })
    .await;
}
