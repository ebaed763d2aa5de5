//! Is this the same child? A score from 0 to 1 for two records, with the fields that agree and
//! differ, so a worker sees why two records were put side by side.
//!
//! Names count most: Khmer script compared on Khmer keys, romanisations on phonetic keys, each
//! allowing family and given name in either order; Jaro–Winkler similarity on the keys absorbs a
//! typo that the keys do not fold. Sex must agree; a birth date or an estimated year agrees within
//! a tolerance; the same village, commune, district or province adds evidence.

use crate::{is_khmer, khmer_name_key, latin_key};
use strsim::jaro_winkler;

/// What is known of a person for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub family_km: Option<String>,
    pub given_km: Option<String>,
    pub family_latin: Option<String>,
    pub given_latin: Option<String>,
    pub female: Option<bool>,
    /// Exact date of birth (`YYYY-MM-DD`) if known.
    pub birth_date: Option<String>,
    /// Year of birth, exact or estimated.
    pub birth_year: Option<i32>,
    /// 8-digit village code, if known.
    pub village: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    Same,
    Close,
    Different,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub score: f64,
    pub name: Agreement,
    pub sex: Agreement,
    pub birth: Agreement,
    pub place: Agreement,
}

/// Candidates at or above this score are shown as possible duplicates.
pub const THRESHOLD: f64 = 0.75;

fn keys(family: &Option<String>, given: &Option<String>, key: fn(&str) -> String) -> Option<(String, String)> {
    let k = |v: &Option<String>| v.as_deref().map(|s| s.split_whitespace().map(key).collect::<Vec<_>>().join("")).unwrap_or_default();
    let (f, g) = (k(family), k(given));
    (!f.is_empty() || !g.is_empty()).then_some((f, g))
}

/// How alike two name keys are: Jaro–Winkler (which favours a shared beginning) and the
/// weighted edit distance of ranked place matching (which forgives the letters romanisations
/// disagree on), each counting half.
fn key_similarity(x: &str, y: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (x.chars().collect(), y.chars().collect());
    let (ea, eb) = ([a.len() as u16], [b.len() as u16]);
    let (edit, _) = crate::similar::similarity(
        crate::similar::Spelled { chars: &a, word_ends: &ea },
        crate::similar::Spelled { chars: &b, word_ends: &eb },
    );
    (jaro_winkler(x, y) + edit) / 2.0
}

/// Similarity of two (family, given) key pairs, in either order of the second.
fn pair_similarity(a: &(String, String), b: &(String, String)) -> f64 {
    let sim = |x: &str, y: &str| if x.is_empty() || y.is_empty() { None } else { Some(key_similarity(x, y)) };
    let straight = [sim(&a.0, &b.0), sim(&a.1, &b.1)];
    let swapped = [sim(&a.0, &b.1), sim(&a.1, &b.0)];
    let mean = |v: [Option<f64>; 2]| {
        let known: Vec<f64> = v.into_iter().flatten().collect();
        if known.is_empty() {
            None
        } else {
            Some(known.iter().sum::<f64>() / known.len() as f64)
        }
    };
    // A name written in one word ("Sokdara") against two ("Sok Dara").
    let joined = sim(&format!("{}{}", a.0, a.1), &format!("{}{}", b.0, b.1));
    [mean(straight), mean(swapped).map(|s| s - 0.02), joined.map(|s| s - 0.03)].into_iter().flatten().fold(0.0, f64::max)
}

fn khmer_only(s: &str) -> String {
    if is_khmer(s) {
        khmer_name_key(s)
    } else {
        String::new()
    }
}

fn plain_only(s: &str) -> String {
    if is_khmer(s) {
        String::new()
    } else {
        crate::plain_key(s)
    }
}

fn latin_only(s: &str) -> String {
    if is_khmer(s) {
        String::new()
    } else {
        latin_key(s)
    }
}

/// A person with the name keys matching compares, computed once: a new child is compared with
/// hundreds of candidates, and folding names into keys was half the scoring.
#[derive(Debug, Clone)]
pub struct Keyed<'a> {
    pub person: &'a Person,
    km: Option<(String, String)>,
    latin: Option<(String, String)>,
    /// The Khmer names' machine romanisation, keyed: compared with a romanised name when the
    /// two records share no script.
    romanised: std::cell::OnceCell<Option<(String, String)>>,
    /// The romanised names as plain letters: among names whose keys agree, the one spelled
    /// most alike comes first.
    plain: Option<(String, String)>,
    /// The machine romanisation as plain letters, for the same use across scripts.
    romanised_plain: std::cell::OnceCell<Option<(String, String)>>,
}

/// The phonetic key of a Khmer name's romanisation ("សុខ" → the key of "sok").
pub fn romanised_key(s: &str) -> String {
    if is_khmer(s) {
        crate::romanise(s).split_whitespace().map(latin_key).collect()
    } else {
        String::new()
    }
}

