//! Name normalisers and search terms, on any text (names typed, pasted or imported): no
//! panic, keys are stable when applied again, and a search pattern never lets the text's own
//! `%` or `_` act as a wildcard.
#![no_main]
use krousar_match::{fold_digits, khmer_key, latin_key, name_keys, plain_key, query_terms, term_pattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let k = khmer_key(s);
    assert_eq!(khmer_key(&k), k, "khmer_key is idempotent");
    let l = latin_key(s);
    assert_eq!(latin_key(&l), l, "latin_key is idempotent");
    let p = plain_key(s);
    assert_eq!(plain_key(&p), p, "plain_key is idempotent");
    let _ = fold_digits(s);
    let _ = name_keys([s, s]);
    for term in query_terms(s) {
        let pattern = term_pattern(&term);
        let unescaped = pattern.trim_matches('%').replace("\\\\", "").replace("\\%", "").replace("\\_", "");
        assert!(!unescaped.contains('%') && !unescaped.contains('_'), "{term:?} → {pattern:?}");
    }
});
