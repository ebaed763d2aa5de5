//! Answering a form: the values a worker typed, checked against the version's fields with the
//! same rules as the built-in forms (a clear message per field, nothing kept on bad input), and
//! kept with the words of each question and of each answer, in both languages.

use super::{static_code, FieldKind, FormDef};
use crate::case::entries::past_date;
use crate::text;
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// An answer's value, typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    Text(String),
    Number(i64),
    Date(NaiveDate),
    YesNo(bool),
    /// A choice's code.
    One(String),
    /// Choices' codes.
    Several(Vec<String>),
    /// A village's gazetteer code (8 digits).
    Place(String),
    /// A member of the record's household, by `person_key`.
    Person(String),
    /// A file kept with the case's files, by its id.
    File(String),
}

/// The villages a worker picked, named: code → (the path in Khmer, in Latin letters), looked
/// up in the gazetteer before the answers are checked. A code not in it is not a place.
pub type Places = BTreeMap<String, (String, String)>;

/// The people a person question may name: the members of the record's household (of each of
/// the child's households), `person_key` → (the name for a Khmer reader, for a Latin reader).
pub type People = BTreeMap<String, (String, String)>;

/// What answers name that the form cannot check by itself, looked up before they are checked
/// (by the reader allowed to answer on the record, so no refusal tells what a record holds).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub places: Places,
    pub people: People,
    /// The case's files an answer may name: id → file name (those sent with the answer, and
    /// those already kept with the case).
    pub files: BTreeMap<String, String>,
}

/// A household member as a person question names them: both their names, as kept (members are
/// written anew with each change of the household, so no row id lasts).
pub fn person_key(name_km: Option<&str>, name_latin: Option<&str>) -> String {
    format!("{}|{}", name_km.unwrap_or("").trim(), name_latin.unwrap_or("").trim())
}

/// A member's name for each reader: their Khmer name first for a Khmer reader, their Latin
/// one first for the others.
pub fn person_names(name_km: Option<&str>, name_latin: Option<&str>) -> (String, String) {
    let (km, latin) = (name_km.unwrap_or("").trim(), name_latin.unwrap_or("").trim());
    let first = |a: &str, b: &str| if a.is_empty() { b.to_string() } else { a.to_string() };
    (first(km, latin), first(latin, km))
}

impl AnswerValue {
    /// The codes this answer counts under (`yes`/`no`, a choice's code): empty for values
    /// that are not counted.
    pub fn counted(&self) -> Vec<String> {
        match self {
            AnswerValue::YesNo(b) => vec![if *b { "yes" } else { "no" }.to_string()],
            AnswerValue::One(c) => vec![c.clone()],
            AnswerValue::Several(cs) => cs.clone(),
            _ => Vec::new(),
        }
    }
}

/// One answer as kept: the question's code and words, the value, and how it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub code: String,
    pub label_km: String,
    pub label_en: String,
    pub value: AnswerValue,
    pub shown_km: String,
    pub shown_en: String,
    /// The score given, on a scored question (the sum of those picked, for several choices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
    /// The section the question stood in (its heading), for totals by section.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub section_km: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub section_en: String,
}

/// A scored form's totals: the whole, and each section's in the order asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub total: i64,
    /// (section in Khmer, in English, its total); questions outside a section are in the
    /// whole only.
    pub sections: Vec<(String, String, i64)>,
}

impl FormAnswers {
    /// The totals of a scored form's answers; none when no answer carries a score.
    pub fn totals(&self) -> Option<Totals> {
        let scored: Vec<&Answer> = self.answers.iter().filter(|a| a.score.is_some()).collect();
        if scored.is_empty() {
            return None;
        }
        let mut sections: Vec<(String, String, i64)> = Vec::new();
        for a in scored.iter().filter(|a| !a.section_km.is_empty()) {
            let score = a.score.unwrap_or(0);
            match sections.iter_mut().find(|(km, _, _)| *km == a.section_km) {
                Some(s) => s.2 += score,
                None => sections.push((a.section_km.clone(), a.section_en.clone(), score)),
            }
        }
        Some(Totals { total: scored.iter().filter_map(|a| a.score).sum(), sections })
    }
}

/// A filled-in form on a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormAnswers {
    pub form_id: Uuid,
    pub version_id: Uuid,
    pub version: u32,
    pub name_km: String,
    pub name_en: String,
    pub answered_on: NaiveDate,
    pub answers: Vec<Answer>,
}

/// Values as the offline app sends them (one text each; a several-choices field's codes joined
/// by commas, which codes never hold) as a page's form posts them; only the form's questions.
pub fn device_values<'a>(def: &FormDef, fields: impl IntoIterator<Item = (&'a String, &'a String)>) -> BTreeMap<String, Vec<String>> {
    fields
        .into_iter()
        .filter_map(|(k, v)| {
            let f = def.field(k).filter(|f| f.kind != FieldKind::Section)?;
            let values = if f.kind == FieldKind::SeveralChoices { v.split(',').map(String::from).collect() } else { vec![v.clone()] };
            Some((k.clone(), values))
        })
        .collect()
}

