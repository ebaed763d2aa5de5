//! Per-letter romanisations for `romanise`: consonants as onset and as coda, their series, the
//! independent vowels and the dependent vowels by series, after UNGEGN / BGN-PCGN (1972) as the
//! NCDD gazetteer writes them, without diacritics.

/// The two series (registers) of Khmer consonants; a dependent vowel is read by the series of
/// the consonant it is written on. Only the vowel's spelling depends on it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Series {
    A,
    O,
}

/// A consonant at the start of a syllable, and its series.
pub(super) fn onset(c: char) -> Option<(&'static str, Series)> {
    use Series::{A, O};
    Some(match c {
        'ក' => ("k", A),
        'ខ' => ("kh", A),
        'គ' => ("k", O),
        'ឃ' => ("kh", O),
        'ង' => ("ng", O),
        'ច' => ("ch", A),
        'ឆ' => ("chh", A),
        'ជ' => ("ch", O),
        'ឈ' => ("chh", O),
        'ញ' => ("nh", O),
        'ដ' => ("d", A),
        'ឋ' => ("th", A),
        'ឌ' => ("d", O),
        'ឍ' => ("th", O),
        'ណ' => ("n", A),
        'ត' => ("t", A),
        'ថ' => ("th", A),
        'ទ' => ("t", O),
        'ធ' => ("th", O),
        'ន' => ("n", O),
        'ប' => ("b", A),
        'ផ' => ("ph", A),
        'ព' => ("p", O),
        'ភ' => ("ph", O),
        'ម' => ("m", O),
        'យ' => ("y", O),
        'រ' => ("r", O),
        'ល' => ("l", O),
        'វ' => ("v", O),
        'ឝ' | 'ឞ' | 'ស' => ("s", A),
        'ហ' => ("h", A),
        'ឡ' => ("l", A),
        'អ' => ("", A),
        _ => return None,
    })
}

/// A consonant closing a syllable: final អ is silent, final ប is written b.
pub(super) fn coda(c: char) -> &'static str {
    match c {
        'អ' => "",
        'ឆ' | 'ឈ' => "ch",
        c => onset(c).map_or("", |(s, _)| s),
    }
}

/// Sonorants: in a cluster led by one, the series is the following consonant's (ល្ខោន lkhaon).
pub(super) fn is_sonorant(c: char) -> bool {
    matches!(c, 'ង' | 'ញ' | 'ណ' | 'ន' | 'ម' | 'យ' | 'រ' | 'ល' | 'វ' | 'អ')
}

/// A cluster that cannot start a syllable: a nasal and a consonant (ន្ទ, ណ្ដ, ង្គ, ញ្ច, ម្ព), so
/// its nasal closes the syllable before it, and the consonant before that is an open syllable
/// (ក + ណ្ដា + ល, kandal). ម with a sonorant or ភ does start one (ម្រះ mreah, ម្ភៃ mphey).
pub(super) fn splits(base: char, first_sub: char) -> bool {
    match base {
        'ង' | 'ញ' | 'ណ' | 'ន' => true,
        'ម' => matches!(first_sub, 'ប' | 'ព'),
        _ => false,
    }
}

/// Where a consonant is articulated, for stops (0 velar, 1 palatal, 2 dental and retroflex,
/// 3 labial); `None` for nasals and the rest.
pub(super) fn stop_place(c: char) -> Option<u8> {
    match c {
        'ក' | 'ខ' | 'គ' | 'ឃ' => Some(0),
        'ច' | 'ឆ' | 'ជ' | 'ឈ' => Some(1),
        'ដ' | 'ឋ' | 'ឌ' | 'ឍ' | 'ត' | 'ថ' | 'ទ' | 'ធ' => Some(2),
        'ប' | 'ផ' | 'ព' | 'ភ' => Some(3),
        _ => None,
    }
}

/// An independent vowel: its romanisation, and whether it leaves the syllable open for a coda.
pub(super) fn independent(c: char) -> Option<&'static str> {
    Some(match c {
        'ឣ' => "a",
        'ឤ' => "a",
        'ឥ' => "e",
        'ឦ' => "ei",
        'ឧ' => "o",
        'ឨ' | 'ឩ' => "ou",
        'ឪ' => "ov",
        'ឫ' | 'ឬ' => "rue",
        'ឭ' | 'ឮ' => "lue",
        'ឯ' => "ae",
        'ឰ' => "ai",
        'ឱ' | 'ឲ' => "ao",
        'ឳ' => "au",
        _ => return None,
    })
}

/// The romanisation of a syllable's vowel: the dependent vowel signs written on one consonant
/// (with nikahit ំ, reahmuk ះ, yuukaleapintu ៈ and samyok sannya ័), read in `series`. `None`
/// for the inherent vowel (no sign). The bool says the vowel already closes the syllable.
pub(super) fn vowel(signs: &str, series: Series) -> (&'static str, bool) {
    let a = series == Series::A;
    let pick = |x: &'static str, y: &'static str| if a { x } else { y };
    // Closing signs first: the vowel with nikahit or reahmuk.
    if let Some(v) = signs.strip_suffix('ំ') {
        let s = match v {
            "" => pick("am", "um"),
            "ា" => pick("am", "oam"),
            "ុ" => pick("om", "um"),
            "ិ" => pick("em", "im"),
            "េ" => "em",
            "ោ" => pick("aom", "oum"),
            _ => pick("am", "um"),
        };
        return (s, true);
    }
    if let Some(v) = signs.strip_suffix('ះ').or_else(|| signs.strip_suffix('ៈ')) {
        let s = match v {
            "" => pick("ah", "eah"),
            "ា" => pick("ah", "eah"),
            "ិ" => pick("eh", "ih"),
            "ុ" => pick("oh", "uh"),
            "េ" => "eh",
            "ែ" => "aeh",
            "ោ" => pick("aoh", "uoh"),
            "ៀ" => "ieh",
            "ឹ" => pick("oeh", "ueh"),
            _ => pick("ah", "eah"),
        };
        return (s, true);
    }
    let s = match signs {
        "ា" => pick("a", "ea"),
        "ិ" => pick("e", "i"),
        "ី" => pick("ei", "i"),
        "ឹ" => pick("oe", "ue"),
        "ឺ" => pick("oeu", "eu"),
        "ុ" => pick("o", "u"),
        "ូ" => pick("ou", "u"),
        "ួ" => "uo",
        "ើ" => pick("aeu", "eu"),
        "ឿ" => "oea",
        "ៀ" => "ie",
        "េ" => "e",
        "ែ" => "ae",
        "ៃ" => pick("ai", "ey"),
        "ោ" => pick("ao", "ou"),
        "ៅ" => pick("au", "ov"),
        "័" => pick("a", "oa"),
        "ិ័" | "័ិ" => pick("e", "i"),
        _ => pick("a", "o"),
    };
    (s, false)
}
