//! Ranked place search: every place of the gazetteer under its names in both scripts, found by
//! how alike they are to what was typed, not only by containing it. Type-ahead, the address
//! pickers and the importer all ask this index.
//!
//! Administrative words in a query ("Phum", "Srok", "ឃុំ", "Province") say which level is
//! meant; they are no part of the name. A query "krapeu pir, veal" names a place and, after the
//! comma, a place above it.

use crate::forms::{best, forms_of, latin_forms, latin_words, Form};
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

/// Scopes of at most this many places are compared whole; larger ones go through n-grams.
const COMPARE_ALL: usize = 2500;
/// How many n-gram candidates are compared in a large scope.
const CANDIDATES: usize = 400;
/// A query that is the beginning of a name counts a little less than the whole name, and only
/// when it is that beginning almost letter for letter (someone still typing).
const PREFIX: f64 = 0.9;
const PREFIX_NEAR: f64 = 0.9;
/// Below this a place is not shown at all.
const MIN_SCORE: f64 = 0.6;

pub struct Entry {
    pub code: String,
    pub level: Level,
    forms: Vec<Form>,
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
    levels: Vec<Level>,
    context: Vec<Vec<Form>>,
}

/// Forms of a place name without its unit words (and with them, when they were written).
fn name_forms(name: &str, levels: &mut Vec<Level>) -> Vec<Form> {
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
        if rest != name {
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
        if kept.len() != words.len() {
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
            let mut forms = name_forms(km, &mut ignored);
            forms.extend(name_forms(latin, &mut ignored));
            // Former names are stored as one text: each Khmer word is a name, the rest one.
            let (old_km, old_latin): (Vec<&str>, Vec<&str>) = former.split_whitespace().partition(|w| is_khmer(w));
            for n in old_km.into_iter().chain(std::iter::once(old_latin.join(" ").as_str()).filter(|s| !s.is_empty())) {
                for f in name_forms(n, &mut ignored) {
                    if !forms.contains(&f) {
                        forms.push(f);
                    }
                }
            }
            entries.push(Entry { code: code.to_string(), level, forms });
        }
        entries.sort_by(|a, b| a.code.cmp(&b.code));
        let mut index = PlaceIndex { entries, ..PlaceIndex::default() };
        for (i, e) in index.entries.iter().enumerate() {
            index.by_code.insert(e.code.clone(), i);
            for f in &e.forms {
                let chars = if f.khmer { &f.text } else { &f.key };
                for g in trigrams(chars) {
                    let list = index.grams.entry(g).or_default();
                    if list.last() != Some(&(i as u32)) {
                        list.push(i as u32);
                    }
                }
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
        let mut parts = query.split([',', '،', '៖']);
        let mut levels = Vec::new();
        let forms = name_forms(parts.next().unwrap_or(""), &mut levels);
        let context = parts.map(|p| name_forms(p, &mut Vec::new())).filter(|f| !f.is_empty()).collect();
        Query { forms, levels, context }
    }

    /// The entries under `within` (a code prefix), as an index range: the places inside it,
    /// not the place itself (a search within a district looks for its communes and villages).
    fn scope(&self, within: &str) -> std::ops::Range<usize> {
        let start = self.entries.partition_point(|e| e.code.as_str() <= within || (within.is_empty() && e.code.is_empty()));
        let end = start + self.entries[start..].partition_point(|e| e.code.starts_with(within));
        start..end
    }

    /// Entries in `range` sharing the most key trigrams with the query.
    fn candidates(&self, q: &Query, range: &std::ops::Range<usize>) -> Vec<usize> {
        let mut counts: HashMap<u32, u16> = HashMap::new();
        for f in &q.forms {
            let chars = if f.khmer { &f.text } else { &f.key };
            for g in trigrams(chars) {
                for &i in self.grams.get(&g).map(Vec::as_slice).unwrap_or_default() {
                    if range.contains(&(i as usize)) {
                        *counts.entry(i).or_default() += 1;
                    }
                }
            }
        }
        // A query too short for trigrams: the names it begins.
        if q.forms.iter().all(|f| (if f.khmer { &f.text } else { &f.key }).len() < 3) {
            for i in range.clone() {
                if self.entries[i].forms.iter().any(|e| q.forms.iter().any(|f| f.khmer == e.khmer && e.text.starts_with(&f.text))) {
                    counts.insert(i as u32, 1);
                }
                if counts.len() >= CANDIDATES {
                    break;
                }
            }
        }
        let mut ranked: Vec<(u16, u32)> = counts.into_iter().map(|(i, n)| (n, i)).collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(CANDIDATES);
        ranked.into_iter().map(|(_, i)| i as usize).collect()
    }

    /// How well entry `i` answers the query.
    fn score(&self, q: &Query, i: usize) -> f64 {
        let e = &self.entries[i];
        let (whole, prefix) = best(&q.forms, &e.forms);
        let mut s = if prefix >= PREFIX_NEAR { whole.max(prefix * PREFIX) } else { whole };
        if !q.levels.is_empty() {
            s += if q.levels.contains(&e.level) { 0.02 } else { -0.05 };
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
        let pool: Vec<usize> = if range.len() <= COMPARE_ALL { range.clone().collect() } else { self.candidates(&q, &range) };
        let mut hits: Vec<(f64, usize)> = pool
            .into_iter()
            .filter(|&i| level.is_none_or(|l| self.entries[i].level == l))
            .map(|i| (self.score(&q, i), i))
            .filter(|(s, _)| *s >= MIN_SCORE)
            .collect();
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(self.entries[a.1].level.cmp(&self.entries[b.1].level)).then(a.1.cmp(&b.1)));
        hits.truncate(limit);
        hits.into_iter().map(|(score, i)| Hit { code: self.entries[i].code.clone(), score: score.min(1.0) }).collect()
    }
}
