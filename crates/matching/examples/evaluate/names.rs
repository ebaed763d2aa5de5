//! Person names: the 1,000 names of `crates/cli/data/khmer_names.json` (the kname project, MIT),
//! each varied by one or two rules drawn at random (fixed seed), the way the field writes them:
//! `h` after a final consonant (Sok → Sokh), ey ↔ ei ↔ i, ea ↔ ie, ou ↔ o ↔ u, a doubled or
//! undoubled final consonant (Chan ↔ Chann), ch ↔ chh, family and given name swapped, given
//! name split in two (Sreypov → Srey Pov), one letter dropped (a typo); the Khmer spelling with
//! a zero-width space between syllables; and across scripts (a romanised query for a child
//! recorded only in Khmer, and the reverse).
//!
//! Methods compared: exact (lower-case equality of the full name), plain Jaro–Winkler on the lower-
//! case full name, and Krousar's `person::name_similarity`. For each: top-1 and top-5, and
//! precision, recall and F1 at the score threshold that gives each method its best F1.

use krousar_match::person::{name_similarity, Person};

use crate::Lcg;

type Method = (&'static str, fn(&Person, &Person) -> f64);

fn full(p: &Person) -> String {
    format!("{} {}", p.family_latin.clone().unwrap_or_default(), p.given_latin.clone().unwrap_or_default()).trim().to_lowercase()
}

fn exact(a: &Person, b: &Person) -> f64 {
    let km = |p: &Person| format!("{}{}", p.family_km.clone().unwrap_or_default(), p.given_km.clone().unwrap_or_default());
    if (!full(a).is_empty() && full(a) == full(b)) || (!km(a).is_empty() && km(a) == km(b)) {
        1.0
    } else {
        0.0
    }
}

fn plain_jw(a: &Person, b: &Person) -> f64 {
    let km = |p: &Person| format!("{}{}", p.family_km.clone().unwrap_or_default(), p.given_km.clone().unwrap_or_default());
    let l = if full(a).is_empty() || full(b).is_empty() { 0.0 } else { strsim::jaro_winkler(&full(a), &full(b)) };
    let k = if km(a).is_empty() || km(b).is_empty() { 0.0 } else { strsim::jaro_winkler(&km(a), &km(b)) };
    l.max(k)
}

fn krousar(a: &Person, b: &Person) -> f64 {
    name_similarity(a, b).unwrap_or(0.0)
}

const METHODS: [Method; 3] = [("exact", exact), ("plain Jaro-Winkler", plain_jw), ("Krousar keys", krousar)];

/// Every query against every candidate; `right[i]` is the index of query i's answer.
fn evaluate(title: &str, queries: &[Person], right: &[usize], candidates: &[Person]) {
    println!("\n## {title}: {} queries, {} candidates each\n", queries.len(), candidates.len());
    println!("| method | top-1 | top-5 | best-F1 threshold | precision | recall | F1 |");
    println!("|---|---|---|---|---|---|---|");
    for (name, f) in METHODS {
        let (mut top1, mut top5) = (0, 0);
        // Score buckets for precision/recall at every threshold 0.00 … 1.00.
        let mut tp = [0u64; 101];
        let mut fp = [0u64; 101];
        for (q, &ans) in queries.iter().zip(right) {
            let mut scored: Vec<(f64, usize)> = candidates.iter().enumerate().map(|(i, c)| (f(q, c), i)).collect();
            for &(s, i) in &scored {
                let b = (s * 100.0).floor().clamp(0.0, 100.0) as usize;
                if i == ans {
                    tp[b] += 1;
                } else {
                    fp[b] += 1;
                }
            }
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let rank = scored.iter().position(|&(s, i)| i == ans && s > 0.0);
            if rank == Some(0) {
                top1 += 1;
            }
            if rank.is_some_and(|r| r < 5) {
                top5 += 1;
            }
        }
        let mut best = (0.0, 0usize, 0.0, 0.0);
        for t in 1..=100 {
            let tps: u64 = tp[t..].iter().sum();
            let fps: u64 = fp[t..].iter().sum();
            if tps == 0 {
                continue;
            }
            let precision = tps as f64 / (tps + fps) as f64;
            let recall = tps as f64 / queries.len() as f64;
            let f1 = 2.0 * precision * recall / (precision + recall);
            if f1 > best.0 {
                best = (f1, t, precision, recall);
            }
        }
        let pct = |n: usize| 100.0 * n as f64 / queries.len() as f64;
        println!(
            "| {name} | {:.1}% | {:.1}% | {:.2} | {:.3} | {:.3} | {:.3} |",
            pct(top1),
            pct(top5),
            best.1 as f64 / 100.0,
            best.2,
            best.3,
            best.0
        );
    }
}

fn vary(rng: &mut Lcg, word: &str) -> String {
    let w = word.to_string();
    type Rule<'a> = &'a dyn Fn(&str) -> Option<String>;
    let rules: [Rule; 8] = [
        &|s| ["k", "t", "p", "c"].iter().any(|e| s.ends_with(e)).then(|| format!("{s}h")),
        &|s| s.contains("ey").then(|| s.replacen("ey", "ei", 1)).or_else(|| s.ends_with('y').then(|| format!("{}i", &s[..s.len() - 1]))),
        &|s| s.contains("ea").then(|| s.replacen("ea", "ie", 1)),
        &|s| s.contains("ou").then(|| s.replacen("ou", "o", 1)).or_else(|| s.contains('o').then(|| s.replacen('o', "ou", 1))),
        &|s| s.chars().last().filter(|c| "nmlkt".contains(*c)).map(|c| format!("{s}{c}")),
        &|s| s.contains("ch").then(|| s.replacen("ch", "chh", 1)),
        &|s| {
            (s.chars().count() > 4).then(|| {
                let cut = s.char_indices().nth(s.chars().count() / 2).map(|(i, _)| i).unwrap_or(0);
                format!("{} {}", &s[..cut], &s[cut..])
            })
        },
        &|s| {
            (s.chars().count() > 4).then(|| {
                let drop = s.char_indices().nth(2).map(|(i, _)| i).unwrap_or(0);
                format!("{}{}", &s[..drop], &s[drop + 1..])
            })
        },
    ];
    for _ in 0..8 {
        if let Some(v) = rules[rng.below(rules.len())](&w.to_lowercase()) {
            return v;
        }
    }
    w
}

pub fn names() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("../cli/data/khmer_names.json")).expect("names");
    let list: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
    let s = |v: &serde_json::Value, k: &str| v[k].as_str().map(str::to_string);
    let mut seen = std::collections::HashSet::new();
    let candidates: Vec<Person> = list
        .iter()
        .map(|n| Person {
            family_km: s(n, "surname"),
            given_km: s(n, "givenName"),
            family_latin: s(n, "romanizedSurname"),
            given_latin: s(n, "romanizedGiven"),
            ..Default::default()
        })
        .filter(|p| seen.insert(full(p)))
        .collect();
    let mut rng = Lcg(2026);
    let (mut queries, mut right) = (Vec::new(), Vec::new());
    for (i, p) in candidates.iter().enumerate() {
        let mut q = Person { family_latin: p.family_latin.clone(), given_latin: p.given_latin.clone(), ..Default::default() };
        let rules = 1 + rng.below(2);
        for _ in 0..rules {
            match rng.below(3) {
                0 => q.family_latin = q.family_latin.as_deref().map(|f| vary(&mut rng, f)),
                1 => q.given_latin = q.given_latin.as_deref().map(|g| vary(&mut rng, g)),
                _ => std::mem::swap(&mut q.family_latin, &mut q.given_latin),
            }
        }
        queries.push(q);
        right.push(i);
    }
    evaluate("Synthetic romanised name variants (khmer_names.json, 1–2 rules each)", &queries, &right, &candidates);
    // Khmer script: the same names with a zero-width space between family and given name's
    // syllables, and family/given swapped for a third of them.
    let mut kq = Vec::new();
    for (i, p) in candidates.iter().enumerate() {
        let g = p.given_km.clone().unwrap_or_default();
        let mid = g.char_indices().nth(g.chars().count() / 2).map(|(j, _)| j).unwrap_or(0);
        let mut q =
            Person { family_km: p.family_km.clone(), given_km: Some(format!("{}\u{200B}{}", &g[..mid], &g[mid..])), ..Default::default() };
        if i % 3 == 0 {
            std::mem::swap(&mut q.family_km, &mut q.given_km);
        }
        kq.push(q);
    }
    evaluate("Khmer script with zero-width spaces and swapped order", &kq, &right, &candidates);
    // Across scripts: the Khmer spelling looked for among records holding only the romanised
    // names, and the reverse (through the romaniser).
    let latin_only: Vec<Person> = candidates.iter().map(|p| Person { family_km: None, given_km: None, ..p.clone() }).collect();
    let khmer_only: Vec<Person> = candidates.iter().map(|p| Person { family_latin: None, given_latin: None, ..p.clone() }).collect();
    evaluate("Across scripts: Khmer name → records with romanised names only", &khmer_only, &right, &latin_only);
    evaluate("Across scripts: romanised name → records with Khmer names only", &latin_only, &right, &khmer_only);
}
