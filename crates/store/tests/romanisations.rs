//! Real romanisation variants: the pumi project (and UNGEGN) spell many place names differently from the
//! NCDD ("Mongkol Borey" / "Mongkol Borei"). Krousar's search must find a village by either.

use krousar_store::gazetteer::embedded;
use krousar_store::locations::{place_keys, place_query_terms};
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
    let (mut differ, mut same_key) = (0, 0);
    let mut misses = Vec::new();
    for p in &places {
        let Some(others) = pumi.get(&p.code) else { continue };
        // The keys the store indexes the place under, and the terms it searches for.
        let keys = place_keys(&p.name_km, &p.name_latin, "");
        for other in others {
            if krousar_match::plain_key(other) == krousar_match::plain_key(&p.name_latin) {
                continue;
            }
            differ += 1;
            if place_query_terms(other).iter().all(|t| keys.contains(&krousar_match::term_pattern(t))) {
                same_key += 1;
            } else if misses.len() < 12 {
                misses.push(format!("{} / {other}", p.name_latin));
            }
        }
    }
    let rate = same_key as f64 / differ.max(1) as f64;
    eprintln!("{differ} place names spelled differently in pumi or UNGEGN; {same_key} ({:.0}%) found by the other spelling; e.g. missed: {misses:?}", rate * 100.0);
    assert!(differ > 50, "the data should hold many variants");
    assert!(rate >= 0.80, "only {:.0}% of variant spellings found", rate * 100.0);
}
