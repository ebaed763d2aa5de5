//! A custom form's fields as a page shows them, for the worker filling it in and for the
//! builder's preview: the same view, so the preview is what the worker will see.

use crate::i18n::Tr;
use crate::views::Opt;
use krousar_domain::forms::{FieldKind, FormDef};
use krousar_domain::Invalid;
use std::collections::BTreeMap;

pub struct FieldView {
    pub code: String,
    /// `text`, `long_text`, `number`, `date`, `yes_no`, `one_choice`, `several_choices`,
    /// `section`.
    pub kind: &'static str,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub value: String,
    /// Choices (with yes and no for a yes/no field), those picked selected.
    pub options: Vec<Opt>,
    pub error: String,
    /// The longest text accepted (texts) or the largest number (numbers).
    pub max: String,
}

/// The fields of `def` with the values typed (`code` → values) and their errors.
pub fn field_views(tr: Tr, def: &FormDef, values: &BTreeMap<String, Vec<String>>, e: &Invalid) -> Vec<FieldView> {
    let km = tr.is_km();
    def.fields
        .iter()
        .map(|f| {
            let given = values.get(&f.code).cloned().unwrap_or_default();
            let picked = |code: &str| given.iter().any(|g| g == code);
            let options = match f.kind {
                FieldKind::YesNo => vec![
                    Opt { value: "yes".into(), label: tr.t("msg-yes"), selected: picked("yes") },
                    Opt { value: "no".into(), label: tr.t("msg-no"), selected: picked("no") },
                ],
                k if k.has_choices() => f
                    .choices
                    .iter()
                    .map(|c| Opt {
                        value: c.code.clone(),
                        label: if km || c.en.is_empty() { c.km.clone() } else { c.en.clone() },
                        selected: picked(&c.code),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            FieldView {
                code: f.code.clone(),
                kind: f.kind.code(),
                label: f.label(km).to_string(),
                help: f.help(km).to_string(),
                required: f.required,
                value: given.first().cloned().unwrap_or_default(),
                options,
                error: e.errors.iter().find(|x| x.field == f.code).map(|x| tr.t(x.code)).unwrap_or_default(),
                max: f.max.map(|v| v.to_string()).unwrap_or_default(),
            }
        })
        .collect()
}
