//! The place search of the previous release (2026-11), kept here to compare with: a place is
//! found when its keys contain every word of the query, in code order.

use krousar_match::place::{UNIT_WORDS_KM, UNIT_WORDS_LATIN};

pub fn place_keys(name_km: &str, name_latin: &str) -> String {
    let mut km = name_km.to_string();
    for w in UNIT_WORDS_KM {
        if let Some(rest) = km.strip_prefix(w).filter(|r| !r.is_empty()) {
            km = rest.to_string();
        }
    }
    let latin: String =
        name_latin.split_whitespace().filter(|w| !UNIT_WORDS_LATIN.contains(&w.to_lowercase().as_str())).collect::<Vec<_>>().join(" ");
    let latin_joined = latin.replace(' ', "");
    krousar_match::name_keys([name_km, km.as_str(), name_latin, latin_joined.as_str()])
}

pub fn place_query_terms(query: &str) -> Vec<String> {
    let terms = krousar_match::query_terms(query);
    let units: Vec<String> = UNIT_WORDS_LATIN
        .iter()
        .map(|w| krousar_match::latin_key(w))
        .chain(UNIT_WORDS_KM.iter().map(|w| krousar_match::khmer_name_key(w)))
        .collect();
    let named: Vec<String> = terms.iter().filter(|t| !units.contains(t)).cloned().collect();
    if named.is_empty() {
        terms
    } else {
        named
    }
}
