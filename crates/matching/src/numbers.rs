//! Numbers in names, in one normal form. A village is "Phum 9", "Phum Pram Buon", "ភូមិ៩",
//! "ភូមិប្រាំបួន" or "Phum IX"; "Boeng 75" is also written "Boeng Chet Pram" (spoken Khmer drops
//! សិប "sep" from the tens: ចិតប្រាំ is 75). Every form becomes the digits, so that any of them
//! finds the same place.
//!
//! Numbers are offered as an *alternative* reading of a name, never forced on it: "Thmouy"
//! (ថ្មី "new") ends in what looks like មួយ, and "Pram Minea" is a date. Matching compares a
//! query with both readings of a name and keeps the better one.

/// Romanised Khmer number words (lower case, as `plain_key` makes them) and their values.
/// Units 1–5 and 10 are words; 6–9 are five plus a unit (ប្រាំមួយ "pram muoy" is 6).
const LATIN_UNITS: &[(&str, u32)] = &[
    ("muoy", 1),
    ("muy", 1),
    ("mouy", 1),
    ("muay", 1),
    ("pir", 2),
    ("pii", 2),
    ("pi", 2),
    ("bei", 3),
    ("bey", 3),
    ("buon", 4),
    ("boun", 4),
    ("buan", 4),
    ("bourn", 4),
    ("puon", 4),
    ("pram", 5),
    ("bram", 5),
    ("dab", 10),
    ("dob", 10),
    ("dop", 10),
    ("dap", 10),
    ("dorb", 10),
];

/// Tens 20–90; 30–90 also without "sep" when a unit follows (spoken "chet pram" is 75).
const LATIN_TENS: &[(&str, u32)] = &[
    ("mphey", 20),
    ("mphei", 20),
    ("mphay", 20),
    ("mophey", 20),
    ("maphey", 20),
    ("sam", 30),
    ("sae", 40),
    ("se", 40),
    ("hae", 50),
    ("ha", 50),
    ("hok", 60),
    ("chet", 70),
    ("paet", 80),
    ("pet", 80),
    ("kau", 90),
    ("kao", 90),
];

const LATIN_SEP: &[&str] = &["sep", "sip", "seb", "sab"];

/// Khmer number words, longest first where one starts another.
const KHMER_WORDS: &[(&str, u32)] = &[
    ("សូន្យ", 0),
    ("មួយ", 1),
    ("ពីរ", 2),
    ("បី", 3),
    ("បួន", 4),
    ("ប្រាំ", 5),
    ("ដប់", 10),
    ("ម្ភៃ", 20),
    ("សាមសិប", 30),
    ("សែសិប", 40),
    ("ហាសិប", 50),
    ("ហុកសិប", 60),
    ("ចិតសិប", 70),
    ("ប៉ែតសិប", 80),
    ("កៅសិប", 90),
    ("សាម", 30),
    ("សែ", 40),
    ("ហា", 50),
    ("ហុក", 60),
    ("ចិត", 70),
    ("ប៉ែត", 80),
    ("កៅ", 90),
];

const ROMAN: &[(&str, u32)] = &[
    ("i", 1),
    ("ii", 2),
    ("iii", 3),
    ("iv", 4),
    ("v", 5),
    ("vi", 6),
    ("vii", 7),
    ("viii", 8),
    ("ix", 9),
    ("x", 10),
    ("xi", 11),
    ("xii", 12),
];

fn lookup(table: &[(&str, u32)], word: &str) -> Option<u32> {
    table.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
}

/// Split a joined romanised number ("prammuoy", "dobmuoy", "chetsep") into its words, if the
/// whole token is number words.
fn latin_parts(token: &str) -> Option<Vec<&str>> {
    if token.is_empty() {
        return Some(Vec::new());
    }
    let words = LATIN_UNITS.iter().map(|w| w.0).chain(LATIN_TENS.iter().map(|w| w.0)).chain(LATIN_SEP.iter().copied());
    // Longest word first, so that "mphey" is not read as something shorter.
    let mut fits: Vec<&str> = words.filter(|w| token.starts_with(w)).collect();
    fits.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for w in fits {
        if let Some(mut rest) = latin_parts(&token[w.len()..]) {
            rest.insert(0, &token[..w.len()]);
            return Some(rest);
        }
    }
    None
}

