//! Form posts as ordered key/value pairs (so repeated checkboxes survive), and what a form
//! template needs to show the values typed and the errors next to their fields.

use crate::i18n::Tr;
use krousar_domain::Invalid;
use std::collections::HashMap;

#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, key: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, v)| k == key && !v.is_empty())
    }

    /// A choice between two buttons of one name: `Some(true)` for `yes`, `Some(false)` for `no`,
    /// `None` for anything else (a forged or broken form).
    pub fn either(&self, key: &str, yes: &str, no: &str) -> Option<bool> {
        match self.get(key) {
            Some(v) if v == yes => Some(true),
            Some(v) if v == no => Some(false),
            _ => None,
        }
    }
}

/// Values and translated errors of a form being shown.
#[derive(Default)]
pub struct FormView {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl FormView {
    pub fn new(values: impl IntoIterator<Item = (String, String)>, errors: &Invalid, tr: Tr) -> FormView {
        let mut errs = HashMap::new();
        for e in &errors.errors {
            errs.entry(e.field.to_string()).or_insert_with(|| tr.t(e.code));
        }
        FormView { values: values.into_iter().collect(), errors: errs }
    }

    pub fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    pub fn e(&self, key: &str) -> &str {
        self.errors.get(key).map(String::as_str).unwrap_or("")
    }

    pub fn has_err(&self, key: &str) -> bool {
        self.errors.contains_key(key)
    }
}

/// Values of a serialisable input struct as strings (lists are left out; forms handle them).
pub fn values_of<T: serde::Serialize>(input: &T) -> Vec<(String, String)> {
    let v = serde_json::to_value(input).unwrap_or_default();
    v.as_object().map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()).unwrap_or_default()
}
