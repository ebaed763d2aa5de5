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
    name_keys_v2([name_km, km.as_str(), name_latin, latin_joined.as_str()])
}

/// `krousar_match::name_keys` as it was at keys version 2 (before romanised Khmer keys).
fn name_keys_v2(names: [&str; 4]) -> String {
    let mut keys: Vec<String> = Vec::new();
    let mut push = |k: String| {
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    };
    let mut khmer_joined = String::new();
    for name in names {
        for token in
            name.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '(' | ')' | '"' | '|')).filter(|t| !t.is_empty())
        {
            if krousar_match::is_khmer(token) {
                let k = krousar_match::khmer_name_key(token);
                khmer_joined.push_str(&k);
                push(k);
            } else {
                push(krousar_match::plain_key(token));
                push(krousar_match::latin_key(token));
            }
        }
    }
    push(khmer_joined);
    format!(" {}", keys.join(" "))
}

/// `krousar_match::query_terms` as it was (a Khmer word was its Khmer key only).
fn query_terms_v2(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = query
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '(' | ')' | '"' | '|'))
        .filter(|t| !t.is_empty())
        .map(|t| if krousar_match::is_khmer(t) { krousar_match::khmer_name_key(t) } else { krousar_match::latin_key(t) })
        .map(|t| t.replace(['%', '_', '\\'], ""))
        .filter(|t| t.chars().count() >= 2)
        .collect();
    terms.dedup();
    terms.truncate(6);
    terms
}

pub fn place_query_terms(query: &str) -> Vec<String> {
    let terms = query_terms_v2(query);
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
