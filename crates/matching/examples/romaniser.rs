//! How well `romanise` agrees with the NCDD gazetteer's own romanisation:
//! `cargo run --release -p krousar-match --example romaniser [tuning|held-out] [N]`.
//!
//! Every place of `crates/store/data/gazetteer-ncdd-2025.tsv` has a Khmer and a Latin name. The
//! romaniser was tuned only on places of odd-numbered provinces (the first two digits of the
//! code); the even ones are held out. For each part: the share of names whose Latin key
//! (`latin_key`, spaces removed, unit words stripped) equals that of the romanised Khmer name, and
//! the mean normalised Levenshtein similarity of the two keys; also without the names that hold a
//! digit (the gazetteer spells numbers out: ភូមិ ១ is "Phum Muoy", the romaniser writes "1").
//! Then 30 held-out disagreements, or N of the part named on the command line.

use krousar_match::place::{without_unit_km, without_unit_latin};
use krousar_match::{latin_key, romanise};

struct Place {
    km: String,
    latin: String,
    tuning: bool,
}

#[derive(Default)]
struct Score {
    names: usize,
    exact: usize,
    similarity: f64,
    no_digit_names: usize,
    no_digit_exact: usize,
}

fn keys(p: &Place) -> (String, String, String) {
    let roman = romanise(without_unit_km(&p.km));
    let mine = latin_key(&roman.replace(' ', ""));
    let theirs = latin_key(&without_unit_latin(&p.latin).replace(' ', ""));
    (roman, mine, theirs)
}

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../store/data/gazetteer-ncdd-2025.tsv");
    let text = std::fs::read_to_string(path).expect("the NCDD gazetteer");
    let places: Vec<Place> = text
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let province: u32 = f.first()?.get(..2)?.parse().ok()?;
            Some(Place { km: f.get(2)?.to_string(), latin: f.get(3)?.to_string(), tuning: province % 2 == 1 })
        })
        .filter(|p| !p.km.trim().is_empty() && !p.latin.trim().is_empty())
        .collect();

    let mut scores = [Score::default(), Score::default()];
    for p in &places {
        let (_, mine, theirs) = keys(p);
        let s = &mut scores[usize::from(!p.tuning)];
        let same = mine == theirs;
        s.names += 1;
        s.exact += usize::from(same);
        s.similarity += strsim::normalized_levenshtein(&mine, &theirs);
        if !p.km.chars().any(|c| c.is_ascii_digit() || ('០'..='៩').contains(&c)) {
            s.no_digit_names += 1;
            s.no_digit_exact += usize::from(same);
        }
    }
    for (name, s) in ["tuning (odd provinces)", "held out (even provinces)"].iter().zip(&scores) {
        println!(
            "{name}: {} names, exact key agreement {:.1} %, mean key similarity {:.3}; without digits: {} names, {:.1} %",
            s.names,
            100.0 * s.exact as f64 / s.names as f64,
            s.similarity / s.names as f64,
            s.no_digit_names,
            100.0 * s.no_digit_exact as f64 / s.no_digit_names as f64,
        );
    }

    let args: Vec<String> = std::env::args().skip(1).collect();
    let tuning = args.first().is_some_and(|a| a == "tuning");
    let count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(30);
    let wrong: Vec<(&Place, String, String, String)> = places
        .iter()
        .filter(|p| p.tuning == tuning)
        .map(|p| {
            let (roman, mine, theirs) = keys(p);
            (p, roman, mine, theirs)
        })
        .filter(|(_, _, mine, theirs)| mine != theirs)
        .collect();
    println!("\n{} disagreements ({} of {}):", if tuning { "tuning" } else { "held-out" }, count.min(wrong.len()), wrong.len());
    // Spread the examples over the whole file rather than the first provinces only.
    let step = (wrong.len() / count.max(1)).max(1);
    for (p, roman, mine, theirs) in wrong.iter().step_by(step).take(count) {
        println!("  {:<28} {:<28} {:<28} {mine} ≠ {theirs}", p.km, roman, p.latin);
    }
}
