//! The written forms of one name that ranked matching compares: its romanised spelling as
//! plain letters and as a phonetic key, its Khmer key, each also with its numbers as digits,
//! and for a Khmer name its machine romanisation (so that a Latin query finds a name recorded
//! only in Khmer, and a Khmer query one recorded only in Latin letters).

use crate::numbers::{khmer_number_reading, latin_number_reading};
use crate::similar::{similarity, Spelled};
use crate::{is_khmer, khmer_name_key, latin_key, plain_key};

/// One form, ready to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub khmer: bool,
    /// Plain letters and digits without spaces (Latin), or the Khmer name key.
    pub text: Vec<char>,
    /// The phonetic key of each word, joined (Latin only).
    pub key: Vec<char>,
    /// Where each word ends in `text` and in `key`.
    pub text_ends: Vec<u16>,
    pub key_ends: Vec<u16>,
    /// Made by the romaniser from Khmer script: less sure than a spelling someone wrote.
    pub machine: bool,
}

/// Words of a romanised name, lower case plain ("Pra'uol Tuek" → ["prauol", "tuek"]).
pub fn latin_words(name: &str) -> Vec<String> {
    name.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '(' | ')' | '-' | '.' | '"' | '|'))
        .map(plain_key)
        .filter(|w| !w.is_empty())
        .collect()
}

fn latin_form(words: &[String], machine: bool) -> Form {
    let (mut text, mut key, mut text_ends, mut key_ends) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for w in words {
        text.extend(w.chars());
        text_ends.push(text.len() as u16);
        for c in latin_key(w).chars() {
            // A vowel ending one word and starting the next are one run, as in a joined spelling.
            if !(c == 'a' && key.last() == Some(&'a')) {
                key.push(c);
            }
        }
        key_ends.push(key.len() as u16);
    }
    // A word whose key joined the one before leaves an empty span: drop repeated ends.
    key_ends.dedup();
    Form { khmer: false, text, key, text_ends, key_ends, machine }
}

/// The forms of a romanised name given as words: as written and with its numbers as digits.
pub fn latin_forms(words: &[String], machine: bool, out: &mut Vec<Form>) {
    if words.is_empty() {
        return;
    }
    push(out, latin_form(words, machine));
    if let Some(read) = latin_number_reading(words) {
        push(out, latin_form(&read, machine));
    }
}

/// The forms of a Khmer name: its key, its key with numbers as digits, and its romanisation.
pub fn khmer_forms(name: &str, out: &mut Vec<Form>) {
    let mut readings = vec![name.to_string()];
    if let Some(read) = khmer_number_reading(name) {
        readings.push(read);
    }
    for r in &readings {
        let text: Vec<char> = khmer_name_key(r).chars().filter(|c| !c.is_whitespace()).collect();
        if !text.is_empty() {
            let end = vec![text.len() as u16];
            push(out, Form { khmer: true, key: Vec::new(), text, text_ends: end, key_ends: Vec::new(), machine: false });
        }
    }
    let romanised = latin_words(&crate::romanise::romanise(name));
    latin_forms(&romanised, true, out);
}

fn push(out: &mut Vec<Form>, f: Form) {
    if !f.text.is_empty() && !out.contains(&f) {
        out.push(f);
    }
}

/// The forms of a name in either script.
pub fn forms_of(name: &str) -> Vec<Form> {
    let mut out = Vec::new();
    if is_khmer(name) {
        khmer_forms(name, &mut out);
    } else {
        latin_forms(&latin_words(name), false, &mut out);
    }
    out
}

/// How a query form matches a name form: the whole name, and the name as the query's beginning
/// (type-ahead). `None` across scripts.
pub fn compare<'a>(q: &'a Form, c: &'a Form) -> Option<(f64, f64)> {
    if q.khmer != c.khmer {
        return None;
    }
    let text = |f: &'a Form| Spelled { chars: &f.text, word_ends: &f.text_ends };
    let key = |f: &'a Form| Spelled { chars: &f.key, word_ends: &f.key_ends };
    let (whole, prefix) = if q.khmer {
        similarity(text(q), text(c))
    } else {
        // Spelling and phonetic key each count half: the key forgives the vowels and digraphs
        // that romanisations disagree on, the spelling tells apart names the key folds together.
        let (tw, tp) = similarity(text(q), text(c));
        let (kw, kp) = similarity(key(q), key(c));
        ((tw + kw) / 2.0, (tp + kp) / 2.0)
    };
    // A romanisation made by machine is a weaker witness than a written one.
    let discount = if q.machine || c.machine { 0.97 } else { 1.0 };
    Some((whole * discount, prefix * discount))
}

/// The best match between any form of a query and any form of a name: (whole, prefix). A
/// machine romanisation is compared only where the two share no written script: a Khmer query
/// against a name recorded only in Latin letters, or the reverse.
pub fn best(query: &[Form], name: &[Form]) -> (f64, f64) {
    let mut best = (0.0f64, 0.0f64);
    let written = |forms: &[Form], khmer: bool| forms.iter().any(|f| !f.machine && f.khmer == khmer);
    let shared = [true, false].into_iter().any(|k| written(query, k) && written(name, k));
    for q in query.iter().filter(|f| !(shared && f.machine)) {
        // A name's own romanisation stays a second witness for a romanised query.
        for c in name.iter().filter(|f| !(shared && f.machine && q.machine)) {
            if let Some((w, p)) = compare(q, c) {
                best.0 = best.0.max(w);
                best.1 = best.1.max(p);
            }
        }
    }
    best
}

/// A first, cheaper look for a long list of candidates: the phonetic key alone (Khmer text
/// for Khmer), whole or as a beginning, so that only the most likely are compared in full.
/// A beginning counts `prefix_weight` of a whole: among fifty names that all begin
/// "Trapeang", the one that is "Trapeang Khan" whole must not lose its place to code order.
pub fn quick(query: &[Form], name: &[Form], prefix_weight: f64) -> f64 {
    let mut best = 0.0f64;
    for q in query {
        for c in name.iter().filter(|c| c.khmer == q.khmer && !(c.machine && q.machine)) {
            let (a, b) = if q.khmer {
                (Spelled { chars: &q.text, word_ends: &q.text_ends }, Spelled { chars: &c.text, word_ends: &c.text_ends })
            } else {
                (Spelled { chars: &q.key, word_ends: &q.key_ends }, Spelled { chars: &c.key, word_ends: &c.key_ends })
            };
            let (w, p) = similarity(a, b);
            best = best.max(w).max(p * prefix_weight);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(q: &str, c: &str) -> f64 {
        best(&forms_of(q), &forms_of(c)).0
    }

    #[test]
    fn numbers_in_any_form_match() {
        assert_eq!(score("Phum Pram Buon", "Phum 9"), 1.0);
        assert_eq!(score("Rumchek Bei", "Rumchek 3"), 1.0);
        assert!(score("Rumchek Bei", "Rumchek 3") > score("Rumchek Bei", "Rumchek 4"));
        assert_eq!(score("ក្រពើ២", "ក្រពើពីរ"), 1.0);
    }

    #[test]
    fn joins_and_splits_do_not_matter() {
        assert_eq!(score("Pra Uol Tuek", "Pra'uol Tuek"), 1.0);
        assert!(score("Kaoh Ta Kouv", "Kaoh Ta Kov") > score("Kaoh Ta Kouv", "Kaoh Ta Kaev"));
    }
}
