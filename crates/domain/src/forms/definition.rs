//! Building a form: a field as typed on the builder page, checked; the draft's edits (add,
//! change, remove, move); and the check before a draft is published as a version.

use super::{Choice, FieldDef, FieldKind, FormDef, MAX_FIELD_NUMBER};
use crate::case::entries::{flag, pick};
use crate::text;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

pub const MAX_FIELDS: usize = 80;
pub const MAX_CHOICES: usize = 30;
const LABEL: usize = 200;
const HELP: usize = 500;
const CHOICE: usize = 120;
/// The largest score a choice may carry (either way).
pub const MAX_SCORE: i64 = 1000;
/// The longest answer a long text field may allow.
pub const LONGEST_TEXT: i64 = 2000;

/// A field as typed on the builder page (or sent to the API): every value a string; choices
/// one per line, Khmer and English in the same order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldInput {
    pub kind: Option<String>,
    pub label_km: Option<String>,
    pub label_en: Option<String>,
    pub help_km: Option<String>,
    pub help_en: Option<String>,
    pub required: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub choices_km: Option<String>,
    pub choices_en: Option<String>,
    /// A score per choice, one per line in the same order (all or none): a scored question.
    pub scores: Option<String>,
}

fn lines(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

fn number(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> Option<i64> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    crate::child::parse_number::<i64>(raw).or_else(|| {
        e.push(field, "err-number");
        None
    })
}

impl FieldInput {
    /// The field checked, with its code; `old`: the field it replaces, whose choices keep their
    /// codes where their words are the same.
    pub fn validate(&self, code: String, old: Option<&FieldDef>) -> Result<FieldDef, Invalid> {
        let mut e = Invalid::default();
        let kind = pick(&mut e, "kind", self.kind.as_deref(), FieldKind::parse);
        let label_km = text::required(&mut e, "label_km", self.label_km.as_deref(), LABEL);
        let label_en = text::optional(&mut e, "label_en", self.label_en.as_deref(), LABEL).unwrap_or_default();
        let help_km = text::optional(&mut e, "help_km", self.help_km.as_deref(), HELP).unwrap_or_default();
        let help_en = text::optional(&mut e, "help_en", self.help_en.as_deref(), HELP).unwrap_or_default();
        let (mut min, mut max) = (number(&mut e, "min", self.min.as_deref()), number(&mut e, "max", self.max.as_deref()));
        let mut choices = Vec::new();
        match kind {
            Some(k) if k.has_choices() => {
                let (km, en) = (lines(self.choices_km.as_deref()), lines(self.choices_en.as_deref()));
                if km.len() < 2 || km.len() > MAX_CHOICES || (!en.is_empty() && en.len() != km.len()) {
                    e.push("choices_km", "err-form-choices");
                } else if km.iter().chain(&en).any(|c| c.chars().count() > CHOICE || c.chars().any(char::is_control)) {
                    e.push("choices_km", "err-too-long");
                } else {
                    let scores: Vec<Option<i64>> = match lines(self.scores.as_deref()) {
                        given if given.is_empty() => vec![None; km.len()],
                        given => {
                            let parsed: Vec<Option<i64>> = given.iter().map(|g| crate::child::parse_number::<i64>(g)).collect();
                            if given.len() != km.len() || parsed.iter().any(|p| !p.is_some_and(|v| v.abs() <= MAX_SCORE)) {
                                e.push("scores", "err-form-scores");
                            }
                            parsed
                        }
                    };
                    let mut next = old
                        .map_or(0, |o| o.choices.iter().filter_map(|c| c.code.strip_prefix('c')?.parse::<u32>().ok()).max().unwrap_or(0));
                    for (i, k) in km.iter().enumerate() {
                        let en = en.get(i).cloned().unwrap_or_default();
                        // A choice keeps its code when its Khmer words stay: answers given to it
                        // are still counted under it.
                        let code = match old.and_then(|o| o.choices.iter().find(|c| c.km == *k)) {
                            Some(c) => c.code.clone(),
                            None => {
                                next += 1;
                                format!("c{next}")
                            }
                        };
                        if choices.iter().any(|c: &Choice| c.km == *k) {
                            e.push("choices_km", "err-form-choice-twice");
                        }
                        choices.push(Choice { code, km: k.clone(), en, score: scores.get(i).copied().flatten() });
                    }
                }
            }
            Some(FieldKind::Number) => {
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        e.push("max", "err-form-min-max");
                    }
                }
            }
            Some(FieldKind::Text | FieldKind::LongText) => {
                min = None;
                let limit = if kind == Some(FieldKind::Text) { text::SHORT as i64 } else { LONGEST_TEXT };
                if max.is_some_and(|m| !(1..=limit).contains(&m)) {
                    e.push("max", "err-out-of-range");
                }
            }
            _ => {
                min = None;
                max = None;
            }
        }
        let required = flag(self.required.as_deref()) && kind != Some(FieldKind::Section);
        match kind {
            Some(kind) if e.errors.is_empty() => {
                Ok(FieldDef { code, kind, label_km, label_en, help_km, help_en, required, min, max, choices })
            }
            _ => Err(e),
        }
    }

    /// The builder's form filled in with a field, to change it.
    pub fn of(f: &FieldDef) -> FieldInput {
        let join = |en: bool| f.choices.iter().map(|c| if en { c.en.clone() } else { c.km.clone() }).collect::<Vec<_>>().join("\n");
        FieldInput {
            kind: Some(f.kind.code().into()),
            label_km: Some(f.label_km.clone()),
            label_en: Some(f.label_en.clone()),
            help_km: Some(f.help_km.clone()),
            help_en: Some(f.help_en.clone()),
            required: f.required.then(|| "on".into()),
            min: f.min.map(|v| v.to_string()),
            max: f.max.map(|v| v.to_string()),
            choices_km: Some(join(false)),
            choices_en: Some(join(true)),
            scores: f
                .choices
                .iter()
                .any(|c| c.score.is_some())
                .then(|| f.choices.iter().map(|c| c.score.map(|v| v.to_string()).unwrap_or_default()).collect::<Vec<_>>().join("\n")),
        }
    }
}

