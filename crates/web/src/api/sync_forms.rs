//! The organisation's own forms in the offline app: its case forms (`custom:<id>`), and the
//! fields it asks on the registration form added to the app's own registration form, built
//! per organisation from the published versions (the built-in forms are per language only).

use super::sync_pull::{forms, place_field};
use crate::i18n::Tr;
use krousar_domain::forms::{FieldKind, FormDef, FormTarget};
use krousar_domain::Actor;
use krousar_store::{Store, StoreError};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// One question of the organisation's forms as the offline app's field (files are not sent
/// offline: the caller leaves them out).
fn question_json(tr: Tr, q: &krousar_domain::forms::FieldDef) -> Value {
    let km = tr.is_km();
    let choices: Vec<Value> = match q.kind {
        FieldKind::YesNo => vec![json!(["yes", tr.t("msg-yes")]), json!(["no", tr.t("msg-no")])],
        _ => q.choices.iter().map(|c| json!([c.code, if km || c.en.is_empty() { &c.km } else { &c.en }])).collect(),
    };
    let kind = match q.kind {
        FieldKind::LongText => "area",
        FieldKind::Date => "date",
        FieldKind::YesNo | FieldKind::OneChoice => "radio",
        FieldKind::SeveralChoices => "checks",
        _ => "text",
    };
    let label = if q.required { format!("{} *", q.label(km)) } else { q.label(km).to_string() };
    let mut v = json!({"name": q.code, "label": label, "type": kind});
    if q.kind == FieldKind::Person {
        // The child's household members, which the app takes from the child carried.
        v["type"] = json!("person");
    }
    if q.kind == FieldKind::Place {
        // A village picked from the provinces the device carries, as the address is.
        v = place_field(tr);
        v["name"] = json!(q.code);
        v["label"] = json!(label);
    }
    if !q.help(km).is_empty() {
        v["hint"] = json!(q.help(km));
    }
    if !choices.is_empty() {
        v["options"] = json!(choices);
    }
    v
}

/// The organisation's own forms for the offline app, by kind `custom:<id>`, in the shape of the
/// built-in ones (a several-choices field is `checks`: its values are sent joined by commas).
pub fn custom_forms_json(tr: Tr, forms: &[krousar_store::custom_forms::CustomForm]) -> serde_json::Map<String, Value> {
    let km = tr.is_km();
    let mut out = serde_json::Map::new();
    for f in forms {
        let Some(def) = &f.current else { continue };
        // A file is sent from the case's page: a form that must have one is not offered offline,
        // and a file question that may be left empty is left out.
        if def.questions().any(|q| q.kind == FieldKind::File && q.required) {
            continue;
        }
        let mut groups = vec![json!({"fields": [{"name": "answered_on", "label": tr.t("field-answered-on"), "type": "date"}]})];
        for q in &def.fields {
            if q.kind == FieldKind::File {
                continue;
            }
            if q.kind == FieldKind::Section {
                groups.push(json!({"legend": q.label(km), "fields": []}));
                continue;
            }
            let v = question_json(tr, q);
            if let Some(fields) = groups.last_mut().and_then(|g| g["fields"].as_array_mut()) {
                fields.push(v);
            }
        }
        out.insert(format!("custom:{}", f.id), json!({"title": def.name(km), "groups": groups, "today": ["answered_on"], "custom": true}));
    }
    out
}

/// The offline forms of a user: the built-in ones and the organisation's own, with one hash.
pub async fn user_forms(store: &Store, actor: &Actor, tr: Tr) -> Result<(Value, String), StoreError> {
    let (builtin, hash) = forms(tr);
    // Forms filled in on a case's timeline: those on the child's record stay on the pages.
    let all_forms = store.custom_forms(actor.org_id, true).await?;
    let own: Vec<_> = all_forms.iter().filter(|f| f.target == FormTarget::Case).cloned().collect();
    let registration = all_forms.iter().find(|f| f.target == FormTarget::Child && f.in_registration).and_then(|f| f.current.as_ref());
    if own.is_empty() && registration.is_none() {
        return Ok((builtin.clone(), hash.clone()));
    }
    let mut all = builtin.as_object().cloned().unwrap_or_default();
    all.extend(custom_forms_json(tr, &own));
    if let (Some(def), Some(register)) = (registration, all.get_mut("register")) {
        add_registration_fields(tr, def, register);
    }
    let v = Value::Object(all);
    let hash = hex::encode(&Sha256::digest(v.to_string().as_bytes())[..8]);
    Ok((v, hash))
}

/// The organisation's fields on the registration form, as a last group of the app's own
/// (files are not sent offline; a registration form that must have one is added without it,
/// and the server then asks for it).
fn add_registration_fields(tr: Tr, def: &FormDef, register: &mut Value) {
    let fields: Vec<Value> = def.questions().filter(|q| q.kind != FieldKind::File).map(|q| question_json(tr, q)).collect();
    if let Some(groups) = register["groups"].as_array_mut() {
        groups.push(json!({"legend": def.name(tr.is_km()), "fields": fields}));
    }
}
