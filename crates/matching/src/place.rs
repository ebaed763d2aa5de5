//! Place names: people add or leave out the word for the kind of unit ("Srok Mongkol Borey",
//! "ខេត្តបាត់ដំបង", "Khan Toul Kork"), so it is no part of the name when comparing.

/// The four levels of the gazetteer. Codes are hierarchical: a level's code is its parent's
/// code and two more digits (province 2, district 4, commune 6, village 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Province,
    District,
    Commune,
    Village,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Province, Level::District, Level::Commune, Level::Village];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
            Level::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::District => 4,
            Level::Commune => 6,
            Level::Village => 8,
        }
    }

    /// The level of a code, by its length.
    pub fn of_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code_len() == code.len())
    }
}

/// Words naming the kind of unit in romanised names.
pub const UNIT_WORDS_LATIN: &[&str] =
    &["province", "capital", "city", "municipality", "krong", "khan", "srok", "district", "commune", "khum", "sangkat", "phum", "village"];
/// The same words in Khmer, written joined to the name.
pub const UNIT_WORDS_KM: &[&str] = &["ខេត្ត", "រាជធានី", "ក្រុង", "ស្រុក", "ខណ្ឌ", "ឃុំ", "សង្កាត់", "ភូមិ"];

/// A Khmer place name without the unit word it starts with (unless that is all it is).
pub fn without_unit_km(name: &str) -> &str {
    let name = name.trim();
    for w in UNIT_WORDS_KM {
        if let Some(rest) = name.strip_prefix(w).map(str::trim).filter(|r| !r.is_empty()) {
            return rest;
        }
    }
    name
}

/// A romanised place name without its unit words (unless that is all it is).
pub fn without_unit_latin(name: &str) -> String {
    let kept: Vec<&str> = name.split_whitespace().filter(|w| !UNIT_WORDS_LATIN.contains(&w.to_lowercase().as_str())).collect();
    if kept.is_empty() {
        name.trim().to_string()
    } else {
        kept.join(" ")
    }
}

/// The comparison key of one written form of a place name, in either script.
pub fn place_key(name: &str) -> String {
    if crate::is_khmer(name) {
        crate::khmer_key(without_unit_km(name))
    } else {
        crate::latin_key(&without_unit_latin(name).replace([' ', '-', '\''], ""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_words_do_not_count() {
        assert_eq!(place_key("Khan Toul Kork"), place_key("toul kork"));
        assert_eq!(place_key("ខេត្តបាត់ដំបង"), place_key("បាត់ដំបង"));
        assert_eq!(place_key("Mongkol Borey"), place_key("Mongkol Borei"));
        assert_eq!(without_unit_latin("Khan"), "Khan");
    }
}
