//! The duplicate scorer on any two people: a score is a number between 0 and 1, and the same
//! whichever of the two is asked about first.
#![no_main]
use arbitrary::Arbitrary;
use krousar_match::person::{compare, name_similarity, Person};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct P {
    family_km: Option<String>,
    given_km: Option<String>,
    family_latin: Option<String>,
    given_latin: Option<String>,
    female: Option<bool>,
    birth_date: Option<String>,
    birth_year: Option<i32>,
    village: Option<String>,
}

fn person(p: P) -> Person {
    Person {
        family_km: p.family_km,
        given_km: p.given_km,
        family_latin: p.family_latin,
        given_latin: p.given_latin,
        female: p.female,
        birth_date: p.birth_date,
        birth_year: p.birth_year,
        village: p.village,
    }
}

fuzz_target!(|pair: (P, P)| {
    let (a, b) = (person(pair.0), person(pair.1));
    if let Some(s) = name_similarity(&a, &b) {
        assert!((0.0..=1.0).contains(&s), "{s}");
        let back = name_similarity(&b, &a).expect("symmetric");
        assert!((s - back).abs() < 1e-9, "{s} vs {back}");
    }
    let _ = compare(&a, &b);
});
