//! Forms an organisation builds for itself (issue 25), as data: fields of a few kinds, each
//! labelled in Khmer and English, required or not, with limits and choices. A form is edited as
//! a draft and published as numbered versions that never change afterwards; an answer names
//! its version and carries its questions' words, so no answer ever loses its question.

pub mod answers;
pub mod count;
pub mod definition;
pub mod file;
pub mod from_tool;
#[cfg(test)]
mod tests;

use crate::choices::pick_list;
use serde::{Deserialize, Serialize};

pick_list!(
    /// What a field asks for (`place`: a village of the gazetteer; `person`: a member of the
    /// record's household; `file`: a photo or scan kept with the case's files, on a case's
    /// forms only; `section`: a heading that starts a section, asking nothing).
    FieldKind, "field-kind", {
        Text => "text",
        LongText => "long_text",
        Number => "number",
        Date => "date",
        YesNo => "yes_no",
        OneChoice => "one_choice",
        SeveralChoices => "several_choices",
        Place => "place",
        Person => "person",
        File => "file",
        Section => "section",
    }
);

pick_list!(
    /// Where a form is filled in: on a case's timeline (a record of the work, dated), or on a
    /// record, kept up to date with each change kept: the child's own, a household's, or a
    /// carer household's in the register.
    FormTarget, "form-target", {
        Case => "case",
        Child => "child",
        Household => "household",
        Carer => "carer",
    }
);

impl FormTarget {
    /// Whether its answers are about a child (counted "N (nF)", girls apart).
    pub fn about_children(self) -> bool {
        matches!(self, FormTarget::Case | FormTarget::Child)
    }
}

impl FieldKind {
    pub fn has_choices(self) -> bool {
        matches!(self, FieldKind::OneChoice | FieldKind::SeveralChoices)
    }

    /// Answers of this kind can be counted by value ("children whose answer is Yes").
    pub fn countable(self) -> bool {
        matches!(self, FieldKind::YesNo | FieldKind::OneChoice | FieldKind::SeveralChoices)
    }
}

/// One choice of a one-choice or several-choices field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Choice {
    /// Stable within the field: `c1`, `c2`, … in the order made.
    pub code: String,
    pub km: String,
    pub en: String,
    /// Its score, on a scored question (an assessment: totals by section and over time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldDef {
    /// Stable across versions: `f1`, `f2`, … never reused within a form, so answers to the
    /// same question are compared and counted across versions.
    pub code: String,
    pub kind: FieldKind,
    pub label_km: String,
    pub label_en: String,
    #[serde(default)]
    pub help_km: String,
    #[serde(default)]
    pub help_en: String,
    #[serde(default)]
    pub required: bool,
    /// Numbers: the smallest and largest accepted; texts: the longest (characters).
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub choices: Vec<Choice>,
}

impl FieldDef {
    pub fn label(&self, khmer: bool) -> &str {
        if khmer || self.label_en.is_empty() {
            &self.label_km
        } else {
            &self.label_en
        }
    }

    pub fn help(&self, khmer: bool) -> &str {
        if khmer {
            &self.help_km
        } else {
            &self.help_en
        }
    }

    pub fn choice(&self, code: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.code == code)
    }
}

/// A form: its names and fields in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormDef {
    pub name_km: String,
    pub name_en: String,
    pub fields: Vec<FieldDef>,
    /// The next field number to give (`f<next>`): numbers are never reused.
    #[serde(default = "one")]
    pub next_field: u32,
}

fn one() -> u32 {
    1
}

impl FormDef {
    pub fn name(&self, khmer: bool) -> &str {
        if khmer || self.name_en.is_empty() {
            &self.name_km
        } else {
            &self.name_en
        }
    }

    pub fn field(&self, code: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// Whether it asks for a file (only a case's forms may: files are kept with the case).
    pub fn asks_for_files(&self) -> bool {
        self.questions().any(|f| f.kind == FieldKind::File)
    }

    /// The fields that ask something (not section headings).
    pub fn questions(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(|f| f.kind != FieldKind::Section)
    }
}

/// Field codes as `'static` names for validation messages (`Invalid` names fields statically):
/// one table made once, `f1` to `f{MAX_FIELD_NUMBER}`.
pub const MAX_FIELD_NUMBER: u32 = 500;

pub fn static_code(code: &str) -> &'static str {
    static CODES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let codes = CODES.get_or_init(|| (1..=MAX_FIELD_NUMBER).map(|n| &*Box::leak(format!("f{n}").into_boxed_str())).collect());
    codes.iter().copied().find(|c| *c == code).unwrap_or("answers")
}
