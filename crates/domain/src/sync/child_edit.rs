//! A child's record edited on a device: which of its fields a device may change, their values
//! as text, and the merge of a device's edit into the record as the server has it now.

use super::merge::{merge_fields, Merged};
use crate::child::ChildInput;
use crate::validation::Invalid;
use std::collections::BTreeMap;

/// Fields a device may change. Sensitive and protection details, the institution and the
/// assignment are changed on the pages only.
pub const CHILD_EDITABLE: [&str; 14] = [
    "given_name_km",
    "family_name_km",
    "given_name_latin",
    "family_name_latin",
    "nickname",
    "sex",
    "date_of_birth",
    "estimated_birth_year",
    "birth_registration",
    "birth_certificate_number",
    "id_poor",
    "disability",
    "village_code",
    "living_arrangement",
];

fn slot<'a>(input: &'a mut ChildInput, field: &str) -> Option<&'a mut Option<String>> {
    Some(match field {
        "given_name_km" => &mut input.given_name_km,
        "family_name_km" => &mut input.family_name_km,
        "given_name_latin" => &mut input.given_name_latin,
        "family_name_latin" => &mut input.family_name_latin,
        "nickname" => &mut input.nickname,
        "sex" => &mut input.sex,
        "date_of_birth" => &mut input.date_of_birth,
        "estimated_birth_year" => &mut input.estimated_birth_year,
        "birth_registration" => &mut input.birth_registration,
        "birth_certificate_number" => &mut input.birth_certificate_number,
        "id_poor" => &mut input.id_poor,
        "disability" => &mut input.disability,
        "village_code" => &mut input.village_code,
        "living_arrangement" => &mut input.living_arrangement,
        _ => return None,
    })
}

/// A value as compared: trimmed, and no value is the same as an empty one.
pub fn normalise(v: &str) -> String {
    v.trim().to_string()
}

/// The editable fields of a record, as text.
pub fn child_values(input: &ChildInput) -> BTreeMap<String, String> {
    let mut copy = input.clone();
    CHILD_EDITABLE
        .iter()
        .map(|f| (f.to_string(), slot(&mut copy, f).and_then(|v| v.take()).map(|v| normalise(&v)).unwrap_or_default()))
        .collect()
}

/// Set one editable field; false for a field a device may not change.
pub fn set_child_value(input: &mut ChildInput, field: &str, value: &str) -> bool {
    let Some(s) = slot(input, field) else { return false };
    let v = normalise(value);
    *s = (!v.is_empty()).then_some(v);
    // A date of birth replaces an estimated year, as on the form.
    if field == "date_of_birth" && s.is_some() {
        input.estimated_birth_year = None;
        input.estimated_age = None;
    }
    true
}

/// Merge a device's edit (`base`: the values it started from; `device`: its new values) into the
/// record as the server has it now. Returns the record to validate and save, and the merge
/// (what was applied, what conflicts). A field a device may not change is refused as a whole.
pub fn merge_child(
    base: &BTreeMap<String, String>,
    device: &BTreeMap<String, String>,
    current: &ChildInput,
) -> Result<(ChildInput, Merged<String>), Invalid> {
    let mut e = Invalid::default();
    if device.keys().any(|k| !CHILD_EDITABLE.contains(&k.as_str())) {
        e.push("fields", "err-sync-field");
        return Err(e);
    }
    let norm = |m: &BTreeMap<String, String>| m.iter().map(|(k, v)| (k.clone(), normalise(v))).collect::<BTreeMap<_, _>>();
    let merged = merge_fields(&norm(base), &norm(device), &child_values(current));
    let mut out = current.clone();
    for (k, v) in &merged.apply {
        set_child_value(&mut out, k, v);
    }
    Ok((out, merged))
}
