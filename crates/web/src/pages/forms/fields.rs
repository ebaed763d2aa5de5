//! A custom form's fields as a page shows them, for the worker filling it in and for the
//! builder's preview: the same view, so the preview is what the worker will see.

use crate::i18n::Tr;
use crate::pages::place::PlacePicker;
use crate::views::Opt;
use krousar_domain::forms::{FieldKind, FormDef};
use krousar_domain::Invalid;
use std::collections::BTreeMap;

pub struct FieldView {
    pub code: String,
    /// `text`, `long_text`, `number`, `date`, `yes_no`, `one_choice`, `several_choices`,
    /// `section`.
    pub kind: &'static str,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub value: String,
    /// Choices (with yes and no for a yes/no field), those picked selected.
    pub options: Vec<Opt>,
    pub error: String,
    /// The longest text accepted (texts) or the largest number (numbers).
    pub max: String,
    /// A place field's picker (its selects named `<code>_province`, `_district`, `_commune`,
    /// and the village `<code>`).
    pub place: PlacePicker,
}

/// The level a place field's select is posted under (`f3_district`), kept when the form is
/// shown again so the picker stays where the worker left it.
pub const PLACE_LEVELS: [&str; 3] = ["province", "district", "commune"];

/// What the fields offer on a record (`on`: the form's target and the record's id; none for a
/// preview), each place field's picker at the levels typed.
pub async fn offered(
    store: &krousar_store::Store,
    cur: &crate::auth::Current,
    def: &FormDef,
    values: &BTreeMap<String, Vec<String>>,
    on: Option<(krousar_domain::forms::FormTarget, uuid::Uuid)>,
) -> Result<Offered, krousar_store::StoreError> {
    let places = place_pickers(store, cur.tr, def, values).await?;
    // The household's members only for who may answer on the record (a reader who may not
    // sees the question with nobody to choose).
    let people = match on {
        Some((target, id)) if def.questions().any(|f| f.kind == FieldKind::Person) => store.record_people(&cur.actor, target, id).await?,
        _ => Default::default(),
    };
    Ok(Offered { places, people })
}

/// Each place field's picker, at the levels typed (or those of the village chosen).
async fn place_pickers(
    store: &krousar_store::Store,
    tr: Tr,
    def: &FormDef,
    values: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, PlacePicker>, krousar_store::StoreError> {
    let mut out = BTreeMap::new();
    for f in def.questions().filter(|f| f.kind == FieldKind::Place) {
        let get = |key: &str| values.get(key).and_then(|v| v.first()).map(|s| s.trim().to_string()).unwrap_or_default();
        let village = get(&f.code);
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let mut chosen: Vec<String> = PLACE_LEVELS.iter().map(|l| get(&format!("{}_{l}", f.code))).collect();
        if digits(&village, 8) {
            chosen = vec![village[..2].to_string(), village[..4].to_string(), village[..6].to_string()];
        }
        // A lower level counts only inside the one above (the worker may have changed it).
        let (p, d, c) = (chosen[0].clone(), chosen[1].clone(), chosen[2].clone());
        let p = if digits(&p, 2) { p } else { String::new() };
        let d = if !p.is_empty() && d.starts_with(&p) && digits(&d, 4) { d } else { String::new() };
        let c = if !d.is_empty() && c.starts_with(&d) && digits(&c, 6) { c } else { String::new() };
        let v = if !c.is_empty() && village.starts_with(&c) { village } else { String::new() };
        out.insert(f.code.clone(), crate::pages::place::levels(store, tr, [&p, &d, &c, &v]).await?);
    }
    Ok(out)
}

/// The fields of `def` with the values typed (`code` → values) and their errors.
/// What a form's fields offer beyond their own words: each place field's picker, and the
/// people a person field may name (empty in a preview: no record yet).
#[derive(Default)]
pub struct Offered {
    pub places: BTreeMap<String, PlacePicker>,
    pub people: krousar_domain::forms::answers::People,
}

pub fn field_views(tr: Tr, def: &FormDef, values: &BTreeMap<String, Vec<String>>, e: &Invalid, offered: &Offered) -> Vec<FieldView> {
    let km = tr.is_km();
    def.fields
        .iter()
        .map(|f| {
            let given = values.get(&f.code).cloned().unwrap_or_default();
            let picked = |code: &str| given.iter().any(|g| g == code);
            let options = match f.kind {
                FieldKind::YesNo => vec![
                    Opt { value: "yes".into(), label: tr.t("msg-yes"), selected: picked("yes") },
                    Opt { value: "no".into(), label: tr.t("msg-no"), selected: picked("no") },
                ],
                k if k.has_choices() => f
                    .choices
                    .iter()
                    .map(|c| Opt {
                        value: c.code.clone(),
                        label: if km || c.en.is_empty() { c.km.clone() } else { c.en.clone() },
                        selected: picked(&c.code),
                    })
                    .collect(),
                FieldKind::Person => offered
                    .people
                    .iter()
                    .map(|(key, (km_name, en_name))| Opt {
                        value: key.clone(),
                        label: if km { km_name.clone() } else { en_name.clone() },
                        selected: picked(key),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            FieldView {
                code: f.code.clone(),
                kind: f.kind.code(),
                label: f.label(km).to_string(),
                help: f.help(km).to_string(),
                required: f.required,
                value: given.first().cloned().unwrap_or_default(),
                options,
                error: e.errors.iter().find(|x| x.field == f.code).map(|x| tr.t(x.code)).unwrap_or_default(),
                max: f.max.map(|v| v.to_string()).unwrap_or_default(),
                place: offered.places.get(&f.code).cloned().unwrap_or_default(),
            }
        })
        .collect()
}
