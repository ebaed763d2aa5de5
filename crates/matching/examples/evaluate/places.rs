//! Places: each query is another spelling of one place of the NCDD 2025 gazetteer, looked for
//! the way the type-ahead is asked — a village or commune within its district, a district
//! within its province, at any level — among every place of that scope.
//!
//! Sources of spellings (none written by this project's matching code):
//! - `pumi`: the pumi project's Latin and UNGEGN names (MIT, `../shared/data/gazetteer/pumi`),
//!   where they differ from the NCDD's;
//! - `eval/places-*.tsv`: spellings from other public lists, see `eval/SOURCES.md`;
//! - `numbers`: NCDD names whose numbers are rewritten as Khmer words, romanised words, Khmer
//!   digits or Roman numerals (both directions);
//! - `unit words`: a name typed with its unit word (Phum/Khum/Srok…, ភូមិ/ឃុំ/ស្រុក…);
//! - `khmer`: the NCDD's Khmer spelling looked for in an index that holds only the romanised
//!   names (and the reverse): cross-script matching through the romaniser.
//!
//! Provinces with an odd code were looked at while tuning; even ones are held out and reported
//! on their own.

use crate::Lcg;
use krousar_match::place::Level;
use krousar_match::place_index::PlaceIndex;
use std::collections::BTreeMap;

pub struct Place {
    pub code: String,
    pub km: String,
    pub latin: String,
}

pub fn gazetteer() -> Vec<Place> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tsv = std::fs::read_to_string(root.join("../store/data/gazetteer-ncdd-2025.tsv")).expect("gazetteer");
    tsv.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 4).then(|| Place { code: f[0].to_string(), km: f[2].to_string(), latin: f[3].to_string() })
        })
        .collect()
}

/// One query: the place it means, what was typed, where it came from and what kind of variant.
pub struct Case {
    pub code: String,
    pub text: String,
    pub source: String,
    pub kind: &'static str,
}

/// What kind of difference a spelling has from the NCDD's, for the per-kind table.
fn kind_of(ncdd: &str, other: &str) -> &'static str {
    let plain = |s: &str| s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    let digits = |s: &str| s.chars().any(|c| c.is_ascii_digit());
    if krousar_match::is_khmer(other) != krousar_match::is_khmer(ncdd) {
        "cross-script"
    } else if digits(ncdd) != digits(other) {
        "number form"
    } else if plain(ncdd) == plain(other) {
        "spacing or case only"
    } else if krousar_match::latin_key(&plain(ncdd)) == krousar_match::latin_key(&plain(other)) {
        "folded by the keys"
    } else {
        "other spelling"
    }
}

/// The scope a query is asked in: its district for villages and communes, its province for
/// districts.
fn scope(code: &str) -> &str {
    match code.len() {
        8 | 6 => &code[..4],
        4 => &code[..2],
        _ => "",
    }
}

fn level_name(code: &str) -> &'static str {
    Level::of_code(code).map(Level::as_str).unwrap_or("?")
}

pub fn held_out(code: &str) -> bool {
    code[..2].parse::<u32>().is_ok_and(|p| p % 2 == 0)
}

/// The three methods: Krousar's ranked index, plain Jaro–Winkler on the lower-case Latin name,
/// and the previous release (every query word contained in the keys, in code order).
pub struct Methods<'a> {
    pub index: &'a PlaceIndex,
    pub latin_only: &'a PlaceIndex,
    pub khmer_only: &'a PlaceIndex,
    pub places: &'a [Place],
}

impl Methods<'_> {
    fn rank_krousar(&self, c: &Case) -> Vec<String> {
        self.krousar(c, Level::of_code(&c.code))
    }

    /// Without saying the level: a commune and its village of the same name tie, and the
    /// higher level comes first.
    fn rank_any_level(&self, c: &Case) -> Vec<String> {
        self.krousar(c, None)
    }

    fn krousar(&self, c: &Case, level: Option<Level>) -> Vec<String> {
        let index = match c.source.as_str() {
            "khmer → latin-only index" => self.latin_only,
            "latin → khmer-only index" => self.khmer_only,
            _ => self.index,
        };
        index.search(&c.text, level, scope(&c.code), 3).into_iter().map(|h| h.code).collect()
    }

    fn in_scope<'p>(&'p self, c: &Case) -> impl Iterator<Item = &'p Place> + 'p {
        let s = scope(&c.code).to_string();
        let len = c.code.len();
        self.places.iter().filter(move |p| p.code.starts_with(&s) && p.code.len() == len)
    }

    fn rank_jw(&self, c: &Case) -> Vec<String> {
        let q = c.text.to_lowercase();
        let mut scored: Vec<(f64, &str)> = self
            .in_scope(c)
            .map(|p| {
                let khmer = match c.source.as_str() {
                    "khmer → latin-only index" => false,
                    "latin → khmer-only index" => true,
                    _ => krousar_match::is_khmer(&q),
                };
                let name = if khmer { p.km.to_lowercase() } else { p.latin.to_lowercase() };
                (strsim::jaro_winkler(&q, &name), p.code.as_str())
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(3).map(|(_, c)| c.to_string()).collect()
    }

    fn rank_previous(&self, c: &Case) -> Vec<String> {
        let terms = crate::previous::place_query_terms(&c.text);
        if terms.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<&Place> = self
            .in_scope(c)
            .filter(|p| {
                let keys = match c.source.as_str() {
                    "khmer → latin-only index" => crate::previous::place_keys("", &p.latin),
                    "latin → khmer-only index" => crate::previous::place_keys(&p.km, ""),
                    _ => crate::previous::place_keys(&p.km, &p.latin),
                };
                terms.iter().all(|t| keys.contains(&krousar_match::term_pattern(t)))
            })
            .collect();
        found.sort_by(|a, b| (a.code.len(), &a.code).cmp(&(b.code.len(), &b.code)));
        found.into_iter().take(3).map(|p| p.code.clone()).collect()
    }
}

#[derive(Default)]
struct Tally {
    n: usize,
    top1: [usize; 4],
    top3: [usize; 4],
}

fn pct(a: usize, n: usize) -> String {
    format!("{:.1}%", 100.0 * a as f64 / n.max(1) as f64)
}

fn same(a: &str, b: &str) -> bool {
    let fold = |s: &str| if krousar_match::is_khmer(s) { krousar_match::khmer_key(s) } else { krousar_match::plain_key(s) };
    fold(a) == fold(b)
}

/// Places of the same level in the same scope with the very names of the right one: no
/// spelling can tell them apart, so any of them first counts as found.
fn twins<'p>(m: &'p Methods, code: &str) -> Vec<&'p str> {
    let Some(me) = m.places.iter().find(|p| p.code == code) else { return Vec::new() };
    let s = scope(code);
    m.places
        .iter()
        .filter(|p| p.code.len() == code.len() && p.code.starts_with(s) && same(&p.km, &me.km) && same(&p.latin, &me.latin))
        .map(|p| p.code.as_str())
        .collect()
}

