//! Keys for romanised Khmer. The same Khmer name is written Sok or Sokh, Srey or Srei, Chhun or
//! Chun, Vanna or Wanna, Preaek or Prek, Siem Reab or Siem Reap, Oddar or Ottar: vowels are
//! romanised most inconsistently, so the
//! phonetic key keeps the consonant skeleton and marks each run of vowels with a single `a`.

use unicode_normalization::UnicodeNormalization;

/// Lower case ASCII letters and digits only, accents removed: "Mongkol-Borei" → "mongkolborei".
pub fn plain_key(s: &str) -> String {
    // Ligatures of the UNGEGN romanisation (Tœ̆k) have no decomposition: spell them out first.
    let s = s.replace(['œ', 'Œ'], "oe").replace(['æ', 'Æ'], "ae");
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The phonetic key of a romanised word: a key is its own key. One pass of folding can make a
/// new digraph of what it collapsed ("tthh" → "th", found by the `name_keys` fuzz target), so
/// the folding is repeated until it settles (a second pass changes nothing for real names).
pub fn latin_key(s: &str) -> String {
    // After the first pass a pass that changes anything shortens the key (a digraph, a vowel
    // run or a silent h goes), so it settles within its length; a fixed cap was not enough for
    // a chain of silent h's each hiding a y ("wahhyhhy…", found by fuzzing).
    let mut key = fold_once(s);
    for _ in 0..key.len() + 2 {
        let again = fold_once(&key);
        if again == key {
            break;
        }
        key = again;
    }
    key
}

fn fold_once(s: &str) -> String {
    let plain = plain_key(s).into_bytes();
    // Consonant digraphs and look-alike letters first.
    let mut folded: Vec<u8> = Vec::with_capacity(plain.len());
    let mut i = 0;
    while i < plain.len() {
        let rest = &plain[i..];
        let (out, used): (&[u8], usize) = if rest.starts_with(b"chh") {
            (b"c", 3)
        } else if rest.starts_with(b"ch") {
            (b"c", 2)
        } else if rest.starts_with(b"kh") {
            (b"k", 2)
        } else if rest.starts_with(b"th") {
            (b"t", 2)
        } else if rest.starts_with(b"ph") {
            (b"p", 2)
        } else if rest.starts_with(b"gn") || rest.starts_with(b"nh") {
            (b"n", 2)
        } else if rest.starts_with(b"dt") {
            (b"t", 2)
        } else if rest[0] == b'w' {
            (b"v", 1)
        } else if rest[0] == b'j' {
            (b"c", 1)
        } else if rest[0] == b'd' {
            // ដ and ត: written d or t (Oddar / Ottar, Battambang / Batdambang).
            (b"t", 1)
        } else {
            (&rest[..1], 1)
        };
        folded.extend_from_slice(out);
        i += used;
    }
    // 'y' after a vowel or at the end of a word is a vowel (Srey, Sry); elsewhere a consonant.
    let n = folded.len();
    for j in 0..n {
        if folded[j] == b'y' && j > 0 && (is_vowel(folded[j - 1]) || j == n - 1) {
            folded[j] = b'i';
        }
    }
    // At the end of a word: b is heard as p (Siem Reab / Siem Reap), and v or w after a vowel
    // is a vowel (Takev / Takeo).
    if n > 1 {
        match folded[n - 1] {
            b'b' => folded[n - 1] = b'p',
            b'v' if is_vowel(folded[n - 2]) => folded[n - 1] = b'o',
            _ => {}
        }
    }
    // An 'h' after a vowel and before a consonant or the end is silent (Neah, Oh).
    let mut key: Vec<u8> = Vec::with_capacity(n);
    for j in 0..n {
        let c = folded[j];
        if c == b'h' && j > 0 && is_vowel(folded[j - 1]) && folded.get(j + 1).is_none_or(|&d| !is_vowel(d)) {
            continue;
        }
        let mapped = if is_vowel(c) { b'a' } else { c };
        // Runs of vowels and doubled consonants collapse to one.
        if key.last() == Some(&mapped) && (mapped == b'a' || !mapped.is_ascii_digit()) {
            continue;
        }
        key.push(mapped);
    }
    String::from_utf8(key).expect("ASCII")
}
