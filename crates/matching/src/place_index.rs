//! Ranked place search: every place of the gazetteer under its names in both scripts, found by
//! how alike they are to what was typed, not only by containing it. Type-ahead, the address
//! pickers and the importer all ask this index.
//!
//! Administrative words in a query ("Phum", "Srok", "ឃុំ", "Province") say which level is
//! meant; they are no part of the name. A query "krapeu pir, veal" names a place and, after the
//! comma, a place above it.

use crate::forms::{best, forms_of, latin_forms, latin_words, quick, Form};
use crate::is_khmer;
use crate::place::Level;
use std::collections::HashMap;

/// Words for a kind of unit, and the level each points to.
const LEVEL_WORDS: &[(&str, Level)] = &[
    ("phum", Level::Village),
    ("village", Level::Village),
    ("khum", Level::Commune),
    ("sangkat", Level::Commune),
    ("commune", Level::Commune),
    ("srok", Level::District),
    ("khan", Level::District),
    ("district", Level::District),
    ("krong", Level::District),
    ("municipality", Level::District),
    ("city", Level::District),
    ("khett", Level::Province),
    ("khet", Level::Province),
    ("province", Level::Province),
    ("capital", Level::Province),
];
const LEVEL_WORDS_KM: &[(&str, Level)] = &[
    ("ភូមិ", Level::Village),
    ("ឃុំ", Level::Commune),
    ("សង្កាត់", Level::Commune),
    ("ស្រុក", Level::District),
    ("ខណ្ឌ", Level::District),
    ("ក្រុង", Level::District),
    ("ខេត្ត", Level::Province),
    ("រាជធានី", Level::Province),
];

/// Scopes of at most this many places (of the level asked) are compared whole; larger ones go
/// through trigrams first.
const COMPARE_ALL: usize = 300;
/// How many trigram candidates are compared in a large scope.
const CANDIDATES: usize = 150;
/// How many of those, the most alike by key, are scored in full.
const SHORTLIST: usize = 50;
/// A query that is the beginning of a name counts a little less than the whole name, and only
/// when it is that beginning almost letter for letter (someone still typing).
const PREFIX: f64 = 0.9;
const PREFIX_NEAR: f64 = 0.9;
/// Characters of a query read; the rest is ignored.
const MAX_QUERY: usize = 120;
/// Below this a place is not shown at all.
const MIN_SCORE: f64 = 0.6;

pub struct Entry {
    pub code: String,
    pub level: Level,
    forms: Vec<Form>,
    /// Its names exactly as written (see `as_written`), to tell apart two places a query
    /// matches equally well by sound: "ទីកល្អក់" and "ទឹកល្អក់", or "Chek" and "Srok Chek".
    written: Vec<String>,
    /// How many distinct key trigrams its forms have.
    grams: u16,
}

/// One answer: the place's code and how well it matched (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub code: String,
    pub score: f64,
}

#[derive(Default)]
pub struct PlaceIndex {
    /// In code order, so a place's descendants follow it.
    entries: Vec<Entry>,
    by_code: HashMap<String, usize>,
    /// Trigram of a form's key → entries having it.
    grams: HashMap<[char; 3], Vec<u32>>,
}

/// The query, read: the name's forms, the levels its unit words point to, and the forms of
/// the places named after a comma.
struct Query {
    forms: Vec<Form>,
    /// The name as written, unit words and all, when it had some: a place named so ("ភូមិថ្មី")
    /// goes before one named without them ("ថ្មី") that is otherwise as alike.
    written: Vec<Form>,
    levels: Vec<Level>,
    context: Vec<Vec<Form>>,
    /// The name part as written, for `Entry::written`.
    as_written: String,
}

/// A name as written, only case, spacing and invisible characters aside.
fn as_written(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '\u{200B}').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Forms of a place name without its unit words (and with them, when they were written).
/// A place's own names keep the form with the unit word too (some names are "Phum Thmei");
/// a query's stripped form meets the stripped form of those, so it needs no other.
fn name_forms(name: &str, levels: &mut Vec<Level>, with_units: bool) -> Vec<Form> {
    let name = name.trim();
    if is_khmer(name) {
        let mut rest = name;
        while let Some((w, l)) = LEVEL_WORDS_KM.iter().find(|(w, _)| rest.starts_with(w)) {
            let next = rest[w.len()..].trim_start_matches(|c: char| c.is_whitespace() || c == '\u{200B}');
            levels.push(*l);
            if next.is_empty() {
                break;
            }
            rest = next;
        }
        let mut forms = forms_of(rest);
        if rest != name && with_units {
            forms.extend(forms_of(name));
        }
        return forms;
    }
    let words = latin_words(name);
    let kept: Vec<String> = words
        .iter()
        .filter(|w| match LEVEL_WORDS.iter().find(|(u, _)| u == w) {
            Some((_, l)) => {
                levels.push(*l);
                false
            }
            None => true,
        })
        .cloned()
        .collect();
    let mut forms = Vec::new();
    if kept.is_empty() {
        latin_forms(&words, false, &mut forms);
    } else {
        latin_forms(&kept, false, &mut forms);
        // A lone word after a unit word may be a Roman numeral ("Phum IX"), read only after another.
        if kept.len() != words.len() && (with_units || kept.len() == 1) {
            latin_forms(&words, false, &mut forms);
        }
    }
    forms
}

