//! What a device downloads: the children it carries whose stamp changed (each read through the
//! case file, so through the policy and audited like a page view), the ones it must drop, the
//! conflicts waiting for its user, and the forms it fills in offline (the pages' own field
//! definitions, in the user's language; sent again only when they changed).

use crate::commands::case::{CaseForm, Fields};
use crate::i18n::Tr;
use crate::pages::case::fields::{child_groups, defaults, groups, Choices, Group, Input};
use crate::pages::case::show::describe;
use crate::views::age_text;
use krousar_domain::{Actor, Invalid};
use krousar_store::children::Child;
use krousar_store::sync::Conflict;
use krousar_store::{Store, StoreError};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

/// Recent events of a case a device shows (the whole timeline stays on the server).
const RECENT: usize = 6;

/// The case forms a worker fills in offline, by change kind.
pub const OFFLINE_FORMS: [(&str, CaseForm); 4] =
    [("visit", CaseForm::Visit), ("note", CaseForm::Note), ("csi", CaseForm::Csi), ("tracing-attempt", CaseForm::TracingAttempt)];

fn field_json(f: &crate::pages::case::fields::Field) -> Value {
    let (kind, options) = match &f.input {
        Input::Text => ("text", None),
        Input::Area => ("area", None),
        Input::Date => ("date", None),
        Input::Select(o) => ("select", Some(o)),
        Input::Radio(o) => ("radio", Some(o)),
        Input::Check(_) => ("check", None),
    };
    let mut v = json!({"name": f.name, "label": f.label, "type": kind});
    if !f.hint.is_empty() {
        v["hint"] = json!(f.hint);
    }
    if let Some(o) = options {
        v["options"] = o.iter().map(|o| json!([o.value, o.label])).collect();
    }
    v
}

/// The village, picked from the places the device carries (the pages use their own picker).
pub(super) fn place_field(tr: Tr) -> Value {
    let levels: Vec<String> = ["field-province", "field-district", "field-commune", "field-village"].iter().map(|k| tr.t(k)).collect();
    json!({"name": "village_code", "label": tr.t("field-address"), "type": "place", "levels": levels})
}

fn form_json(title: String, groups: &[Group], defaults: &Fields) -> Value {
    let groups: Vec<Value> = groups
        .iter()
        .map(|g| {
            let mut v = json!({"fields": g.fields.iter().map(field_json).collect::<Vec<_>>()});
            if !g.legend.is_empty() {
                v["legend"] = json!(g.legend);
            }
            v
        })
        .collect();
    json!({"title": title, "groups": groups, "today": defaults.keys().collect::<Vec<_>>()})
}

fn add_place(form: &mut Value, tr: Tr) {
    if let Some(first) = form["groups"].get_mut(0).and_then(|g| g["fields"].as_array_mut()) {
        first.push(place_field(tr));
    }
}

/// Every form of the offline app, and a short hash of them. They depend on the language only,
/// so each language's are built once (every download compares the hash).
pub fn forms(tr: Tr) -> &'static (Value, String) {
    static KM: std::sync::OnceLock<(Value, String)> = std::sync::OnceLock::new();
    static EN: std::sync::OnceLock<(Value, String)> = std::sync::OnceLock::new();
    let slot = if tr.is_km() { &KM } else { &EN };
    slot.get_or_init(|| build_forms(tr))
}

/// The flag form of the offline app: the pages' fields (`pages::flags`).
fn flag_group(tr: Tr) -> Group {
    use crate::pages::case::fields::Field;
    use krousar_domain::flag::FlagKind;
    let field = |name: &str, key: &str, input: Input| Field {
        name: name.into(),
        label: tr.t(key),
        input,
        value: String::new(),
        error: String::new(),
        hint: String::new(),
    };
    let kinds = crate::views::options(tr, FlagKind::ALL, FlagKind::code, FlagKind::label_key, None, Some("opt-choose"));
    let mut reason = field("reason", "field-flag-reason", Input::Area);
    reason.hint = tr.t("help-flag-reason");
    Group {
        legend: String::new(),
        hint: String::new(),
        fields: vec![field("kind", "field-flag-kind", Input::Select(kinds)), reason, field("until", "field-flag-until", Input::Date)],
    }
}