impl<'a> Keyed<'a> {
    pub fn new(person: &'a Person) -> Keyed<'a> {
        Keyed {
            person,
            km: keys(&person.family_km, &person.given_km, khmer_only),
            latin: keys(&person.family_latin, &person.given_latin, latin_only),
            plain: keys(&person.family_latin, &person.given_latin, plain_only),
            // Romanising is needed only when two records share no script: made on first use.
            romanised: Default::default(),
            romanised_plain: Default::default(),
        }
    }

    /// The keys of the romanisation of the Khmer names, if the person has a Khmer name.
    pub fn romanised_keys(&self) -> &Option<(String, String)> {
        self.romanised.get_or_init(|| keys(&self.person.family_km, &self.person.given_km, romanised_key))
    }

    fn romanised_plain(&self) -> &Option<(String, String)> {
        self.romanised_plain.get_or_init(|| {
            keys(&self.person.family_km, &self.person.given_km, |s| {
                if is_khmer(s) {
                    crate::plain_key(&crate::romanise(s))
                } else {
                    String::new()
                }
            })
        })
    }

    /// The folded Khmer (family, given) keys, if the person has a Khmer name.
    pub fn km_keys(&self) -> &Option<(String, String)> {
        &self.km
    }

    /// The folded romanised (family, given) keys, if the person has a romanised name.
    pub fn latin_keys(&self) -> &Option<(String, String)> {
        &self.latin
    }
}

/// How alike the names are (0–1), or `None` when the two records share no script.
pub fn name_similarity(a: &Person, b: &Person) -> Option<f64> {
    keyed_name_similarity(&Keyed::new(a), &Keyed::new(b))
}

fn keyed_name_similarity(a: &Keyed, b: &Keyed) -> Option<f64> {
    let km = match (&a.km, &b.km) {
        (Some(x), Some(y)) => Some(pair_similarity(x, y)),
        _ => None,
    };
    let latin = match (&a.latin, &b.latin, &a.plain, &b.plain) {
        // Keys decide; the spelling only orders names whose keys agree.
        (Some(x), Some(y), Some(px), Some(py)) => Some(0.9 * pair_similarity(x, y) + 0.1 * pair_similarity(px, py)),
        (Some(x), Some(y), _, _) => Some(pair_similarity(x, y)),
        _ => None,
    };
    match (km, latin) {
        (Some(k), Some(l)) => Some(k.max(l)),
        (None, None) => across_scripts(a, b),
        (k, l) => k.or(l),
    }
}

/// What a machine romanisation costs: a name written in Khmer and one in Latin letters that
/// agree are at best close, never the same (the romaniser can be wrong).
const ACROSS_SCRIPTS: f64 = 0.04;

/// Records that share no script: one's Khmer names romanised against the other's romanised.
fn across_scripts(a: &Keyed, b: &Keyed) -> Option<f64> {
    let sim =
        |x: &Option<(String, String)>, y: &Option<(String, String)>, px: &Option<(String, String)>, py: &Option<(String, String)>| match (
            x, y, px, py,
        ) {
            (Some(x), Some(y), Some(px), Some(py)) => Some(0.9 * pair_similarity(x, y) + 0.1 * pair_similarity(px, py)),
            (Some(x), Some(y), _, _) => Some(pair_similarity(x, y)),
            _ => None,
        };
    let one = sim(a.romanised_keys(), &b.latin, a.romanised_plain(), &b.plain);
    let other = sim(&a.latin, b.romanised_keys(), &a.plain, b.romanised_plain());
    let best = match (one, other) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    best.map(|s| (s - ACROSS_SCRIPTS).max(0.0))
}

fn birth(a: &Person, b: &Person) -> Agreement {
    if let (Some(x), Some(y)) = (&a.birth_date, &b.birth_date) {
        if x == y {
            return Agreement::Same;
        }
    }
    let year = |p: &Person| p.birth_date.as_deref().and_then(|d| d.get(..4)?.parse::<i32>().ok()).or(p.birth_year);
    match (year(a), year(b)) {
        (Some(x), Some(y)) if x == y => {
            if a.birth_date.is_some() && b.birth_date.is_some() {
                Agreement::Close
            } else {
                Agreement::Same
            }
        }
        // Ages are often estimated: two years either way is still plausible.
        (Some(x), Some(y)) if (x - y).abs() <= 2 => Agreement::Close,
        (Some(_), Some(_)) => Agreement::Different,
        _ => Agreement::Unknown,
    }
}

fn place(a: &Person, b: &Person) -> (Agreement, f64) {
    match (&a.village, &b.village) {
        (Some(x), Some(y)) if x == y => (Agreement::Same, 1.0),
        (Some(x), Some(y)) if x.get(..6) == y.get(..6) => (Agreement::Close, 0.8),
        (Some(x), Some(y)) if x.get(..4) == y.get(..4) => (Agreement::Close, 0.6),
        (Some(x), Some(y)) if x.get(..2) == y.get(..2) => (Agreement::Close, 0.4),
        (Some(_), Some(_)) => (Agreement::Different, 0.0),
        _ => (Agreement::Unknown, 0.3),
    }
}

/// Compare two records.
pub fn compare(a: &Person, b: &Person) -> Comparison {
    compare_keyed(&Keyed::new(a), &Keyed::new(b))
}

/// Compare two records whose keys are already computed.
pub fn compare_keyed(ka: &Keyed, kb: &Keyed) -> Comparison {
    let (a, b) = (ka.person, kb.person);
    let name_sim = keyed_name_similarity(ka, kb);
    let name = match name_sim {
        None => Agreement::Unknown,
        Some(s) if s >= 0.97 => Agreement::Same,
        Some(s) if s >= 0.85 => Agreement::Close,
        Some(_) => Agreement::Different,
    };
    let sex = match (a.female, b.female) {
        (Some(x), Some(y)) if x == y => Agreement::Same,
        (Some(_), Some(_)) => Agreement::Different,
        _ => Agreement::Unknown,
    };
    let birth = birth(a, b);
    let (place, place_score) = place(a, b);
    let birth_score = match birth {
        Agreement::Same => 1.0,
        Agreement::Close => 0.7,
        Agreement::Unknown => 0.4,
        Agreement::Different => 0.0,
    };
    // Names carry the decision; birth and place confirm it; a different sex rules it out.
    let mut score = 0.65 * name_sim.unwrap_or(0.0) + 0.2 * birth_score + 0.15 * place_score;
    if sex == Agreement::Different {
        score *= 0.5;
    }
    if name == Agreement::Different {
        score = score.min(THRESHOLD - 0.05);
    }
    Comparison { score: (score * 1000.0).round() / 1000.0, name, sex, birth, place }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(fk: &str, gk: &str, fl: &str, gl: &str, female: bool, year: i32, village: &str) -> Person {
        let o = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Person {
            family_km: o(fk),
            given_km: o(gk),
            family_latin: o(fl),
            given_latin: o(gl),
            female: Some(female),
            birth_date: None,
            birth_year: Some(year),
            village: o(village),
        }
    }

    #[test]
    fn romanisation_variants_and_swapped_order_match() {
        let a = p("", "", "Sok", "Sreypov", true, 2014, "02020101");
        for (fl, gl) in [("Sokh", "Sreipov"), ("Sreypov", "Sok"), ("Sok", "Srey Pov"), ("Sokh", "Sreypouv")] {
            let c = compare(&a, &p("", "", fl, gl, true, 2015, "02020102"));
            assert!(c.score >= THRESHOLD, "{fl} {gl}: {c:?}");
        }
        let khmer = compare(&p("សុខ", "ស្រីពៅ", "", "", true, 2014, ""), &p("សុខ", "ស្រី\u{200B}ពៅ", "", "", true, 2013, ""));
        assert_eq!(khmer.name, Agreement::Same, "zero-width space ignored");
        assert!(khmer.score >= THRESHOLD);
    }

    #[test]
    fn different_children_do_not_match() {
        let a = p("", "", "Sok", "Sreypov", true, 2014, "02020101");
        let other_name = compare(&a, &p("", "", "Chan", "Dara", true, 2014, "02020101"));
        assert!(other_name.score < THRESHOLD, "{other_name:?}");
        assert_eq!(other_name.name, Agreement::Different);
        let other_sex = compare(&a, &p("", "", "Sok", "Sreypov", false, 2014, "02020101"));
        assert!(other_sex.score < THRESHOLD && other_sex.sex == Agreement::Different);
        let far_apart = compare(&a, &p("", "", "Sok", "Sreypov", true, 2004, "17010101"));
        assert_eq!(far_apart.birth, Agreement::Different);
        assert!(far_apart.score < compare(&a, &p("", "", "Sok", "Sreypov", true, 2014, "17010101")).score);
    }

    #[test]
    fn across_scripts_names_are_close_never_the_same() {
        let c = compare(&p("សុខ", "ស្រីពៅ", "", "", true, 2014, ""), &p("", "", "Sok", "Sreypov", true, 2014, ""));
        assert_eq!(c.name, Agreement::Close);
        assert!(c.score >= THRESHOLD, "{c:?}");
        let other = compare(&p("ចាន់", "ដារា", "", "", true, 2014, ""), &p("", "", "Sok", "Sreypov", true, 2014, ""));
        assert_eq!(other.name, Agreement::Different);
        let nothing = compare(&p("", "", "", "", true, 2014, ""), &p("", "", "Sok", "Sreypov", true, 2014, ""));
        assert_eq!(nothing.name, Agreement::Unknown);
    }
}
