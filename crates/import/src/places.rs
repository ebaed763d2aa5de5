//! Addresses written as words, resolved onto the gazetteer: "ភ្នំពេញ / Phnom Penh" and "Toul
//! Kork" become province 12 and its khan. Each level is looked for under the one above it
//! (codes are hierarchical: a district's code starts with its province's), by Khmer or
//! romanised name in any of its spellings. What cannot be settled is said exactly: an unknown
//! name with the nearest names as suggestions, several places of one name with each of them,
//! or a name found one level down (OSCaR workbooks often put a commune in the district column).

pub use krousar_match::place::Level;
use krousar_match::place::{place_key, without_unit_km, without_unit_latin};
use krousar_match::place_index::PlaceIndex;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceEntry {
    pub code: String,
    pub name_km: String,
    pub name_latin: String,
}

/// The gazetteer, keyed for resolving written names.
#[derive(Debug, Default)]
pub struct Places {
    entries: Vec<PlaceEntry>,
    by_code: HashMap<String, usize>,
    /// (level, name key) → entries.
    by_key: HashMap<(Level, String), Vec<usize>>,
    /// Addresses already resolved: a workbook writes the same few hundred addresses on
    /// thousands of rows, and an unknown name is compared with every name of its level.
    resolved: Mutex<HashMap<[Option<String>; 4], Resolution>>,
    /// Ranked search, for the nearest names of one that is not found.
    index: Arc<PlaceIndex>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceProblem {
    /// No place of that name under the place above; the nearest names, best first.
    Unknown { level: Level, value: String, suggestions: Vec<String> },
    /// Several places of that name; each of them.
    Ambiguous { level: Level, value: String, candidates: Vec<String> },
    /// Not a place of this level, but exactly one place of that name one level down.
    WrongLevel { level: Level, value: String, found: String },
}

impl PlaceProblem {
    /// The code a user may accept instead of what was written, if there is one clear choice.
    pub fn fix(&self) -> Option<&str> {
        match self {
            PlaceProblem::Unknown { suggestions, .. } if suggestions.len() == 1 => Some(&suggestions[0]),
            PlaceProblem::WrongLevel { found, .. } => Some(found),
            _ => None,
        }
    }

    pub fn level(&self) -> Level {
        match self {
            PlaceProblem::Unknown { level, .. } | PlaceProblem::Ambiguous { level, .. } | PlaceProblem::WrongLevel { level, .. } => *level,
        }
    }
}

/// The deepest place settled, and what stopped it going deeper.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    pub code: Option<String>,
    pub problem: Option<PlaceProblem>,
}

/// How alike a name must be (`PlaceIndex` score) to be suggested.
const SUGGEST: f64 = 0.8;

impl Places {
    pub fn new(entries: Vec<PlaceEntry>) -> Places {
        let index = PlaceIndex::new(entries.iter().map(|e| (e.code.as_str(), e.name_km.as_str(), e.name_latin.as_str(), "")));
        Places::with_index(entries, Arc::new(index))
    }

    /// The gazetteer with a ranked index already built from the same places (the store's).
    pub fn with_index(entries: Vec<PlaceEntry>, index: Arc<PlaceIndex>) -> Places {
        let mut p = Places { entries, index, ..Places::default() };
        for (i, e) in p.entries.iter().enumerate() {
            p.by_code.insert(e.code.clone(), i);
            let Some(level) = Level::of_code(&e.code) else { continue };
            for key in [place_key(&e.name_km), place_key(&e.name_latin)] {
                if !key.is_empty() {
                    let list = p.by_key.entry((level, key)).or_default();
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            }
        }
        p
    }

    pub fn get(&self, code: &str) -> Option<&PlaceEntry> {
        self.by_code.get(code).map(|i| &self.entries[*i])
    }

    /// "Khmer / Latin (code)", for reports.
    pub fn label(&self, code: &str) -> String {
        match self.get(code) {
            Some(e) => format!("{} / {} ({})", e.name_km, e.name_latin, e.code),
            None => code.to_string(),
        }
    }

    /// Places of `level` under `parent` named `value` (any of its "/"-separated forms).
    fn named(&self, level: Level, parent: Option<&str>, value: &str) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        // "ភ្នំពេញ / Phnom Penh" is two forms of one name; "ភូមិ ១០/៨" is one name.
        for form in std::iter::once(value).chain(value.split('/')).map(str::trim).filter(|f| !f.is_empty()) {
            for &i in self.by_key.get(&(level, place_key(form))).into_iter().flatten() {
                if parent.is_none_or(|p| self.entries[i].code.starts_with(p)) && !found.contains(&i) {
                    found.push(i);
                }
            }
        }
        found.sort_by(|a, b| self.entries[*a].code.cmp(&self.entries[*b].code));
        // Spellings fold together ("Chong Doung" and "Chaeung Daeung" share a phonetic key): a
        // name written exactly as one of them is that one.
        if found.len() > 1 {
            let exact: Vec<usize> = found.iter().copied().filter(|i| self.written_as(*i, value)).collect();
            if exact.len() == 1 {
                return exact;
            }
        }
        found
    }

