//! Steps the tests of the organisation's own forms share: an administrator's new form on a
//! target, a field added, the draft published; a child with an open case.

use crate::app::{child_json, TestApp};
use serde_json::{json, Value};

/// A new form's page (`/admin/forms/{id}`), made by the administrator on `target`.
pub async fn new_form(app: &TestApp, target: &str, name_km: &str, name_en: &str) -> String {
    let (a, csrf) = app.login("admin").await;
    let res = a
        .post(app.url("/admin/forms"))
        .form(&[("_csrf", csrf.as_str()), ("name_km", name_km), ("name_en", name_en), ("target", target)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

/// Add a field to the draft of the form at `path`; the answer's status.
pub async fn add_field(app: &TestApp, path: &str, field: &[(&str, &str)]) -> reqwest::StatusCode {
    let (a, csrf) = app.login("admin").await;
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(field);
    a.post(app.url(&format!("{path}/fields"))).form(&form).send().await.unwrap().status()
}

/// Publish the draft of the form at `path`; the answer (its status, and its page if refused).
pub async fn publish(app: &TestApp, path: &str) -> reqwest::Response {
    let (a, csrf) = app.login("admin").await;
    a.post(app.url(&format!("{path}/publish"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap()
}

/// A child registered by the worker (`token`) with a case opened today.
pub async fn child_with_open_case(app: &TestApp, token: &str) -> Value {
    let c: Value = app.api_post(token, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
    let id = c["id"].as_str().unwrap().to_string();
    let open = json!({"route": "report", "referral_source": "police", "opened_on": krousar_domain::today().to_string()});
    assert_eq!(app.api_post(token, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
    c
}