impl std::fmt::Debug for PlaceIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlaceIndex({} places)", self.entries.len())
    }
}

fn trigrams(chars: &[char]) -> impl Iterator<Item = [char; 3]> + '_ {
    chars.windows(3).map(|w| [w[0], w[1], w[2]])
}

impl PlaceIndex {
    /// An index of places: (code, Khmer name, romanised name, former names).
    pub fn new<'a>(places: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a str)>) -> PlaceIndex {
        let mut entries: Vec<Entry> = Vec::new();
        for (code, km, latin, former) in places {
            let Some(level) = Level::of_code(code) else { continue };
            let mut ignored = Vec::new();
            let mut forms = name_forms(km, &mut ignored, true);
            forms.extend(name_forms(latin, &mut ignored, true));
            // Former names are stored as one text: each Khmer word is a name, the rest one.
            let (old_km, old_latin): (Vec<&str>, Vec<&str>) = former.split_whitespace().partition(|w| is_khmer(w));
            for n in old_km.into_iter().chain(std::iter::once(old_latin.join(" ").as_str()).filter(|s| !s.is_empty())) {
                for f in name_forms(n, &mut ignored, true) {
                    if !forms.contains(&f) {
                        forms.push(f);
                    }
                }
            }
            let written = [km, latin].into_iter().map(as_written).filter(|w| !w.is_empty()).collect();
            entries.push(Entry { code: code.to_string(), level, forms, written, grams: 0 });
        }
        entries.sort_by(|a, b| a.code.cmp(&b.code));
        let mut index = PlaceIndex { entries, ..PlaceIndex::default() };
        for (i, e) in index.entries.iter_mut().enumerate() {
            index.by_code.insert(e.code.clone(), i);
            let mut mine: Vec<[char; 3]> = e.forms.iter().flat_map(|f| trigrams(if f.khmer { &f.text } else { &f.key })).collect();
            mine.sort_unstable();
            mine.dedup();
            e.grams = mine.len().min(u16::MAX as usize) as u16;
            for g in mine {
                index.grams.entry(g).or_default().push(i as u32);
            }
        }
        index
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn read(query: &str) -> Query {
        // No place name is near this long; a longer query (or one of many commas) is only work.
        let query: String = query.chars().take(MAX_QUERY).collect();
        let mut parts = query.split([',', '،', '៖']).take(3);
        let mut levels = Vec::new();
        let first = parts.next().unwrap_or("");
        let forms = name_forms(first, &mut levels, false);
        let written = if levels.is_empty() { Vec::new() } else { forms_of(first.trim()) };
        let context = parts.map(|p| name_forms(p, &mut Vec::new(), false)).filter(|f| !f.is_empty()).collect();
        Query { forms, written, levels, context, as_written: as_written(first) }
    }

    /// The entries under `within` (a code prefix), as an index range: the places inside it,
    /// not the place itself (a search within a district looks for its communes and villages).
    fn scope(&self, within: &str) -> std::ops::Range<usize> {
        // Codes are never empty, so an empty `within` starts at the first place.
        let start = self.entries.partition_point(|e| e.code.as_str() <= within);
        let end = start + self.entries[start..].partition_point(|e| e.code.starts_with(within));
        start..end
    }