/// Where a field moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

impl FormDef {
    /// A new draft with its names checked.
    pub fn named(name_km: Option<&str>, name_en: Option<&str>) -> Result<FormDef, Invalid> {
        let mut e = Invalid::default();
        let name_km = text::required(&mut e, "name_km", name_km, 120);
        let name_en = text::optional(&mut e, "name_en", name_en, 120).unwrap_or_default();
        e.into_result(FormDef { name_km, name_en, fields: Vec::new(), next_field: 1 })
    }

    /// Add a field at the end; returns its code.
    pub fn add_field(&mut self, input: &FieldInput) -> Result<String, Invalid> {
        if self.fields.len() >= MAX_FIELDS || self.next_field > MAX_FIELD_NUMBER {
            let mut e = Invalid::default();
            e.push("kind", "err-form-too-many");
            return Err(e);
        }
        let code = format!("f{}", self.next_field);
        let field = input.validate(code.clone(), None)?;
        self.fields.push(field);
        self.next_field += 1;
        Ok(code)
    }

    /// Change a field in place (it keeps its code, so its answers stay its answers).
    pub fn change_field(&mut self, code: &str, input: &FieldInput) -> Result<(), Invalid> {
        let Some(i) = self.fields.iter().position(|f| f.code == code) else {
            let mut e = Invalid::default();
            e.push("kind", "err-not-found");
            return Err(e);
        };
        let field = input.validate(code.to_string(), Some(&self.fields[i]))?;
        self.fields[i] = field;
        Ok(())
    }

    /// Remove a field from the draft (published versions keep it).
    pub fn remove_field(&mut self, code: &str) -> bool {
        let before = self.fields.len();
        self.fields.retain(|f| f.code != code);
        self.fields.len() != before
    }

    pub fn move_field(&mut self, code: &str, to: Move) -> bool {
        let Some(i) = self.fields.iter().position(|f| f.code == code) else { return false };
        let j = match to {
            Move::Up if i > 0 => i - 1,
            Move::Down if i + 1 < self.fields.len() => i + 1,
            _ => return false,
        };
        self.fields.swap(i, j);
        true
    }

    /// Whether the draft may be published: named, and asking at least one question.
    pub fn check_publishable(&self) -> Result<(), Invalid> {
        let mut e = Invalid::default();
        if self.name_km.trim().is_empty() {
            e.push("name_km", "err-required");
        }
        if self.questions().next().is_none() {
            e.push("fields", "err-form-empty");
        }
        e.into_result(())
    }
}
