//! A form's definition as a file: downloaded from one organisation or installation and
//! imported into another. A file is hostile input: it is read within a size limit, every field
//! passes the builder's own checks (the same messages as typing it on the page), and codes must
//! be well formed and unique, so an imported form behaves exactly as one built here.

use super::definition::{FieldInput, MAX_FIELDS};
use super::{FormDef, FormTarget, MAX_FIELD_NUMBER};
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What the file says it is, so a wrong file gets a clear message rather than a parse error.
pub const FORMAT: &str = "krousar-form";
pub const FORMAT_VERSION: u32 = 1;
/// The largest file read (a form of 80 fields with long help in two languages is ~100 kB).
pub const MAX_BYTES: usize = 512 * 1024;

/// The file: what it is, and the form.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormFile {
    /// Always `krousar-form`.
    pub format: String,
    /// Always 1.
    pub format_version: u32,
    /// Where it is filled in: `case` (the default) or `child`.
    #[serde(default)]
    pub target: Option<String>,
    pub form: FormDef,
}

/// The file of a definition (pretty JSON, UTF-8).
pub fn to_file(def: &FormDef, target: FormTarget) -> Vec<u8> {
    let file = FormFile { format: FORMAT.into(), format_version: FORMAT_VERSION, target: Some(target.code().into()), form: def.clone() };
    serde_json::to_vec_pretty(&file).unwrap_or_default()
}

fn invalid(field: &'static str, key: &'static str) -> Invalid {
    let mut e = Invalid::default();
    e.push(field, key);
    e
}

/// The number of a code `<prefix><n>` (n ≥ 1, at most `max`), or None.
fn number_of(code: &str, prefix: char, max: u32) -> Option<u32> {
    let digits = code.strip_prefix(prefix)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 4 {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| (1..=max).contains(n))
}

/// A definition read from a file, checked as the builder checks what is typed. The form's
/// codes are kept (so answers to a form moved between installations stay comparable).
pub fn from_file(bytes: &[u8]) -> Result<(FormDef, FormTarget), Invalid> {
    if bytes.len() > MAX_BYTES {
        return Err(invalid("file", "err-form-file-too-large"));
    }
    let file: FormFile = serde_json::from_slice(bytes).map_err(|_| invalid("file", "err-form-file"))?;
    if file.format != FORMAT || file.format_version != FORMAT_VERSION {
        return Err(invalid("file", "err-form-file"));
    }
    let target = match file.target.as_deref() {
        None => FormTarget::Case,
        Some(t) => FormTarget::parse(t).ok_or_else(|| invalid("file", "err-form-file"))?,
    };
    Ok((file.form.checked()?, target))
}

impl FormDef {
    /// This definition as if built on the page: names and every field checked, codes well
    /// formed and unique, the next field number past every code used.
    pub fn checked(&self) -> Result<FormDef, Invalid> {
        let mut out = FormDef::named(Some(&self.name_km), Some(&self.name_en))?;
        if self.fields.len() > MAX_FIELDS {
            return Err(invalid("file", "err-form-too-many"));
        }
        let mut codes = BTreeSet::new();
        let mut highest = 0;
        for f in &self.fields {
            let Some(n) = number_of(&f.code, 'f', MAX_FIELD_NUMBER) else { return Err(invalid("file", "err-form-file")) };
            if !codes.insert(n) {
                return Err(invalid("file", "err-form-file"));
            }
            highest = highest.max(n);
            let mut choice_codes = BTreeSet::new();
            if !f.choices.iter().all(|c| number_of(&c.code, 'c', 999).is_some_and(|n| choice_codes.insert(n))) {
                return Err(invalid("file", "err-form-file"));
            }
            // Through the builder's own check; given the field as the "old" one, every choice
            // keeps its code.
            let checked = FieldInput::of(f).validate(f.code.clone(), Some(f))?;
            out.fields.push(checked);
        }
        out.next_field = self.next_field.max(highest + 1).min(MAX_FIELD_NUMBER + 1);
        Ok(out)
    }
}