    /// Entries in `range` (of `level`) sharing the most key trigrams with the query, relative
    /// to how many they have (a Dice coefficient), at most `CANDIDATES`.
    fn candidates(&self, q: &Query, range: &std::ops::Range<usize>, level: Option<Level>) -> Vec<usize> {
        let mut grams: Vec<[char; 3]> = Vec::new();
        for f in &q.forms {
            grams.extend(trigrams(if f.khmer { &f.text } else { &f.key }));
        }
        grams.sort_unstable();
        grams.dedup();
        let mut counts = vec![0u16; range.len()];
        for g in &grams {
            let list = self.grams.get(g).map(Vec::as_slice).unwrap_or_default();
            // Postings are in entry order, so the scope is one slice of each.
            let from = list.partition_point(|&i| (i as usize) < range.start);
            let to = list.partition_point(|&i| (i as usize) < range.end);
            for &i in &list[from..to] {
                counts[i as usize - range.start] += 1;
            }
        }
        let wanted = |i: usize| level.is_none_or(|l| self.entries[i].level == l);
        // A query too short for trigrams: the names it begins.
        if grams.is_empty() {
            let mut found = Vec::new();
            for i in range.clone().filter(|&i| wanted(i)) {
                if self.entries[i].forms.iter().any(|e| q.forms.iter().any(|f| f.khmer == e.khmer && e.text.starts_with(&f.text))) {
                    found.push(i);
                    if found.len() >= CANDIDATES {
                        break;
                    }
                }
            }
            return found;
        }
        let qn = grams.len() as f64;
        let dice = |k: usize| 2.0 * counts[k] as f64 / (qn + self.entries[range.start + k].grams as f64);
        let mut ranked: Vec<usize> = (0..counts.len()).filter(|&k| counts[k] > 0 && wanted(range.start + k)).collect();
        if ranked.len() > CANDIDATES {
            ranked.select_nth_unstable_by(CANDIDATES, |&a, &b| dice(b).total_cmp(&dice(a)).then(a.cmp(&b)));
            ranked.truncate(CANDIDATES);
        }
        ranked.into_iter().map(|k| range.start + k).collect()
    }

    /// The candidates most like the query by key alone, when there are many: the full score
    /// (spelling and key, every form, the places above) is the costly part of a search.
    fn shortlist(&self, q: &Query, mut pool: Vec<usize>) -> Vec<usize> {
        if pool.len() <= SHORTLIST {
            return pool;
        }
        let mut scored: Vec<(f64, usize)> = pool.iter().map(|&i| (quick(&q.forms, &self.entries[i].forms, PREFIX), i)).collect();
        scored.select_nth_unstable_by(SHORTLIST, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        pool.clear();
        pool.extend(scored[..SHORTLIST].iter().map(|(_, i)| *i));
        pool
    }

    /// How well entry `i` answers the query.
    fn score(&self, q: &Query, i: usize) -> f64 {
        let e = &self.entries[i];
        let (whole, prefix) = best(&q.forms, &e.forms);
        let mut s = if prefix >= PREFIX_NEAR { whole.max(prefix * PREFIX) } else { whole };
        if !q.levels.is_empty() {
            s += if q.levels.contains(&e.level) { 0.02 } else { -0.05 };
            if !q.written.is_empty() && best(&q.written, &e.forms).0 >= 1.0 {
                s += 0.005;
            }
        }
        // Alike by sound, but this one is spelled exactly so.
        if e.written.contains(&q.as_written) {
            s += 0.003;
        }
        for ctx in &q.context {
            // The best of the places above this one, by name.
            let above = Level::ALL
                .iter()
                .filter(|l| **l < e.level)
                .filter_map(|l| self.by_code.get(&e.code[..l.code_len()]))
                .map(|&j| {
                    let (w, p) = best(ctx, &self.entries[j].forms);
                    if p >= PREFIX_NEAR {
                        w.max(p * PREFIX)
                    } else {
                        w
                    }
                })
                .fold(0.0, f64::max);
            s += 0.1 * (above - 0.7).max(-0.3);
        }
        s
    }

    /// Places whose names are most like `query`, best first: at most `limit`, of `level` if
    /// given, under the place `within` if given.
    pub fn search(&self, query: &str, level: Option<Level>, within: &str, limit: usize) -> Vec<Hit> {
        let q = Self::read(query);
        if q.forms.is_empty() {
            return Vec::new();
        }
        let range = self.scope(within);
        // A district, or a province's districts, are compared whole; a province's villages or the
        // nation's go through trigrams first.
        let wanted = |i: &usize| level.is_none_or(|l| self.entries[*i].level == l);
        let small = range.len() <= COMPARE_ALL || range.clone().filter(wanted).nth(COMPARE_ALL).is_none();
        let pool: Vec<usize> = if small { range.clone().filter(wanted).collect() } else { self.candidates(&q, &range, level) };
        let pool = self.shortlist(&q, pool);
        let mut hits: Vec<(f64, usize)> = pool.into_iter().map(|i| (self.score(&q, i), i)).filter(|(s, _)| *s >= MIN_SCORE).collect();
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(self.entries[a.1].level.cmp(&self.entries[b.1].level)).then(a.1.cmp(&b.1)));
        hits.truncate(limit);
        hits.into_iter().map(|(score, i)| Hit { code: self.entries[i].code.clone(), score: score.min(1.0) }).collect()
    }
}
