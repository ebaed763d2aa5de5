//! The context every operation runs in, passed explicitly with the actor: from where the
//! request came (a page, the API, or a change recorded on a device) and when it happened. No
//! operation reads the clock or a task-local for these; a test sets them by building the actor.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// The calendar day in Cambodia (UTC+7, no daylight saving) at `now`: the one day every part of
/// Krousar means by "today" — forms, schedules, figures, dashboards, stays — whatever the
/// server's clock zone. (Between 17:00 and 24:00 UTC the server's date is still yesterday's.)
pub fn cambodia_day(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(7)).date_naive()
}

/// Where an operation came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Via {
    /// A page in the browser (or the command line, or a test).
    #[default]
    Page,
    /// The JSON API (a bearer token, or a page's session with its CSRF header).
    Api,
    /// A change recorded on a device while offline and sent with the sync.
    Device(DeviceChange),
}

/// Which record of a device's change takes the change's own id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// An entry of a case's timeline (visit, note, CSI, tracing attempt, task done).
    CaseEntry,
    /// A newly registered child.
    Child,
    /// A flag raised on a child.
    Flag,
}

/// A change made on a device. Its first record of the change's kind takes the change's id (made
/// on the device), so a change sent twice — an answer lost on a bad line — cannot make its
/// record twice: the second insert meets the first one's primary key.
#[derive(Debug, Clone)]
pub struct DeviceChange {
    pub device_id: Uuid,
    pub change_id: Uuid,
    pub slot: Slot,
    /// When the worker saved it on the device, by the device's clock.
    pub recorded_at: DateTime<Utc>,
    /// Whether the change's id was taken; shared by the clones of one change's context.
    claimed: Arc<AtomicBool>,
}

impl DeviceChange {
    pub fn new(device_id: Uuid, change_id: Uuid, slot: Slot, recorded_at: DateTime<Utc>) -> DeviceChange {
        DeviceChange { device_id, change_id, slot, recorded_at, claimed: Arc::default() }
    }
}

/// Two contexts of the same change are the same, whichever has claimed its id.
impl PartialEq for DeviceChange {
    fn eq(&self, o: &Self) -> bool {
        (self.device_id, self.change_id, self.slot, self.recorded_at) == (o.device_id, o.change_id, o.slot, o.recorded_at)
    }
}
impl Eq for DeviceChange {}

impl Via {
    /// The id of a new record in `slot`: the device change's id for the change's first such
    /// record, otherwise a fresh one.
    pub fn record_id(&self, slot: Slot) -> Uuid {
        match self {
            Via::Device(d) if d.slot == slot && !d.claimed.swap(true, Ordering::SeqCst) => d.change_id,
            _ => crate::new_id(),
        }
    }

    pub fn device(&self) -> Option<&DeviceChange> {
        match self {
            Via::Device(d) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_record_of_the_slot_takes_the_change_id_once() {
        let id = Uuid::now_v7();
        let via = Via::Device(DeviceChange::new(Uuid::now_v7(), id, Slot::CaseEntry, Utc::now()));
        let copy = via.clone();
        assert_ne!(via.record_id(Slot::Child), id, "another kind of record gets its own id");
        assert_eq!(copy.record_id(Slot::CaseEntry), id);
        assert_ne!(via.record_id(Slot::CaseEntry), id, "a second entry (a risk raised by a visit) gets its own");
        assert_ne!(Via::Page.record_id(Slot::CaseEntry), id, "a page's records never take a change's id");
    }

    #[test]
    fn the_day_is_cambodias() {
        let evening = DateTime::parse_from_rfc3339("2026-12-06T17:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(cambodia_day(evening), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        let morning = DateTime::parse_from_rfc3339("2026-12-06T16:59:59Z").unwrap().with_timezone(&Utc);
        assert_eq!(cambodia_day(morning), NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
    }
}
