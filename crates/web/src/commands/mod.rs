//! The application layer: each operation a page, the JSON API and the offline app's sync all
//! carry out, written once. A command takes the store, the actor — who acts, from where
//! (`Actor::via`: a page, the API or a device's change) and when (`Actor::now`, so its day) —,
//! the record and the fields as sent. Validation is the domain's, the permission check and the
//! transaction with its audit entry the store's; nothing here knows HTTP, so a handler only
//! reads the request, calls one command and renders its answer.

pub mod case;
pub mod cash;
pub mod rci_transition;
pub mod registration_fields;
pub mod training;

/// Fields as sent, in order (so repeated checkboxes survive): a page's form post, or an API
/// body's fields.
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