/// The values given to place fields (what must be looked up in the gazetteer for `validate`).
pub fn place_codes<'a>(def: &FormDef, raw: &'a BTreeMap<String, Vec<String>>) -> Vec<&'a str> {
    def.questions()
        .filter(|f| f.kind == FieldKind::Place)
        .filter_map(|f| raw.get(&f.code))
        .flatten()
        .map(|v| v.trim())
        .filter(|v| v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

/// Check what was typed (`field code` → values; several for a several-choices field) against
/// `def`, answered on `answered_on` (not after today); `known`: the villages and people it
/// may name.
pub fn validate(
    def: &FormDef,
    answered_on: Option<&str>,
    raw: &BTreeMap<String, Vec<String>>,
    today: NaiveDate,
    known: &Known,
) -> Result<(NaiveDate, Vec<Answer>), Invalid> {
    let mut e = Invalid::default();
    let on = past_date(&mut e, "answered_on", answered_on, today);
    let mut out = Vec::new();
    let mut section: Option<&super::FieldDef> = None;
    for f in &def.fields {
        if f.kind == FieldKind::Section {
            section = Some(f);
            continue;
        }
        let field = static_code(&f.code);
        let values: Vec<&str> =
            raw.get(&f.code).map(|v| v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
        if values.is_empty() {
            if f.required {
                e.push(field, "err-required");
            }
            continue;
        }
        let one = values[0];
        let value = match f.kind {
            FieldKind::Text | FieldKind::LongText => {
                let limit =
                    f.max.map_or(if f.kind == FieldKind::Text { text::SHORT } else { super::definition::LONGEST_TEXT as usize }, |m| {
                        m.max(1) as usize
                    });
                let v = if f.kind == FieldKind::Text {
                    text::optional(&mut e, field, Some(one), limit)
                } else {
                    text::paragraphs(&mut e, field, Some(one), limit)
                };
                v.map(AnswerValue::Text)
            }
            FieldKind::Number => match crate::child::parse_number::<i64>(one) {
                Some(n) if f.min.is_some_and(|m| n < m) || f.max.is_some_and(|m| n > m) => {
                    e.push(field, "err-out-of-range");
                    None
                }
                Some(n) => Some(AnswerValue::Number(n)),
                None => {
                    e.push(field, "err-number");
                    None
                }
            },
            FieldKind::Date => crate::case::entries::any_date(&mut e, field, Some(one)).map(AnswerValue::Date),
            FieldKind::YesNo => match one {
                "yes" => Some(AnswerValue::YesNo(true)),
                "no" => Some(AnswerValue::YesNo(false)),
                _ => {
                    e.push(field, "err-invalid-choice");
                    None
                }
            },
            FieldKind::OneChoice => match f.choice(one) {
                Some(c) if values.len() == 1 => Some(AnswerValue::One(c.code.clone())),
                _ => {
                    e.push(field, "err-invalid-choice");
                    None
                }
            },
            FieldKind::SeveralChoices => {
                let mut codes: Vec<String> = Vec::new();
                for v in &values {
                    match f.choice(v) {
                        Some(c) if !codes.contains(&c.code) => codes.push(c.code.clone()),
                        Some(_) => {}
                        None => e.push(field, "err-invalid-choice"),
                    }
                }
                Some(AnswerValue::Several(codes))
            }
            FieldKind::Place => match known.places.get(one) {
                Some(_) if values.len() == 1 => Some(AnswerValue::Place(one.to_string())),
                _ => {
                    e.push(field, "err-place-unknown");
                    None
                }
            },
            FieldKind::File => match known.files.get(one) {
                Some(_) if values.len() == 1 => Some(AnswerValue::File(one.to_string())),
                _ => {
                    e.push(field, "err-file-unknown");
                    None
                }
            },
            FieldKind::Person => match known.people.get(one) {
                Some(_) if values.len() == 1 => Some(AnswerValue::Person(one.to_string())),
                _ => {
                    e.push(field, "err-person-unknown");
                    None
                }
            },
            FieldKind::Section => None,
        };
        if let Some(value) = value {
            let (shown_km, shown_en) = match &value {
                AnswerValue::Place(code) => known.places.get(code).cloned().unwrap_or_default(),
                AnswerValue::Person(key) => known.people.get(key).cloned().unwrap_or_default(),
                AnswerValue::File(id) => known.files.get(id).map(|n| (n.clone(), n.clone())).unwrap_or_default(),
                v => shown(f, v),
            };
            let score = match &value {
                AnswerValue::One(c) => f.choice(c).and_then(|c| c.score),
                AnswerValue::Several(cs) if cs.iter().any(|c| f.choice(c).is_some_and(|c| c.score.is_some())) => {
                    Some(cs.iter().filter_map(|c| f.choice(c)?.score).sum())
                }
                _ => None,
            };
            out.push(Answer {
                code: f.code.clone(),
                label_km: f.label_km.clone(),
                label_en: f.label_en.clone(),
                value,
                shown_km,
                shown_en,
                score,
                section_km: section.map(|s| s.label_km.clone()).unwrap_or_default(),
                section_en: section.map(|s| s.label_en.clone()).unwrap_or_default(),
            });
        }
    }
    e.errors.dedup();
    match on {
        Some(on) if e.errors.is_empty() => Ok((on, out)),
        _ => Err(e),
    }
}

/// How a value reads in Khmer and in English (choices by their words, dates as stored).
fn shown(f: &super::FieldDef, v: &AnswerValue) -> (String, String) {
    let words = |codes: &[String], en: bool| {
        codes
            .iter()
            .filter_map(|c| f.choice(c))
            .map(|c| if en && !c.en.is_empty() { c.en.clone() } else { c.km.clone() })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v {
        AnswerValue::Text(t) => (t.clone(), t.clone()),
        AnswerValue::Number(n) => (n.to_string(), n.to_string()),
        AnswerValue::Date(d) => (d.to_string(), d.to_string()),
        AnswerValue::YesNo(b) => (if *b { "បាទ/ចាស" } else { "ទេ" }.into(), if *b { "Yes" } else { "No" }.into()),
        AnswerValue::One(c) => (words(std::slice::from_ref(c), false), words(std::slice::from_ref(c), true)),
        AnswerValue::Several(cs) => (words(cs, false), words(cs, true)),
        AnswerValue::Place(code) | AnswerValue::Person(code) | AnswerValue::File(code) => (code.clone(), code.clone()),
    }
}
