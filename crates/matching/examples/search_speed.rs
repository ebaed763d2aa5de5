//! Time of one ranked place search on the whole gazetteer, per kind of query:
//! `cargo run --release -p krousar-match --example search_speed`. The HTTP numbers (with a
//! server, sessions and 16 connections) are in BENCHMARKS.md; this isolates the matching.

use krousar_match::place::Level;
use krousar_match::place_index::PlaceIndex;
use std::time::Instant;

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/data/gazetteer-ncdd-2025.tsv");
    let text = std::fs::read_to_string(path).expect("gazetteer");
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect::<Vec<_>>()).filter(|f| f.len() >= 4).collect();
    let start = Instant::now();
    let index = PlaceIndex::new(rows.iter().map(|f| (f[0], f[2], f[3], "")));
    println!("index of {} places built in {:.0?}", index.len(), start.elapsed());
    let queries: [(&str, &str, Option<Level>, &str); 7] = [
        ("typing, nation, villages", "prek", Some(Level::Village), ""),
        ("typing, two letters", "ba", None, ""),
        ("other spelling, nation, villages", "Kaoh Ta Kouv", Some(Level::Village), ""),
        ("Khmer with unit and number word, nation", "ភូមិរំចេកបី", None, ""),
        ("other spelling, within a district", "Kaoh Ta Kouv", Some(Level::Village), "0706"),
        ("other spelling, within a province", "Kaoh Ta Kouv", Some(Level::Village), "07"),
        ("nonsense, nation", "xqzvwxq", None, ""),
    ];
    for (name, q, level, within) in queries {
        let n = 200;
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(index.search(q, level, within, 15));
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("| {name} | {:.0} µs | {:.0} µs |", times[n / 2], times[n * 95 / 100]);
    }
}