pub fn report(title: &str, cases: &[Case], m: &Methods, misses: usize, show: &str) {
    let mut groups: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut shown = 0;
    let mut miss_lines = Vec::new();
    for c in cases {
        let ranks = [m.rank_krousar(c), m.rank_jw(c), m.rank_previous(c), m.rank_any_level(c)];
        let right = twins(m, &c.code);
        let part = if held_out(&c.code) { "held out" } else { "tuning" };
        for key in [
            ("all".to_string(), part.to_string()),
            (format!("source: {}", c.source), part.to_string()),
            (format!("level: {}", level_name(&c.code)), part.to_string()),
            (format!("kind: {}", c.kind), part.to_string()),
        ] {
            let t = groups.entry(key).or_default();
            t.n += 1;
            for (k, r) in ranks.iter().enumerate() {
                if r.first().is_some_and(|x| right.contains(&x.as_str())) {
                    t.top1[k] += 1;
                }
                if r.iter().any(|x| right.contains(&x.as_str())) {
                    t.top3[k] += 1;
                }
            }
        }
        if !ranks[0].first().is_some_and(|x| right.contains(&x.as_str())) && !held_out(&c.code) && shown < misses && c.source.contains(show)
        {
            shown += 1;
            let name = |code: &str| m.places.iter().find(|p| p.code == code).map(|p| p.latin.clone()).unwrap_or_default();
            miss_lines.push(format!(
                "- `{}` ({}) should be {} `{}`; got {:?}",
                c.text,
                c.source,
                c.code,
                name(&c.code),
                ranks[0].iter().map(|x| name(x)).collect::<Vec<_>>()
            ));
        }
    }
    println!("\n## {title}\n");
    println!("| set | part | queries | Krousar top-1 | top-3 | Jaro–Winkler top-1 | top-3 | previous top-1 | top-3 | Krousar, level not given: top-1 | top-3 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for ((set, part), t) in &groups {
        println!(
            "| {set} | {part} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            t.n,
            pct(t.top1[0], t.n),
            pct(t.top3[0], t.n),
            pct(t.top1[1], t.n),
            pct(t.top3[1], t.n),
            pct(t.top1[2], t.n),
            pct(t.top3[2], t.n),
            pct(t.top1[3], t.n),
            pct(t.top3[3], t.n)
        );
    }
    if !miss_lines.is_empty() {
        println!("\nSome misses (tuning part):\n{}", miss_lines.join("\n"));
    }
}

/// Every evaluation set of places.
pub fn cases(places: &[Place], rng: &mut Lcg) -> Vec<Case> {
    let mut out = Vec::new();
    let by_code: BTreeMap<&str, &Place> = places.iter().map(|p| (p.code.as_str(), p)).collect();
    let mut add = |code: &str, text: String, source: &str| {
        if let Some(p) = by_code.get(code) {
            if p.code.len() >= 4 && text.to_lowercase() != p.latin.to_lowercase() && !text.trim().is_empty() {
                out.push(Case { code: code.to_string(), kind: kind_of(&p.latin, &text), text, source: source.to_string() });
            }
        }
    };
    for (code, text) in crate::sources::pumi() {
        add(&code, text, "pumi");
    }
    for (source, code, text) in crate::sources::eval_files() {
        add(&code, text, &source);
    }
    for p in places.iter().filter(|p| p.code.len() >= 4) {
        if let Some(v) = crate::sources::number_variant(&p.latin, rng) {
            add(&p.code, v, "numbers (romanised)");
        }
        if let Some(v) = crate::sources::khmer_number_variant(&p.km) {
            add(&p.code, v, "numbers (Khmer)");
        }
    }
    for p in places.iter().filter(|p| p.code.len() >= 4).step_by(17) {
        let (km, latin) = crate::sources::with_unit_word(p);
        add(&p.code, km, "unit words");
        add(&p.code, latin, "unit words");
    }
    out
}

/// Cross-script sets: the Khmer name against an index of romanised names only, and the reverse.
pub fn cross_script(places: &[Place]) -> Vec<Case> {
    places
        .iter()
        .filter(|p| p.code.len() >= 4)
        .step_by(5)
        .flat_map(|p| {
            [
                Case { code: p.code.clone(), text: p.km.clone(), source: "khmer → latin-only index".into(), kind: "cross-script" },
                Case { code: p.code.clone(), text: p.latin.clone(), source: "latin → khmer-only index".into(), kind: "cross-script" },
            ]
        })
        .collect()
}
