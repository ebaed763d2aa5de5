//! The generated API description against the code: every route of the API is described with
//! its methods and nothing else is; every write documents its body and every success its
//! schema; no schema is an object without fields unless it is meant to be free-form.

use serde_json::Value;
use std::collections::BTreeSet;

fn doc() -> Value {
    serde_json::from_str(krousar_web::api::document()).unwrap()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[test]
fn every_api_route_is_described_and_nothing_else() {
    let doc = doc();
    let routed: BTreeSet<(String, String)> = krousar_web::routes()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| (r.method.as_str().to_lowercase(), r.path))
        .collect();
    let described: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| METHODS.iter().filter(|m| item.get(**m).is_some()).map(move |m| (m.to_string(), path.clone())))
        .collect();
    let missing: Vec<_> = routed.difference(&described).collect();
    let extra: Vec<_> = described.difference(&routed).collect();
    assert!(missing.is_empty(), "routes not described: {missing:?}");
    assert!(extra.is_empty(), "described but not routed: {extra:?}");
    assert_eq!(doc["openapi"], "3.1.0");
}

/// Writes that take no body, and why.
const NO_BODY: [(&str, &str, &str); 8] = [
    ("post", "/api/v1/children/{id}/case/tasks/{task}/done", "the task is in the path"),
    ("post", "/api/v1/duplicate-scans", "scans the caller's organisation"),
    ("post", "/api/v1/devices/{id}/revoke", "the device is in the path"),
    ("post", "/api/v1/forms/shared/{id}/adopt", "the shared form is in the path"),
    ("post", "/api/v1/notifications/{id}/read", "the notice is in the path"),
    ("post", "/api/v1/notifications/read", "all of the caller's notices"),
    ("post", "/api/v1/groups/{id}/members/{member}/leave", "the member is in the path"),
    ("delete", "/api/v1/sync/web-push", "the device is in the headers"),
];

#[test]
fn every_write_documents_its_body_and_every_success_its_answer() {
    let doc = doc();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            let no_body = NO_BODY.iter().any(|(nm, np, _)| *nm == m && np == path);
            let has_body = op["requestBody"]["content"].as_object().is_some_and(|c| c.values().all(|v| v["schema"].is_object()));
            if m != "get" && !no_body && !has_body {
                problems.push(format!("{m} {path}: no request body schema"));
            }
            if (m == "get" || no_body) && op.get("requestBody").is_some() {
                problems.push(format!("{m} {path}: a body it does not read"));
            }
            let responses = op["responses"].as_object().unwrap();
            if !responses.keys().any(|s| s.starts_with('2')) {
                problems.push(format!("{m} {path}: no success"));
            }
            for (status, r) in responses {
                let r = resolve(&doc, r);
                if status.starts_with('2')
                    && status != "204"
                    && !r["content"].as_object().is_some_and(|c| c.values().all(|v| v["schema"].is_object()))
                {
                    problems.push(format!("{m} {path} {status}: no schema"));
                }
                if status.starts_with('4') && !r["content"]["application/json"]["schema"].is_object() {
                    problems.push(format!("{m} {path} {status}: error without its shape"));
                }
            }
            if m != "get" || op.get("security").is_none() {
                // Every signed-in operation can be refused for lack of sign-in or permission.
                let public = op["security"].as_array().is_some_and(|s| s.iter().any(|x| x.as_object().is_some_and(|o| o.is_empty())));
                let answers_refusals = responses.contains_key("401") && responses.contains_key("403");
                if !public && !answers_refusals {
                    problems.push(format!("{m} {path}: 401 or 403 not documented"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `$ref` in the document, anywhere.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref") {
                out.push(r.clone());
            }
            o.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn every_reference_leads_somewhere() {
    let doc = doc();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    let dangling: BTreeSet<&String> = all.iter().filter(|r| lookup(&doc, r).is_null()).collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
    assert!(all.len() > 100);
}

fn lookup<'a>(doc: &'a Value, r: &str) -> &'a Value {
    r.strip_prefix("#/").map_or(&Value::Null, |path| path.split('/').fold(doc, |at, part| &at[part]))
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => lookup(doc, r),
        None => v,
    }
}

/// Schemas meant to hold any JSON, and why (found by their place in the document).
const FREE_FORM: [(&str, &str); 10] = [
    ("ApprovalRow.request", "what the approval was asked for, as the case record asking it stored it"),
    ("CarerEntry.body", "a carer's step as stored, its shape by `kind` (the `Step` schema)"),
    ("RciEvent.body", "an RCI event's record, its shape by `kind` (stage, inspection, staff)"),
    ("TimelineEntry.body", "a case record as stored, its shape by `kind`"),
    ("Pulled.children", "the offline app's own copy of a child, rebuilt by the app each download"),
    ("Pulled.forms", "the offline app's form definitions, in the user's language"),
    ("Pulled.places", "the places tree `[code, name, [...]]` for the app's picker"),
    ("AuditRow.detail", "what an audit entry records"),
    ("Tool.definition", "an assessment tool's questions as configured by the organisation"),
    ("description", "this document itself (GET /openapi.json)"),
];

/// Every schema in the document, with where it is.
fn walk<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(o) => {
            if o.contains_key("type") || o.contains_key("properties") || o.contains_key("$ref") || o.is_empty() {
                out.push((at.clone(), v));
            }
            for (k, x) in o {
                walk(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_schema_is_an_object_without_its_fields() {
    let doc = doc();
    let mut found = Vec::new();
    let mut all = Vec::new();
    walk(&doc["components"]["schemas"], "#/components/schemas".into(), &mut all);
    walk(&doc["paths"], "#/paths".into(), &mut all);
    for (at, s) in all {
        let o = s.as_object().unwrap();
        let is_schema_slot =
            at.ends_with("/schema") || at.contains("/properties/") || at.ends_with("/items") || at.contains("/components/schemas/");
        if !is_schema_slot {
            continue;
        }
        let bare_object = o.get("type") == Some(&Value::String("object".into()))
            && !["properties", "additionalProperties", "allOf", "oneOf", "anyOf", "$ref"].iter().any(|k| o.contains_key(*k));
        let anything = o.is_empty() || (o.len() == 1 && o.contains_key("description"));
        if bare_object || anything {
            let name = at.rsplit("/properties/").collect::<Vec<_>>();
            let key = if name.len() > 1 {
                let owner = name[1].rsplit('/').next().unwrap_or("");
                format!("{owner}.{}", name[0].split('/').next().unwrap_or(""))
            } else {
                at.clone()
            };
            if !FREE_FORM.iter().any(|(k, _)| key == *k || (k == &"description" && at.contains("openapi.json"))) {
                found.push(format!("{at} ({key}): {s}"));
            }
        }
    }
    assert!(found.is_empty(), "objects without their fields:\n{}", found.join("\n"));
}
