//! A change from a device is carried out by the very store functions the pages call, inside a
//! *sync scope* that says which device sent it and when it was recorded there. Two things read
//! the scope, so that nothing else needs to know about devices:
//!
//! - the audit log adds the device, the time it recorded the change and the time it arrived to
//!   every entry written for the change (`audit::append`);
//! - the first record of the change's kind takes the change's own id, made on the device, so
//!   that a change sent twice (an answer lost on a bad line) cannot make its record twice: the
//!   second insert meets the first one's primary key inside the same transaction.

use std::cell::Cell;
use uuid::Uuid;

/// Which record of a change takes the device's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// An entry of a case's timeline (visit, note, CSI, tracing attempt, task done).
    CaseEntry,
    /// A newly registered child.
    Child,
}

#[derive(Debug, Clone)]
pub struct SyncScope {
    pub change_id: Uuid,
    pub device_id: Uuid,
    pub slot: Slot,
    /// RFC 3339, as the device's clock said.
    pub recorded_at: String,
    /// RFC 3339, by the server's clock.
    pub received_at: String,
}

struct Active {
    scope: SyncScope,
    claimed: Cell<bool>,
}

tokio::task_local! {
    static ACTIVE: Active;
}

/// Run `f` (one store call) as the change described by `scope`.
pub async fn within<F: std::future::Future>(scope: SyncScope, f: F) -> F::Output {
    ACTIVE.scope(Active { scope, claimed: Cell::new(false) }, f).await
}

/// The id of a new record in `slot`: the change's id for the change's first such record,
/// otherwise a fresh one.
pub(crate) fn record_id(slot: Slot) -> Uuid {
    ACTIVE
        .try_with(|a| (a.scope.slot == slot && !a.claimed.replace(true)).then_some(a.scope.change_id))
        .ok()
        .flatten()
        .unwrap_or_else(krousar_domain::new_id)
}

/// What the audit log adds to an entry written for a change from a device.
pub(crate) fn audit_detail() -> Option<serde_json::Value> {
    ACTIVE
        .try_with(|a| {
            serde_json::json!({
                "id": a.scope.device_id,
                "change": a.scope.change_id,
                "recorded_at": a.scope.recorded_at,
                "received_at": a.scope.received_at,
            })
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(slot: Slot) -> SyncScope {
        SyncScope {
            change_id: Uuid::now_v7(),
            device_id: Uuid::now_v7(),
            slot,
            recorded_at: "2026-12-01T09:00:00Z".into(),
            received_at: "2026-12-02T09:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn the_first_record_of_the_slot_takes_the_change_id_once() {
        let s = scope(Slot::CaseEntry);
        let id = s.change_id;
        within(s, async move {
            assert_ne!(record_id(Slot::Child), id, "another kind of record gets its own id");
            assert_eq!(record_id(Slot::CaseEntry), id);
            assert_ne!(record_id(Slot::CaseEntry), id, "a second entry (a risk raised by a visit) gets its own");
            assert!(audit_detail().is_some());
        })
        .await;
        assert_ne!(record_id(Slot::CaseEntry), id, "outside the scope nothing is claimed");
        assert!(audit_detail().is_none());
    }
}