/// The value of a run of number words (already split), or `None` if they do not make a number.
fn value_of(words: &[&str]) -> Option<u32> {
    let mut total = 0u32;
    let mut i = 0;
    let mut last_was_unit = false;
    while i < words.len() {
        let w = words[i];
        if let Some(t) = lookup(LATIN_TENS, w) {
            // A tens word needs "sep" or a following unit, except mphey (20) which stands alone.
            let sep = words.get(i + 1).is_some_and(|n| LATIN_SEP.contains(n));
            let unit_next = words.get(i + 1 + usize::from(sep)).is_some_and(|n| lookup(LATIN_UNITS, n).is_some_and(|v| v < 10));
            if !(sep || unit_next || t == 20) || total != 0 {
                return None;
            }
            total = t;
            i += 1 + usize::from(sep);
            last_was_unit = false;
            continue;
        }
        let v = lookup(LATIN_UNITS, w)?;
        match v {
            10 if total == 0 => total = 10,
            // Five and a unit: "pram buon" is 9.
            1..=4 if last_was_unit && total % 10 == 5 => total += v,
            _ if total.is_multiple_of(10) && v < 10 && !(last_was_unit && total != 0) => total += v,
            _ => return None,
        }
        last_was_unit = v < 10;
        i += 1;
    }
    (i > 0).then_some(total)
}

/// The reading of a romanised name with its number words as digits ("phum pram buon" →
/// "phum 9", "o ta kam i" → "o ta kam 1"), or `None` if it has none. `tokens` are lower-case
/// plain words. A Roman numeral is read only as the last word, never as a name's only word.
pub fn latin_number_reading(tokens: &[String]) -> Option<Vec<String>> {
    let mut read = number_words(tokens)?;
    // The ordinal ទី "ti" before a number is often left out: "Phum Ti Pram" is "Phum Pram".
    let n = read.len();
    if n >= 2 && ORDINAL.contains(&read[n - 2].as_str()) {
        read.remove(n - 2);
    }
    Some(read)
}

/// Ways ទី (the ordinal before a number) is romanised.
const ORDINAL: &[&str] = &["ti", "ty", "tee", "thi"];

fn number_words(tokens: &[String]) -> Option<Vec<String>> {
    let n = tokens.len();
    if n >= 2 && tokens[n - 1].bytes().all(|b| b.is_ascii_digit()) && ORDINAL.contains(&tokens[n - 2].as_str()) {
        return Some(tokens.to_vec());
    }
    // The first run of number words (each possibly joined: "dobmuoy"), longest first; at the
    // end of the name most often ("Phum Pram Buon"), but also inside it ("Boeng Chet Pram
    // Techou").
    for start in 0..n {
        for end in (start + 1..=n).rev() {
            let run: Option<Vec<&str>> = tokens[start..end].iter().map(|t| latin_parts(t)).collect::<Option<Vec<_>>>().map(|v| v.concat());
            if let Some(v) = run.as_deref().and_then(value_of) {
                let mut out = tokens[..start].to_vec();
                out.push(v.to_string());
                out.extend_from_slice(&tokens[end..]);
                return Some(out);
            }
        }
    }
    if n >= 2 {
        if let Some(v) = lookup(ROMAN, &tokens[n - 1]) {
            let mut out = tokens[..n - 1].to_vec();
            out.push(v.to_string());
            return Some(out);
        }
    }
    None
}