fn build_forms(tr: Tr) -> (Value, String) {
    let none = Invalid::default();
    let mut out = serde_json::Map::new();
    for (kind, form) in OFFLINE_FORMS {
        let g = groups(form, tr, &Fields::new(), &none, &Choices::default());
        // Only the names of the fields that default to today go in (the app fills in its own day).
        let mut f = form_json(tr.t(&form.title_key()), &g, &defaults(form, chrono::NaiveDate::MIN));
        if form.has_place() {
            add_place(&mut f, tr);
        }
        out.insert(kind.into(), f);
    }
    out.insert("flag".into(), form_json(tr.t("btn-raise-flag"), &[flag_group(tr)], &Fields::new()));
    // A profile photo: no field, only the photo the app adds.
    out.insert("profile-photo".into(), form_json(tr.t("btn-add-photo"), &[], &Fields::new()));
    for (kind, title, register) in [("register", "page-register-child", true), ("child-edit", "app-correct-child", false)] {
        let mut f = form_json(tr.t(title), &child_groups(tr, &Fields::new(), &none, register), &Fields::new());
        add_place(&mut f, tr);
        out.insert(kind.into(), f);
    }
    let v = Value::Object(out);
    let hash = hex::encode(&Sha256::digest(v.to_string().as_bytes())[..8]);
    (v, hash)
}

fn date_opt(tr: Tr, d: Option<chrono::NaiveDate>) -> Value {
    d.map(|d| json!([d.to_string(), tr.date(d)])).unwrap_or(Value::Null)
}

