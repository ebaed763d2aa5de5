//! Normalisation of Khmer-script and romanised names for search and matching.
//!
//! Khmer is written without spaces between words and is romanised in many ways (Sok/Sokh,
//! Srey/Srei, Preaek/Prek, Trapeang/Trapang). Search compares *keys*, never the text shown: the
//! Khmer key removes invisible characters, folds digits and look-alike letters and puts marks in
//! one order; the Latin key folds spelling variants into one phonetic skeleton.

mod case_number;
pub mod elsewhere;
pub mod forms;
mod khmer;
mod latin;
pub mod numbers;
pub mod person;
pub mod place;
pub mod place_index;
pub mod romanise;
mod similar;

pub use case_number::{parse_search, CaseNumber, Search};
pub use khmer::{fold_digits, fold_name_vowel, is_khmer, khmer_key, khmer_name_key};
pub use latin::{latin_key, plain_key};
pub use romanise::romanise;

/// The version of the keys `name_keys` and `query_terms` make. Bump it whenever they change:
/// a store compares it with the version its saved keys were made with and rebuilds them.
/// 2: Khmer names fold the confusable vowels (`fold_name_vowel`).
/// 3: Khmer names are also indexed under the key of their romanisation (cross-script search).
pub const KEYS_VERSION: i64 = 4;

/// The search keys of a record's names, space-separated, for a substring (trigram) index.
/// Khmer names also get their space-free form, because people type them with or without a
/// space between family and given name.
pub fn name_keys<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut keys: Vec<String> = Vec::new();
    let mut push = |k: String| {
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    };
    let mut khmer_joined = String::new();
    for name in names {
        for token in tokens(name) {
            if is_khmer(token) {
                let k = khmer_name_key(token);
                khmer_joined.push_str(&k);
                push(k);
                // A romanised query finds a name written only in Khmer (the romaniser's
                // reading), word by word as a romanised name is keyed.
                for word in romanise(token).split_whitespace() {
                    push(latin_key(word));
                }
                push(person::romanised_key(token));
            } else {
                push(plain_key(token));
                push(latin_key(token));
            }
        }
        // A romanised name written in two words ("Srey Pov") is also keyed as one
        // ("Sreypov"), as another office may write it (`joined_latin_key`).
        if let Some(joined) = joined_latin_key(name) {
            push(joined);
        }
    }
    push(khmer_joined);
    // Every key starts after a space, so a short term can be matched as the start of a word.
    format!(" {}", keys.join(" "))
}

/// The key of a romanised name of several words written as one ("Srey Pov" as "Sreypov"):
/// Khmer names are written without spaces, so where a romanisation breaks them is a habit of
/// whoever typed it. `None` for a name of one word, or one in Khmer script.
pub fn joined_latin_key(name: &str) -> Option<String> {
    let words: Vec<&str> = tokens(name).filter(|t| !is_khmer(t)).flat_map(|t| t.split('-')).filter(|t| !t.is_empty()).collect();
    (words.len() >= 2).then(|| latin_key(&words.concat())).filter(|k| k.chars().count() >= 3)
}

/// Separates the alternatives of one query term (`query_terms`): a record has the term when its
/// keys contain any of them.
pub const OR: char = '\u{1F}';

/// The alternatives of a query term.
pub fn alternatives(term: &str) -> impl Iterator<Item = &str> {
    term.split(OR).filter(|a| !a.is_empty())
}

/// Whether a record's keys (`name_keys`) have a query term (any of its alternatives).
pub fn term_matches(keys: &str, term: &str) -> bool {
    alternatives(term).any(|a| keys.contains(&term_pattern(a)))
}

/// The terms of a search query; a record matches when its keys have every term. A Khmer word
/// is its Khmer key *or* the key of its romanisation, so that it also finds a name written only
/// in Latin letters (and Khmer names, which are indexed under their romanisation too).
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = tokens(query)
        .map(|t| {
            if !is_khmer(t) {
                return latin_key(t);
            }
            let (key, romanised) = (khmer_name_key(t), person::romanised_key(t));
            if romanised.chars().count() >= 3 {
                format!("{key}{OR}{romanised}")
            } else {
                key
            }
        })
        // LIKE wildcards never belong to a name; dropping them keeps patterns literal.
        .map(|t| t.replace(['%', '_', '\\'], ""))
        // One letter says too little to search on (and no trigram index can use it); a word of
        // punctuation only ("--", "');") leaves nothing to look for, and an empty term would be
        // an empty OR (a syntax error on PostgreSQL, "matches nothing" on SQLite).
        .filter(|t| alternatives(t).next().is_some() && alternatives(t).all(|a| a.chars().count() >= 2))
        .collect();
    terms.dedup();
    terms.truncate(6);
    terms
}

/// What to look for in a record's keys for one query term: the term itself, or for a term of
/// two characters (Ly, Dy, Ny are whole family names) the start of a word, so that the pattern
/// has the three characters a trigram index needs.
pub fn term_pattern(term: &str) -> String {
    if term.chars().count() < 3 {
        format!(" {term}")
    } else {
        term.to_string()
    }
}

/// Words of a name or query: split on whitespace and punctuation that never belongs to a name.
/// Zero-width spaces are not separators: inside Khmer they only mark possible line breaks.
fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '(' | ')' | '"' | '|')).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests;
