//! Whether a record of *another* organisation may be the child described, decided only from
//! coarse facts: the same folded name (in either order), no contradicting sex, and birth years
//! at most one apart. Village, commune, district, province and the exact birth date take no
//! part, and nothing here is a threshold on a score those feed into, so varying them in a
//! question can never change the answer: the check cannot be used to find where another
//! organisation's child lives or the day she was born (issue 19, item 1).

use crate::person::{Keyed, Person};

/// Years of birth further apart than this are different children (ages are often estimated).
pub const YEARS_APART: i32 = 1;

/// The year of birth, from the exact date when there is one (the year only, never the day).
fn year(p: &Person) -> Option<i32> {
    p.birth_date.as_deref().and_then(|d| d.get(..4)?.parse::<i32>().ok()).or(p.birth_year)
}

/// Two (family, given) keys name the same person: equal as written, swapped, or joined.
fn same_keys(a: &Option<(String, String)>, b: &Option<(String, String)>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return false };
    let joined = |k: &(String, String)| format!("{}{}", k.0, k.1);
    let swapped = |k: &(String, String)| format!("{}{}", k.1, k.0);
    !joined(a).is_empty() && (joined(a) == joined(b) || joined(a) == swapped(b))
}

/// May `record` (another organisation's) be the child `asked` describes?
pub fn possible_match_elsewhere(asked: &Person, record: &Person) -> bool {
    let (a, b) = (Keyed::new(asked), Keyed::new(record));
    // Across scripts through the romaniser: one organisation wrote the name in Khmer only, the
    // other in Latin letters only.
    let name = same_keys(a.km_keys(), b.km_keys())
        || same_keys(a.latin_keys(), b.latin_keys())
        || (a.km_keys().is_none() || b.km_keys().is_none())
            && (same_keys(a.romanised_keys(), b.latin_keys()) || same_keys(a.latin_keys(), b.romanised_keys()));
    let sex = match (asked.female, record.female) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    let born = match (year(asked), year(record)) {
        (Some(x), Some(y)) => (x - y).abs() <= YEARS_APART,
        _ => true,
    };
    name && sex && born
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sreypov(date: Option<&str>, year: Option<i32>, village: Option<&str>) -> Person {
        Person {
            family_latin: Some("Sok".into()),
            given_latin: Some("Sreypov".into()),
            female: Some(true),
            birth_date: date.map(str::to_string),
            birth_year: year,
            village: village.map(str::to_string),
            ..Person::default()
        }
    }

    #[test]
    fn the_same_folded_name_sex_and_year_band_is_a_possible_match() {
        let record = sreypov(Some("2014-06-02"), Some(2014), Some("02020101"));
        let asked =
            |f: &str, g: &str| Person { family_latin: Some(f.into()), given_latin: Some(g.into()), ..sreypov(None, Some(2015), None) };
        assert!(possible_match_elsewhere(&asked("Sokh", "Sreipov"), &record), "a romanisation variant");
        assert!(possible_match_elsewhere(&asked("Sreypov", "Sok"), &record), "names swapped");
        assert!(possible_match_elsewhere(&asked("Sok", "Srey Pov"), &record), "a given name written in two words");
        assert!(possible_match_elsewhere(&asked("Sokk", "Srey-Pov"), &record), "with a hyphen, the family name doubled");
        assert!(!possible_match_elsewhere(&asked("Chan", "Dara"), &record), "another name");
        assert!(!possible_match_elsewhere(&sreypov(None, Some(2011), None), &record), "three years apart");
        let boy = Person { female: Some(false), ..sreypov(None, Some(2014), None) };
        assert!(!possible_match_elsewhere(&boy, &record), "another sex");
        assert!(possible_match_elsewhere(&sreypov(None, None, None), &record), "no birth given: name and sex decide");
    }

    proptest! {
        /// Within the year band, no village and no day of birth ever changes the answer.
        #[test]
        fn village_and_exact_date_never_change_the_answer(
            village in proptest::option::of("[0-9]{8}"),
            other_village in proptest::option::of("[0-9]{8}"),
            month in 1u32..=12, day in 1u32..=28, other_month in 1u32..=12, other_day in 1u32..=28,
            year in 2010i32..2016, record_year in 2010i32..2016, exact in any::<bool>(),
        ) {
            let record = sreypov(Some(&format!("{record_year}-06-15")), Some(record_year), Some("02020101"));
            let ask = |m: u32, d: u32, v: &Option<String>| {
                let date = exact.then(|| format!("{year}-{m:02}-{d:02}"));
                sreypov(date.as_deref(), Some(year), v.as_deref())
            };
            let one = possible_match_elsewhere(&ask(month, day, &village), &record);
            let two = possible_match_elsewhere(&ask(other_month, other_day, &other_village), &record);
            prop_assert_eq!(one, two);
            prop_assert_eq!(one, (year - record_year).abs() <= YEARS_APART);
        }
    }
}
