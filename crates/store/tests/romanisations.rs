//! Real romanisation variants: the pumi project (and UNGEGN) spell many place names differently from the
//! NCDD ("Mongkol Borey" / "Mongkol Borei"). Krousar's search must find a village by either.

use krousar_match::place::Level;
use krousar_match::place_index::PlaceIndex;
use krousar_store::gazetteer::embedded;
use std::collections::HashMap;

/// Code → the other romanisations of a place (pumi's Latin name and UNGEGN name), from pumi's
/// YAML files (read line by line: their shape is fixed).
fn pumi_names() -> Option<HashMap<String, Vec<String>>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/gazetteer/pumi");
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for file in ["provinces.yml", "districts.yml", "communes.yml", "villages.yml"] {
        let text = std::fs::read_to_string(dir.join(file)).ok()?;
        let mut code: Option<String> = None;
        for line in text.lines() {
            if let Some(c) = line.strip_prefix("  '").and_then(|l| l.strip_suffix("':")) {
                code = Some(c.to_string());
            } else if line.starts_with("    administrative_unit:") {
                code = None;
            } else if let Some(c) = &code {
                for key in ["      latin: ", "      ungegn: "] {
                    if let Some(name) = line.strip_prefix(key) {
                        out.entry(c.clone()).or_default().push(name.trim().trim_matches('\'').to_string());
                    }
                }
            }
        }
    }
    Some(out)
}

#[test]
fn places_spelled_the_pumi_or_ungegn_way_are_found() {
    let Some(pumi) = pumi_names() else {
        eprintln!("shared/ not beside the checkout; skipping");
        return;
    };
    let places = embedded();
    let index = PlaceIndex::new(places.iter().map(|p| (p.code.as_str(), p.name_km.as_str(), p.name_latin.as_str(), "")));
    let (mut differ, mut first) = (0, 0);
    let mut misses = Vec::new();
    for p in places.iter().filter(|p| p.code.len() >= 4) {
        let Some(others) = pumi.get(&p.code) else { continue };
        // Asked as the type-ahead is: a village or commune within its district, a district
        // within its province.
        let within = &p.code[..if p.code.len() == 4 { 2 } else { 4 }];
        for other in others {
            if other.to_lowercase() == p.name_latin.to_lowercase() {
                continue;
            }
            differ += 1;
            let hits = index.search(other, Level::of_code(&p.code), within, 3);
            let same_name = |code: &str| places.iter().any(|q| q.code == code && q.name_latin == p.name_latin && q.name_km == p.name_km);
            if hits.first().is_some_and(|h| same_name(&h.code)) {
                first += 1;
            } else if misses.len() < 12 {
                misses.push(format!("{} / {other}", p.name_latin));
            }
        }
    }
    let rate = first as f64 / differ.max(1) as f64;
    eprintln!("{differ} place names spelled differently in pumi or UNGEGN; {first} ({:.0}%) found first by the other spelling; e.g. missed: {misses:?}", rate * 100.0);
    assert!(differ > 50, "the data should hold many variants");
    assert!(rate >= 0.95, "only {:.0}% of variant spellings found first", rate * 100.0);
}
