//! Khmer script keys. Never used for display: only to compare.

const COENG: char = '\u{17D2}';
const RO: char = '\u{179A}';
const DA: char = '\u{178A}';
const TA: char = '\u{178F}';

pub fn is_khmer(s: &str) -> bool {
    s.chars().any(|c| ('\u{1780}'..='\u{17FF}').contains(&c) || ('\u{19E0}'..='\u{19FF}').contains(&c))
}

/// Khmer digits ០–៩ as ASCII digits.
pub fn fold_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{17E0}'..='\u{17E9}' => char::from(b'0' + (c as u32 - 0x17E0) as u8),
            _ => c,
        })
        .collect()
}

/// Order of dependent marks after a base and its subscripts, as Khmer normalisers (e.g. SIL's
/// khnormal) use: register shifters, robat, vowels, then signs.
fn mark_rank(c: char) -> Option<u8> {
    match c {
        '\u{17C9}' | '\u{17CA}' => Some(1),
        '\u{17CC}' => Some(2),
        '\u{17B6}'..='\u{17C5}' => Some(3),
        '\u{17C6}'..='\u{17C8}' | '\u{17CB}' | '\u{17CD}'..='\u{17D1}' | '\u{17D3}' | '\u{17DD}' => Some(4),
        _ => None,
    }
}

/// The comparison key of Khmer text.
pub fn khmer_key(s: &str) -> String {
    // 1. Drop invisible and spacing characters; fold digits and look-alike independent vowels.
    let mut chars: Vec<char> = Vec::with_capacity(s.len());
    for c in fold_digits(s).chars() {
        match c {
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' => {}
            c if c.is_whitespace() => {}
            '\u{17A3}' => chars.push('\u{17A2}'),
            '\u{17A4}' => chars.extend(['\u{17A2}', '\u{17B6}']),
            '\u{17B4}' | '\u{17B5}' => {} // inherent vowels: invisible, deprecated
            c if c.is_ascii_alphabetic() => chars.push(c.to_ascii_lowercase()),
            c => chars.push(c),
        }
    }
    // 2. Subscript DA and TA look the same; fold to TA.
    for i in 1..chars.len() {
        if chars[i - 1] == COENG && chars[i] == DA {
            chars[i] = TA;
        }
    }
    // 3. In each run of subscripts, put subscript RO last; then sort the dependent marks.
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == COENG && i + 1 < chars.len() {
            let mut pairs: Vec<[char; 2]> = Vec::new();
            while i + 1 < chars.len() && chars[i] == COENG {
                pairs.push([COENG, chars[i + 1]]);
                i += 2;
            }
            pairs.sort_by_key(|p| p[1] == RO);
            out.extend(pairs.into_iter().flatten());
            continue;
        }
        if mark_rank(chars[i]).is_some() {
            let start = i;
            while i < chars.len() && mark_rank(chars[i]).is_some() {
                i += 1;
            }
            let mut marks = chars[start..i].to_vec();
            marks.sort_by_key(|&c| mark_rank(c));
            out.extend(marks);
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out.into_iter().collect()
}

/// The dependent vowels people confuse when typing names, folded to one (ិ). Only for names
/// (search keys and duplicate matching), never for `khmer_key` itself, whose values also make
/// import ids that must not change. Why each (docs/decisions.md, "Khmer vowel folding"):
/// - ី (U+17B8) / ឹ (U+17B9): the two glyphs differ by one small stroke on top and the name
///   Kim is written both គឹម and គីម (issue 21, item 6: a worker's search missed a child).
/// - ិ (U+17B7) / ី (U+17B8): the short and long i, alike in shape (ី only adds a tail); in
///   names of Pali or Sanskrit origin the final vowel is written either way (ឫទ្ធិ / ឫទ្ធី,
///   Rithy; ធិតា / ធីតា, Thida), and people "write the same way we speak" rather than look
///   names up (Danh Hong, Khmer Times, "To right wrong spellings").
/// - ឹ (U+17B9) / ឺ (U+17BA): the short and long of one vowel, ឺ being ឹ with one more stroke.
///
/// Sound-alike spellings being the commonest Khmer spelling error is what Chea, Top and Ros's
/// "Khmer Common Expression" (homophonous error correction) and Buoy, Taing and Chenda's
/// "Khmer Word Search" (2021) build on. Left out on purpose: ុ/ូ, ួ/ូ, ើ/ឿ, ៀ/ឿ, whose sounds
/// and shapes are distinct enough that folding them would join different names.
pub fn fold_name_vowel(c: char) -> char {
    match c {
        '\u{17B8}' | '\u{17B9}' | '\u{17BA}' => '\u{17B7}',
        c => c,
    }
}

/// The comparison key of a Khmer *name*: `khmer_key` with the confusable vowels folded. The
/// fold keeps each mark's rank, so the key stays in `khmer_key`'s order and is its own key.
pub fn khmer_name_key(s: &str) -> String {
    khmer_key(s).chars().map(fold_name_vowel).collect()
}
