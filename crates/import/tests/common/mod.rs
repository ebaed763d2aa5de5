//! The gazetteer Krousar ships, for resolving addresses in tests.

use krousar_import::places::{PlaceEntry, Places};

pub fn places() -> Places {
    let tsv = include_str!("../../../store/data/gazetteer-ncdd-2025.tsv");
    let entries = tsv
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (code, _kind, km, latin) = (f.next()?, f.next()?, f.next()?, f.next()?);
            Some(PlaceEntry { code: code.to_string(), name_km: km.to_string(), name_latin: latin.to_string() })
        })
        .collect();
    Places::new(entries)
}

#[allow(dead_code)]
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
}
