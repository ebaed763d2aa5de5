//! What a form template needs to show the values typed and the errors next to their fields.
//! The fields as posted are the commands' `FormData`.

use crate::i18n::Tr;
use krousar_domain::Invalid;
use std::collections::HashMap;

pub use crate::commands::FormData;

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