/// One carried child as the device keeps it.
async fn snapshot(store: &Store, actor: &Actor, tr: Tr, id: Uuid, stamp: &str) -> Result<Value, StoreError> {
    let (child, file): (Child, _) = store.case_file(actor, id, "sync").await?;
    let f = &child.fields;
    let place = match &f.village_code {
        Some(code) => store.location_path(code).await.ok().map(|p| p.label(tr.is_km())).unwrap_or_default(),
        None => String::new(),
    };
    let mut v = json!({
        "id": child.id,
        "stamp": stamp,
        "version": child.version,
        "case_number": child.case_number,
        "name": child.display_name(tr.is_km()),
        "other_name": child.display_name(!tr.is_km()),
        "sex": tr.t(&f.sex.label_key()),
        "age": age_text(tr, f, actor.today()),
        "place": place,
        "values": krousar_domain::sync::child_values(&f.to_input()),
        "case": Value::Null,
        "tasks": [],
        "recent": [],
        "flags": [],
    });
    // The household's members, which a person question of the organisation's forms names.
    let people = store.record_people(actor, krousar_domain::forms::FormTarget::Case, child.id).await?;
    v["people"] = people.iter().map(|(key, (km, en))| json!([key, if tr.is_km() { km } else { en }])).collect();
    // The small profile photo (160 pixels, a few kB), so the worker knows the child at the
    // door; only where the pages would show it.
    if store.may_see_child_photo(actor, &child) {
        match store.photo(actor, krousar_store::photos::PhotoOf::Child(child.id), krousar_store::photos::PhotoSize::Small).await {
            Ok(jpeg) => {
                use base64::Engine;
                v["photo"] = json!(format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg)));
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    // The flags still up, first thing the worker sees at the door.
    if let Some(flags) = store.flags_of(actor, &child).await? {
        v["flags"] = flags
            .iter()
            .filter(|f| f.active)
            .map(|f| json!({"kind": tr.t(&f.kind.label_key()), "reason": f.reason, "until": f.until.map(|u| tr.date(u))}))
            .collect();
    }
    if let Some(file) = file {
        let c = &file.case;
        v["case"] = json!({
            "stage": tr.t(&c.stage.label_key()),
            "risk": c.risk_level.map(|r| tr.t(&r.label_key())),
            "opened_on": date_opt(tr, Some(c.opened_on)),
            "next_visit": date_opt(tr, file.visits.iter().filter(|x| x.done_on.is_none()).filter_map(|x| crate::views::local_day(&x.due_on)).min()),
            "reassessment_due": date_opt(tr, c.reassessment_due),
            "closed": c.closed_on.is_some(),
        });
        v["tasks"] = file
            .tasks
            .iter()
            .filter(|t| t.done_on.is_none())
            .map(|t| json!({"id": t.id, "title": t.title, "due": tr.day(&t.due_on), "due_on": t.due_on}))
            .collect();
        v["recent"] = file
            .timeline
            .iter()
            .rev()
            .take(RECENT)
            .map(|e| {
                json!({
                    "on": tr.day(&e.occurred_on),
                    "what": tr.t(&format!("kind-{}", e.kind().replace('_', "-"))),
                    "by": e.author,
                    "lines": describe(tr, e).into_iter().filter(|l| !l.is_empty()).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    Ok(v)
}

/// What a download carries besides the forms.
pub struct Delta {
    pub children: Vec<Value>,
    pub drop: Vec<Uuid>,
    /// Provinces the carried children live in (for picking places offline).
    pub provinces: Vec<String>,
}

/// The carried children whose stamp differs from what the device holds (`have`: id → stamp),
/// and the ids it holds that it must drop.
pub async fn delta(store: &Store, actor: &Actor, tr: Tr, have: &HashMap<Uuid, String>) -> Result<Delta, StoreError> {
    let carried = store.carried(actor).await?;
    let mut provinces: Vec<String> = carried.iter().filter_map(|c| c.province.clone()).collect();
    provinces.sort();
    provinces.dedup();
    let mut out = Vec::new();
    let mut keep = std::collections::HashSet::new();
    for c in &carried {
        if have.get(&c.child_id) == Some(&c.stamp) {
            keep.insert(c.child_id);
            continue;
        }
        match snapshot(store, actor, tr, c.child_id, &c.stamp).await {
            Ok(v) => {
                keep.insert(c.child_id);
                out.push(v);
            }
            // No longer visible (moved away a moment ago): dropped below.
            Err(StoreError::Forbidden | StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let drop = have.keys().filter(|id| !keep.contains(id)).copied().collect();
    Ok(Delta { children: out, drop, provinces })
}

/// What a device's copy of places is made from: the gazetteer release, the language and the
/// provinces. Computed without building the tree, so a download that already has it costs
/// nothing more.
pub async fn places_hash(store: &Store, tr: Tr, provinces: &[String]) -> Result<String, StoreError> {
    let mut h = Sha256::new();
    for part in [store.places_version().await?.as_str(), tr.lang.code()].into_iter().chain(provinces.iter().map(String::as_str)) {
        h.update(part.as_bytes());
        h.update([0]);
    }
    Ok(hex::encode(&h.finalize()[..8]))
}

/// The gazetteer of some provinces as a tree in the reader's language — `[code, name, [...]]`
/// down to villages — for the place picker of the offline forms.
pub async fn places(store: &Store, tr: Tr, provinces: &[String]) -> Result<Value, StoreError> {
    let name = |l: &krousar_store::locations::Location| if tr.is_km() { l.name_km.clone() } else { l.name_latin.clone() };
    let mut tree = Vec::new();
    for p in store.child_locations(None).await?.into_iter().filter(|p| provinces.contains(&p.code)) {
        let mut districts = Vec::new();
        for d in store.child_locations(Some(&p.code)).await? {
            let mut communes = Vec::new();
            for c in store.child_locations(Some(&d.code)).await? {
                let villages: Vec<Value> = store.child_locations(Some(&c.code)).await?.iter().map(|v| json!([v.code, name(v)])).collect();
                communes.push(json!([c.code, name(&c), villages]));
            }
            districts.push(json!([d.code, name(&d), communes]));
        }
        tree.push(json!([p.code, name(&p), districts]));
    }
    Ok(Value::Array(tree))
}

/// A sync conflict as the device (and `sync/push`) shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ConflictOut {
    id: Uuid,
    /// The change that met it.
    change: Uuid,
    child: Uuid,
    case_number: String,
    child_name: String,
    /// The field's code, as the record and the change name it.
    field: String,
    /// The field's label to show, in the user's language.
    field_label: String,
    /// Who sent the change.
    by: String,
    /// The value on the server now.
    server: String,
    /// The value the device sent.
    device: String,
}

pub fn conflict_json(tr: Tr, c: &Conflict) -> ConflictOut {
    ConflictOut {
        id: c.id,
        change: c.change_id,
        child: c.child_id,
        case_number: c.case_number.clone(),
        child_name: c.child_name.clone(),
        field: c.field.clone(),
        field_label: tr.t(&crate::pages::conflicts::field_label_key(&c.field)),
        by: c.user_name.clone(),
        server: c.current.clone(),
        device: c.device.clone(),
    }
}
