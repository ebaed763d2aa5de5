//! The three-way merge of one record's fields.

use std::collections::BTreeMap;

/// The same field changed on the device and on the server, to different values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict<V> {
    pub field: String,
    /// What the device started from.
    pub base: V,
    /// What the server has now (and keeps until someone decides).
    pub server: V,
    /// What the worker wrote on the device.
    pub device: V,
}

/// The outcome of merging a device's edit into the server's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged<V> {
    /// Fields to write: changed on the device only.
    pub apply: BTreeMap<String, V>,
    /// Fields left as the server has them, with nothing to decide: both sides made the same
    /// change, or the device sent a field it did not change (the server's change stands).
    pub same: Vec<String>,
    pub conflicts: Vec<FieldConflict<V>>,
}

impl<V> Merged<V> {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// Merge the fields a device changed (`device`, with the values it started from in `base`)
/// into the server's current values (`server`). Fields the device did not send stay as the
/// server has them, so a field changed on the server only is kept.
///
/// A field sent without its base value cannot be told apart from a change on both sides, so it
/// is a conflict unless the server already has the device's value. Values are compared as
/// given: callers normalise them first (an empty text and no value are the same).
pub fn merge_fields<V: PartialEq + Clone + Default>(
    base: &BTreeMap<String, V>,
    device: &BTreeMap<String, V>,
    server: &BTreeMap<String, V>,
) -> Merged<V> {
    let mut out = Merged { apply: BTreeMap::new(), same: Vec::new(), conflicts: Vec::new() };
    for (field, mine) in device {
        let theirs = server.get(field).cloned().unwrap_or_default();
        if &theirs == mine {
            out.same.push(field.clone());
            continue;
        }
        match base.get(field) {
            Some(b) if b == mine => out.same.push(field.clone()),
            Some(b) if *b == theirs => {
                out.apply.insert(field.clone(), mine.clone());
            }
            b => out.conflicts.push(FieldConflict {
                field: field.clone(),
                base: b.cloned().unwrap_or_default(),
                server: theirs,
                device: mine.clone(),
            }),
        }
    }
    out
}