/// The reading of a Khmer name with the number words at its end as digits ("ក្រពើពីរ" →
/// "ក្រពើ2"), or `None`. A word written under a coeng is part of a cluster, not a number
/// (ធ្មួយ is not ធ + មួយ).
pub fn khmer_number_reading(name: &str) -> Option<String> {
    let name = crate::fold_digits(name);
    let name = name.trim_end();
    // Digits already: only the ordinal ទី before them can go.
    let digits = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if digits.len() < name.len() {
        let head = digits.trim_end_matches(|c: char| c.is_whitespace() || c == '\u{200B}');
        return head.strip_suffix("ទី").map(|h| format!("{h}{}", &name[digits.len()..]));
    }
    let mut rest = name;
    let mut parts: Vec<u32> = Vec::new();
    'outer: loop {
        for (w, v) in KHMER_WORDS {
            if let Some(head) = rest.strip_suffix(w) {
                if head.ends_with('\u{17D2}') {
                    break 'outer;
                }
                parts.insert(0, *v);
                rest = head.trim_end_matches(|c: char| c.is_whitespace() || c == '\u{200B}');
                continue 'outer;
            }
        }
        break;
    }
    if parts.is_empty() {
        return None;
    }
    // Khmer words: [tens] [5] [unit] or 10 [unit].
    let mut total = 0;
    for (i, v) in parts.iter().enumerate() {
        match v {
            20..=90 | 10 if i == 0 => total = *v,
            0..=5 if total.is_multiple_of(10) => total += v,
            1..=4 if total % 10 == 5 && i > 0 && parts[i - 1] == 5 => total += v,
            _ => return None,
        }
    }
    // A tens word without សិប needs a unit after it (ចិតប្រាំ), as in the romanised reading.
    if parts.len() == 1
        && (30..=90).contains(&total)
        && !KHMER_WORDS.iter().any(|(w, v)| *v == total && w.ends_with("សិប") && name.ends_with(w))
    {
        return None;
    }
    let rest = rest.strip_suffix("ទី").unwrap_or(rest);
    Some(format!("{rest}{total}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Option<String> {
        let t: Vec<String> = s.split_whitespace().map(str::to_string).collect();
        latin_number_reading(&t).map(|v| v.join(" "))
    }

    #[test]
    fn romanised_numbers() {
        assert_eq!(read("phum pram buon").as_deref(), Some("phum 9"));
        assert_eq!(read("rumchek bei").as_deref(), Some("rumchek 3"));
        assert_eq!(read("o ta kam i").as_deref(), Some("o ta kam 1"));
        assert_eq!(read("boeng chet pram").as_deref(), Some("boeng 75"));
        assert_eq!(read("boeng chetsep pram").as_deref(), Some("boeng 75"));
        assert_eq!(read("andaeuk dobmuoy").as_deref(), Some("andaeuk 11"));
        assert_eq!(read("phlov pram muoy").as_deref(), Some("phlov 6"));
        assert_eq!(read("phum mphey pir").as_deref(), Some("phum 22"));
        assert_eq!(read("kandal muoy").as_deref(), Some("kandal 1"));
        assert_eq!(read("phum muoy").as_deref(), Some("phum 1"));
        assert_eq!(read("thma dab").as_deref(), Some("thma 10"));
        assert_eq!(read("phum ti pram").as_deref(), Some("phum 5"));
        assert_eq!(read("pnov ti 1").as_deref(), Some("pnov 1"));
        // Not numbers.
        assert_eq!(read("boeng thmouy"), None);
        assert_eq!(read("chet"), None);
        assert_eq!(read("i"), None);
        assert_eq!(read("sam"), None);
        assert_eq!(read("pram pram").as_deref(), Some("5 pram"));
        assert_eq!(read("boeng chet pram techou").as_deref(), Some("boeng 75 techou"));
    }

    #[test]
    fn khmer_numbers() {
        assert_eq!(khmer_number_reading("ក្រពើពីរ").as_deref(), Some("ក្រពើ2"));
        assert_eq!(khmer_number_reading("ផ្លូវប្រាំមួយ").as_deref(), Some("ផ្លូវ6"));
        assert_eq!(khmer_number_reading("អណ្ដើកដប់មួយ").as_deref(), Some("អណ្ដើក11"));
        assert_eq!(khmer_number_reading("បឹងចិតប្រាំ").as_deref(), Some("បឹង75"));
        assert_eq!(khmer_number_reading("អណ្ដូង ពីរ").as_deref(), Some("អណ្ដូង2"));
        assert_eq!(khmer_number_reading("បឹងធ្មួយ"), None);
        assert_eq!(khmer_number_reading("ភូមិទីប្រាំ").as_deref(), Some("ភូមិ5"));
        assert_eq!(khmer_number_reading("ភូមិទី៥").as_deref(), Some("ភូមិ5"));
        assert_eq!(khmer_number_reading("មួយ").as_deref(), Some("1"));
    }
}
