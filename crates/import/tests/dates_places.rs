//! Property tests for the parsers a workbook's text goes through: dates in every accepted way
//! of writing them, and place names in any spelling the gazetteer knows.

mod common;

use chrono::{Datelike, NaiveDate};
use krousar_import::dates::{from_serial, parse_text, to_serial, DateError, DateRead, Guess};
use krousar_import::places::Places;
use proptest::prelude::*;
use std::sync::OnceLock;

const EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const KM: [&str; 12] = ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"];

fn khmer_digits(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_digit() { char::from_u32(0x17E0 + (c as u32 - '0' as u32)).unwrap() } else { c }).collect()
}

fn today() -> NaiveDate {
    common::today()
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1950i32..2026, 1u32..=12, 1u32..=31).prop_filter_map("a real day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

proptest! {
    #[test]
    fn every_way_of_writing_a_date_reads_back(d in date(), style in 0usize..9) {
        let (y, m, day) = (d.year(), d.month(), d.day());
        let text = match style {
            0 => format!("{y:04}-{m:02}-{day:02}"),
            1 => format!("{day:02}/{m:02}/{y}"),
            2 => format!("{day}-{m}-{y}"),
            3 => format!("{day}.{m}.{y}"),
            4 => format!("{day} {} {y}", EN[m as usize - 1]),
            5 => format!("{} {day}, {y}", &EN[m as usize - 1][..3]),
            6 => khmer_digits(&format!("{day:02}/{m:02}/{y}")),
            7 => khmer_digits(&format!("ថ្ងៃទី{day} ខែ{} ឆ្នាំ{y}", KM[m as usize - 1])),
            _ => format!("{y:04}-{m:02}-{day:02}T00:00:00"),
        };
        prop_assert_eq!(parse_text(&text, today()), Ok(DateRead::Date(d)), "{}", text);
    }

    #[test]
    fn serial_numbers_round_trip(d in date()) {
        prop_assert_eq!(from_serial(to_serial(d)), Some(d));
    }

    /// Month first is read only when the day cannot be a month, and is then a guess to accept.
    #[test]
    fn month_first_is_a_guess(d in date().prop_filter("day > 12", |d| d.day() > 12)) {
        let text = format!("{}/{}/{}", d.month(), d.day(), d.year());
        prop_assert_eq!(parse_text(&text, today()), Ok(DateRead::Guess(d, Guess::MonthFirst)));
    }

    #[test]
    fn nothing_panics(s in "\\PC{0,40}") {
        let _ = parse_text(&s, today());
    }
}

#[test]
fn impossible_and_partial_dates() {
    assert_eq!(parse_text("31/02/2010", today()), Err(DateError::Impossible));
    assert_eq!(parse_text("2010-13-01", today()), Err(DateError::Impossible));
    assert_eq!(parse_text("yesterday", today()), Err(DateError::Unreadable));
    assert_eq!(parse_text("2010", today()), Ok(DateRead::Year(2010)));
    assert_eq!(parse_text("២០១០", today()), Ok(DateRead::Year(2010)));
    assert_eq!(parse_text("12/03/10", today()), Ok(DateRead::Guess(NaiveDate::from_ymd_opt(2010, 3, 12).unwrap(), Guess::TwoDigitYear)));
    assert_eq!(parse_text("12/03/98", today()), Ok(DateRead::Guess(NaiveDate::from_ymd_opt(1998, 3, 12).unwrap(), Guess::TwoDigitYear)));
    // Excel's 29 February 1900 never was.
    assert_eq!(from_serial(60.0), None);
    assert_eq!(from_serial(61.0), NaiveDate::from_ymd_opt(1900, 3, 1));
}

fn places() -> &'static Places {
    static P: OnceLock<Places> = OnceLock::new();
    P.get_or_init(common::places)
}

fn gazetteer() -> &'static Vec<(String, String, String)> {
    static G: OnceLock<Vec<(String, String, String)>> = OnceLock::new();
    G.get_or_init(|| {
        include_str!("../../store/data/gazetteer-ncdd-2025.tsv")
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() >= 4).then(|| (f[0].to_string(), f[2].to_string(), f[3].to_string()))
            })
            .collect()
    })
}

/// The names of a place and of everything above it, province first, in one script.
fn path(code: &str, khmer: bool) -> [Option<String>; 4] {
    let mut out: [Option<String>; 4] = Default::default();
    for (i, len) in [2usize, 4, 6, 8].into_iter().enumerate().take_while(|(_, l)| *l <= code.len()) {
        let e = places().get(&code[..len]).unwrap();
        // A few villages have no Latin name yet: written in Khmer.
        out[i] = Some(if khmer || e.name_latin.is_empty() { e.name_km.clone() } else { e.name_latin.clone() });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any place written with its own names (Khmer, or Latin in any case and spacing, with
    /// the unit word or without) resolves to itself, or is reported as one of several places
    /// of that name — never to another place silently.
    #[test]
    fn a_place_written_with_its_names_resolves_to_itself(i in 0usize..16_000, khmer in any::<bool>(), shout in any::<bool>()) {
        let g = gazetteer();
        let code = g[i % g.len()].0.clone();
        let names = path(&code, khmer).map(|n| n.map(|n| if shout { n.to_uppercase().replace(' ', "  ") } else { n }));
        let r = places().resolve([names[0].as_deref(), names[1].as_deref(), names[2].as_deref(), names[3].as_deref()]);
        match &r.problem {
            None => prop_assert_eq!(r.code.as_deref(), Some(code.as_str())),
            Some(krousar_import::places::PlaceProblem::Ambiguous { candidates, .. }) => {
                prop_assert!(candidates.iter().any(|c| code.starts_with(c.as_str())), "{:?} {:?}", code, candidates)
            }
            Some(other) => prop_assert!(false, "{} {:?} → {:?}", code, names, other),
        }
    }
}

#[test]
fn oscar_style_addresses() {
    let p = places();
    let r = p.resolve([Some("ភ្នំពេញ / Phnom Penh"), Some("Khan Toul Kork"), None, None]);
    assert_eq!(r.code.as_deref(), Some("12"));
    assert!(
        matches!(r.problem, Some(krousar_import::places::PlaceProblem::Unknown { ref suggestions, .. }) if suggestions == &["1204".to_string()])
    );
    let r = p.resolve([Some("Battambang"), Some("Sangkae"), None, None]);
    assert_eq!(r.code.as_deref(), Some("0208"));
    // A name with a slash of its own.
    let r = p.resolve([Some("25"), Some("2507"), Some("250713"), Some("ភូមិ ១០/៨")]);
    assert_eq!((r.code.as_deref(), r.problem), (Some("25071314"), None));
    // Spellings that fold together: the one written exactly is meant.
    let r = p.resolve([Some("Kampong Thom"), Some("Baray"), Some("Chong Doung"), None]);
    assert_eq!((r.code.as_deref(), r.problem), (Some("060108"), None));
    let r = p.resolve([Some("12"), Some("1204"), None, None]);
    assert_eq!(r.code.as_deref(), Some("1204"));
}
