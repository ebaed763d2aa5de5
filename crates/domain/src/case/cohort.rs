//! Registering a cohort when an RCI closes: the day it closed, and the children not yet in the
//! register, typed or pasted one per line — `Khmer name | Latin name | F or M | birth year`
//! (either name may be left empty, not both; the year may be unknown).

use crate::choices::Sex;
use crate::text::{self, SHORT};
use crate::validation::Invalid;
use chrono::{Datelike, NaiveDate};

/// At most this many new children in one submission (the largest closures were ~60 children).
pub const MAX_NEW: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChild {
    pub name_km: Option<String>,
    pub name_latin: Option<String>,
    pub sex: Sex,
    pub birth_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    pub closed_on: NaiveDate,
    pub new_children: Vec<NewChild>,
}

fn sex(raw: &str) -> Option<Sex> {
    match raw.trim().to_lowercase().as_str() {
        "f" | "female" | "ស្រី" | "ស" => Some(Sex::Female),
        "m" | "male" | "ប្រុស" | "ប" => Some(Sex::Male),
        _ => None,
    }
}

/// The children on the lines, and the numbers (from 1) of the lines that could not be read.
pub fn parse_lines(lines: &str, today: NaiveDate) -> (Vec<NewChild>, Vec<usize>) {
    let mut new_children = Vec::new();
    let mut bad_lines = Vec::new();
    for (i, line) in lines.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let mut le = Invalid::default();
        let km = text::optional(&mut le, "lines", parts.first().copied(), SHORT);
        let latin = text::optional(&mut le, "lines", parts.get(1).copied(), SHORT);
        let s = parts.get(2).and_then(|p| sex(p));
        let year = match parts.get(3).filter(|y| !y.is_empty()) {
            None => Ok(None),
            Some(y) => match crate::child::parse_number::<i32>(y) {
                Some(y) if (today.year() - 30..=today.year()).contains(&y) => Ok(Some(y)),
                _ => Err(()),
            },
        };
        match ((3..=4).contains(&parts.len()), km.is_some() || latin.is_some(), s, year, le.errors.is_empty()) {
            (true, true, Some(sex), Ok(birth_year), true) => {
                new_children.push(NewChild { name_km: km, name_latin: latin, sex, birth_year })
            }
            _ => bad_lines.push(i + 1),
        }
    }
    (new_children, bad_lines)
}

/// Parse the form: the closing date and every line must be readable.
pub fn parse(closed_on: Option<&str>, lines: &str, today: NaiveDate) -> Result<Cohort, Invalid> {
    let mut e = Invalid::default();
    let closed_on = super::entries::past_date(&mut e, "closed_on", closed_on, today);
    let (new_children, bad_lines) = parse_lines(lines, today);
    if !bad_lines.is_empty() {
        e.push("lines", "err-cohort-line");
    }
    if new_children.len() > MAX_NEW {
        e.push("lines", "err-cohort-too-many");
    }
    match closed_on {
        Some(closed_on) if e.errors.is_empty() => Ok(Cohort { closed_on, new_children }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn lines_become_children_and_bad_lines_are_named() {
        let text = "សុខ ស្រីពៅ | Sok Sreypov | F | 2014\n\nចាន់ ដារា | | ប្រុស | ២០១២\n | Mey | f |\n";
        let c = parse(Some("2026-11-01"), text, d("2026-11-23")).unwrap();
        assert_eq!(c.new_children.len(), 3);
        assert_eq!(c.new_children[1].birth_year, Some(2012));
        assert_eq!(c.new_children[1].sex, Sex::Male);
        assert_eq!(c.new_children[2].name_km, None);
        let bad = "សុខ | Sok | F | 2014\n | | F | 2014\nចាន់ | Chan | X | 2014\nចាន់ | Chan | M | 1900\n";
        assert_eq!(parse(Some("2026-11-01"), bad, d("2026-11-23")).unwrap_err().for_field("lines"), Some("err-cohort-line"));
        assert_eq!(parse_lines(bad, d("2026-11-23")).1, vec![2, 3, 4]);
        assert_eq!(parse(Some("2026-12-01"), "", d("2026-11-23")).unwrap_err().for_field("closed_on"), Some("err-date-future"));
        let empty = parse(Some("2026-11-01"), "", d("2026-11-23")).unwrap();
        assert!(empty.new_children.is_empty(), "a closure may only concern children already registered");
    }
}