    /// Whether one of the "/"-separated forms of `value` is the place's own name, letter for
    /// letter (case, spacing and unit words aside).
    fn written_as(&self, i: usize, value: &str) -> bool {
        let e = &self.entries[i];
        let latin = krousar_match::plain_key(&without_unit_latin(&e.name_latin));
        let khmer = krousar_match::khmer_key(without_unit_km(&e.name_km));
        std::iter::once(value).chain(value.split('/')).map(str::trim).any(|f| {
            if krousar_match::is_khmer(f) {
                krousar_match::khmer_key(without_unit_km(f)) == khmer
            } else {
                krousar_match::plain_key(&without_unit_latin(f)) == latin
            }
        })
    }

    /// Names of `level` under `parent` that look like `value`, best first.
    fn near(&self, level: Level, parent: Option<&str>, value: &str) -> Vec<String> {
        let mut scored: Vec<(f64, String)> = Vec::new();
        // "ភ្នំពេញ / Phnom Penh" is two forms of one name; a comma is no part of one.
        for form in value.split('/').map(|f| f.replace(',', " ")).filter(|f| !f.trim().is_empty()) {
            for hit in self.index.search(&form, Some(level), parent.unwrap_or(""), 5) {
                match scored.iter_mut().find(|(_, c)| *c == hit.code) {
                    Some(s) => s.0 = s.0.max(hit.score),
                    None => scored.push((hit.score, hit.code)),
                }
            }
        }
        scored.retain(|(s, _)| *s >= SUGGEST);
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // One clear best is a suggestion; a tie is a list to choose from.
        if scored.len() > 1 && scored[0].0 > scored[1].0 + 0.05 {
            scored.truncate(1);
        }
        scored.into_iter().take(5).map(|(_, c)| c).collect()
    }

    /// Resolve an address given as names (any may be blank), province first.
    pub fn resolve(&self, names: [Option<&str>; 4]) -> Resolution {
        let key = names.map(|n| n.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()));
        if let Some(r) = self.resolved.lock().expect("not poisoned").get(&key) {
            return r.clone();
        }
        let r = self.resolve_names(names);
        self.resolved.lock().expect("not poisoned").insert(key, r.clone());
        r
    }

    fn resolve_names(&self, names: [Option<&str>; 4]) -> Resolution {
        let mut parent: Option<String> = None;
        for (level, value) in Level::ALL.into_iter().zip(names) {
            let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { continue };
            // A code written instead of a name.
            let digits = krousar_domain::text::ascii_digits(value);
            if let Some(i) = self.by_code.get(&digits).filter(|_| Level::of_code(&digits) == Some(level)) {
                let code = &self.entries[*i].code;
                if parent.as_deref().is_none_or(|p| code.starts_with(p)) {
                    parent = Some(code.clone());
                    continue;
                }
            }
            let found = self.named(level, parent.as_deref(), value);
            match found.as_slice() {
                [one] => parent = Some(self.entries[*one].code.clone()),
                [] => {
                    let deeper = Level::ALL.into_iter().filter(|l| *l > level).find_map(|l| {
                        let f = self.named(l, parent.as_deref(), value);
                        (f.len() == 1).then(|| self.entries[f[0]].code.clone())
                    });
                    let problem = match deeper {
                        Some(found) => PlaceProblem::WrongLevel { level, value: value.to_string(), found },
                        None => PlaceProblem::Unknown {
                            level,
                            value: value.to_string(),
                            suggestions: self.near(level, parent.as_deref(), value),
                        },
                    };
                    return Resolution { code: parent, problem: Some(problem) };
                }
                many => {
                    let candidates = many.iter().map(|i| self.entries[*i].code.clone()).collect();
                    let problem = PlaceProblem::Ambiguous { level, value: value.to_string(), candidates };
                    return Resolution { code: parent, problem: Some(problem) };
                }
            }
        }
        Resolution { code: parent, problem: None }
    }
}
