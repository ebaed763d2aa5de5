//! The address picker: type-ahead search (Khmer or any romanisation) plus cascading selects
//! province → district → commune → village. Without JavaScript, "Find" and "Show places"
//! re-render the form with the matches and the next level filled in, keeping what was typed.

use super::form::FormData;
use crate::i18n::Tr;
use crate::views::Opt;
use krousar_store::gazetteer::Level;
use krousar_store::locations::Location;
use krousar_store::{Store, StoreError};

#[derive(Default, Clone)]
pub struct PlacePicker {
    pub q: String,
    pub label: String,
    pub provinces: Vec<Opt>,
    pub districts: Vec<Opt>,
    pub communes: Vec<Opt>,
    pub villages: Vec<Opt>,
    pub results: Vec<Opt>,
    pub error: String,
}

/// The village chosen in a posted form: a picked search result wins over the selects.
pub fn chosen_village(f: &FormData) -> Option<String> {
    f.get("village_pick").filter(|v| !v.is_empty()).or_else(|| f.get("village_code").filter(|v| !v.is_empty()))
}

/// The form asked only to look up places, not to save.
pub fn is_lookup(f: &FormData) -> bool {
    f.has("find_place") || f.has("refresh_place")
}

fn opts(tr: Tr, places: Vec<Location>, selected: &str, empty_key: &str) -> Vec<Opt> {
    let mut out = vec![Opt { value: String::new(), label: tr.t(empty_key), selected: selected.is_empty() }];
    out.extend(places.into_iter().map(|p| Opt {
        selected: p.code == selected,
        label: if tr.is_km() { p.name_km } else { p.name_latin },
        value: p.code,
    }));
    out
}

/// The picker's selects with what is chosen at each level (province, district, commune,
/// village; empty where nothing is), and the chosen village's path.
pub async fn levels(store: &Store, tr: Tr, chosen: [&str; 4]) -> Result<PlacePicker, StoreError> {
    let [province, district, commune, village] = chosen;
    let mut p = PlacePicker { provinces: opts(tr, store.child_locations(None).await?, province, "opt-choose"), ..Default::default() };
    if !province.is_empty() {
        p.districts = opts(tr, store.child_locations(Some(province)).await?, district, "opt-choose");
    }
    if !district.is_empty() {
        p.communes = opts(tr, store.child_locations(Some(district)).await?, commune, "opt-choose");
    }
    if !commune.is_empty() {
        p.villages = opts(tr, store.child_locations(Some(commune)).await?, village, "opt-choose");
    }
    if village.len() == 8 {
        if let Ok(path) = store.location_path(village).await {
            p.label = path.label(tr.is_km());
        }
    }
    Ok(p)
}

pub async fn build(store: &Store, tr: Tr, f: &FormData, village: Option<&str>, error: String) -> Result<PlacePicker, StoreError> {
    let village = village.map(str::to_string).or_else(|| chosen_village(f)).unwrap_or_default();
    let cut = |n: usize, field: &str| -> String {
        if village.len() == 8 {
            village[..n].to_string()
        } else {
            f.get(field).filter(|v| v.len() == n && v.bytes().all(|b| b.is_ascii_digit())).unwrap_or_default()
        }
    };
    let (province, district, commune) = (cut(2, "province"), cut(4, "district"), cut(6, "commune"));
    // A lower level only counts if it lies inside the level above (the user may have changed it).
    let district = if district.starts_with(&province) && !province.is_empty() { district } else { String::new() };
    let commune = if commune.starts_with(&district) && !district.is_empty() { commune } else { String::new() };
    let mut p = levels(store, tr, [&province, &district, &commune, &village]).await?;
    p.q = f.get("place_q").unwrap_or_default();
    p.error = error;
    if f.has("find_place") && !p.q.trim().is_empty() {
        // As the type-ahead does: a chosen district (or province) narrows the search, unless a
        // village is already chosen (the user is changing the address).
        let within = if village.is_empty() { Some(if district.is_empty() { province.as_str() } else { district.as_str() }) } else { None };
        let found = store.search_locations(&p.q, Some(Level::Village), within.filter(|w| !w.is_empty()), 20).await?;
        p.results = found
            .into_iter()
            .map(|path| Opt {
                selected: path.code == village,
                label: format!("{} — {}", path.label(true), path.label(false)),
                value: path.code,
            })
            .collect();
        if p.results.is_empty() {
            p.error = tr.t("msg-no-places");
        }
    }
    Ok(p)
}
