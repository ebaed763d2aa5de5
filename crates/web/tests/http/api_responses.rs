//! Real answers of the API against the generated description: each is checked against the
//! schema its operation documents for its status (a small validator: `$ref`, types, required
//! fields, properties, items, enums and `allOf`/`anyOf`/`oneOf`), so that a field renamed or
//! left out on either side fails here.

use crate::app::{each_db, TestApp};
use serde_json::{json, Value};

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => resolve(doc, r.strip_prefix("#/").unwrap().split('/').fold(doc, |at, part| &at[part])),
        None => v,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// The fields a schema names, its `allOf` parts' included; `None` when it takes any field.
fn named(doc: &Value, s: &Value) -> Option<Vec<String>> {
    let s = resolve(doc, s);
    if !s["additionalProperties"].is_null() || s["anyOf"].is_array() || s["oneOf"].is_array() {
        return None;
    }
    let mut out: Vec<String> = s["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for part in s["allOf"].as_array().into_iter().flatten() {
        out.extend(named(doc, part)?);
    }
    Some(out)
}

/// Every way `v` breaks `schema`, with where.
/// `whole`: `schema` is all that describes `v` (not one part of an `allOf`).
fn check(doc: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>, whole: bool) {
    let s = resolve(doc, schema);
    if let Some(all) = s["allOf"].as_array() {
        for x in all {
            check(doc, x, v, at, out, false);
        }
    }
    // Fields the answer has and the description does not name.
    if let (Some(o), Some(names), true) = (v.as_object(), named(doc, s), whole && (s["properties"].is_object() || s["allOf"].is_array())) {
        for k in o.keys().filter(|k| !names.contains(k)) {
            out.push(format!("{at}.{k}: not described"));
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(any) = s[key].as_array() {
            let ok = any.iter().any(|x| {
                let mut e = Vec::new();
                check(doc, x, v, at, &mut e, whole);
                e.is_empty()
            });
            if !ok {
                out.push(format!("{at}: matches none of {key}: {v}"));
            }
        }
    }
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() && !types.iter().any(|t| type_ok(t, v)) {
        out.push(format!("{at}: {v} is not {types:?}"));
        return;
    }
    if let Some(e) = s["enum"].as_array() {
        if !e.contains(v) {
            out.push(format!("{at}: {v} not in {e:?}"));
        }
    }
    if let (Some(o), Some(props)) = (v.as_object(), s["properties"].as_object()) {
        for r in s["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !o.contains_key(r) {
                out.push(format!("{at}.{r}: required, missing"));
            }
        }
        for (k, x) in o {
            if let Some(p) = props.get(k) {
                check(doc, p, x, &format!("{at}.{k}"), out, true);
            }
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), s.get("items")) {
        for (i, x) in a.iter().enumerate() {
            check(doc, items, x, &format!("{at}[{i}]"), out, true);
        }
    }
}

/// Check one answer against what its operation says for its status.
async fn conforms(doc: &Value, method: &str, path: &str, res: reqwest::Response) -> Value {
    let status = res.status().as_u16().to_string();
    let body: Value = res.json().await.unwrap();
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is described");
    let r = resolve(doc, &op["responses"][&status]);
    assert!(r.is_object(), "{method} {path}: {status} is not described: {body}");
    let schema = &r["content"]["application/json"]["schema"];
    let mut problems = Vec::new();
    check(doc, schema, &body, "$", &mut problems, true);
    assert!(problems.is_empty(), "{method} {path} {status}:\n{}\n{body}", problems.join("\n"));
    body
}

async fn description(app: &TestApp) -> Value {
    crate::app::client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn answers_match_the_description() {
    each_db(|app| async move {
        let doc = description(&app).await;
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let child = json!({"given_name_latin": "Sreypov", "family_name_latin": "Chan", "sex": "female", "estimated_birth_year": 2014,
            "village_code": "02020101", "protection": ["orphan"]});
        let made = conforms(&doc, "post", "/api/v1/children", app.api_post(&w, "/api/v1/children", child.clone()).await).await;
        let id = made["id"].as_str().unwrap().to_string();
        conforms(&doc, "post", "/api/v1/children", app.api_post(&w, "/api/v1/children", child.clone()).await).await;
        conforms(&doc, "post", "/api/v1/children", app.api_post(&w, "/api/v1/children", json!({"sex": "x"})).await).await;
        conforms(&doc, "get", "/api/v1/children", app.api_get(&w, "/api/v1/children").await).await;
        conforms(&doc, "get", "/api/v1/children/{id}", app.api_get(&w, &format!("/api/v1/children/{id}")).await).await;
        let missing = format!("/api/v1/children/{}", uuid::Uuid::now_v7());
        conforms(&doc, "get", "/api/v1/children/{id}", app.api_get(&w, &missing).await).await;
        let today = krousar_domain::today().to_string();
        let open = app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), json!({"route": "prevention", "opened_on": today})).await;
        conforms(&doc, "post", "/api/v1/children/{id}/case/{form}", open).await;
        let risk = json!({"level": "high", "reasons": "Violence at home", "assessed_on": today});
        conforms(
            &doc,
            "post",
            "/api/v1/children/{id}/case/{form}",
            app.api_post(&w, &format!("/api/v1/children/{id}/case/risk"), risk).await,
        )
        .await;
        let asked = app.api_post(&w, &format!("/api/v1/children/{id}/case/approvals"), json!({"kind": "assessment"})).await;
        conforms(&doc, "post", "/api/v1/children/{id}/case/approvals", asked).await;
        conforms(&doc, "get", "/api/v1/children/{id}/case", app.api_get(&s, &format!("/api/v1/children/{id}/case")).await).await;
        conforms(&doc, "get", "/api/v1/worklist", app.api_get(&w, "/api/v1/worklist").await).await;
        conforms(&doc, "get", "/api/v1/indicators", app.api_get(&s, "/api/v1/indicators?by=sex").await).await;
        conforms(&doc, "get", "/api/v1/organisations", app.api_get(&w, "/api/v1/organisations").await).await;
        conforms(&doc, "get", "/api/v1/referrals", app.api_get(&w, "/api/v1/referrals").await).await;
        conforms(&doc, "get", "/api/v1/locations/search", app.api_get(&w, "/api/v1/locations/search?q=thum&level=village").await).await;
        conforms(&doc, "get", "/api/v1/rcis", app.api_get(&w, "/api/v1/rcis").await).await;
        conforms(&doc, "get", "/api/v1/children/{id}/cash", app.api_get(&w, &format!("/api/v1/children/{id}/cash")).await).await;
        let carer = json!({"name": "Sok Dara", "kind": "foster", "enquired_on": today});
        conforms(&doc, "post", "/api/v1/carers", app.api_post(&w, "/api/v1/carers", carer).await).await;
        conforms(&doc, "get", "/api/v1/carers", app.api_get(&w, "/api/v1/carers").await).await;
        conforms(&doc, "get", "/api/v1/sync/hello", app.api_get(&w, "/api/v1/sync/hello").await).await;
        let res = app.api_post(&w, &format!("/api/v1/children/{id}"), json!({})).await;
        assert_eq!(res.status(), 405, "PATCH, not POST");
        let res = crate::app::client().get(app.url("/api/v1/children")).send().await.unwrap();
        conforms(&doc, "get", "/api/v1/children", res).await;
    })
    .await;
}
