//! A change sent from a device: what kind of record it makes or edits, and the checks every
//! change passes before it is treated like the same change made on a page.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// Changes in one request: a few dozen records of a day's work fit, and a request over a poor
/// connection stays short enough to finish (the rest follow in the next one).
pub const MAX_BATCH: usize = 50;

/// A device's clock may run ahead of the server's; more than this is a clock set wrong, and the
/// time it recorded cannot be trusted.
pub const MAX_CLOCK_AHEAD_HOURS: i64 = 24;

/// What a change does. Each maps to one form that pages use for the same record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A follow-up visit (the case's `visit` form).
    Visit,
    Note,
    /// A Child Status Index assessment.
    Csi,
    /// A task marked done.
    TaskDone,
    TracingAttempt,
    /// A new child registered on the device.
    Register,
    /// Fields of a child's record edited on the device: merged field by field.
    ChildEdit,
    /// A flag raised on a child ("do not contact the father").
    Flag,
    /// One of the organisation's own forms filled in (its id in the field `form`).
    CustomForm,
    /// A new profile photo of the child, taken on the device (the photo follows in pieces).
    ProfilePhoto,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 10] = [
        ChangeKind::Visit,
        ChangeKind::Note,
        ChangeKind::Csi,
        ChangeKind::TaskDone,
        ChangeKind::TracingAttempt,
        ChangeKind::Register,
        ChangeKind::ChildEdit,
        ChangeKind::Flag,
        ChangeKind::CustomForm,
        ChangeKind::ProfilePhoto,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Visit => "visit",
            ChangeKind::Note => "note",
            ChangeKind::Csi => "csi",
            ChangeKind::TaskDone => "task-done",
            ChangeKind::TracingAttempt => "tracing-attempt",
            ChangeKind::Register => "register",
            ChangeKind::ChildEdit => "child-edit",
            ChangeKind::Flag => "flag",
            ChangeKind::CustomForm => "custom-form",
            ChangeKind::ProfilePhoto => "profile-photo",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Whether the change makes a new record whose id is the change's own id (made on the
    /// device): a child, a flag, or an entry of a case's timeline (a task done is one too). Sending it
    /// twice must not make it twice.
    pub fn creates_record(self) -> bool {
        // A profile photo is made when its last piece arrives, under the change's id.
        !matches!(self, ChangeKind::ChildEdit | ChangeKind::ProfilePhoto)
    }

    /// Whether a photo may be sent with the record.
    pub fn takes_photo(self) -> bool {
        matches!(self, ChangeKind::Visit | ChangeKind::Note | ChangeKind::TracingAttempt | ChangeKind::ProfilePhoto)
    }
}

/// Why a change is refused before anything is looked up. Each is a message code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeProblem {
    /// Ids are UUIDv7 made on the device; anything else could collide with or imitate
    /// another record.
    NotDeviceId,
    UnknownKind,
    /// Recorded later than the server's clock allows.
    ClockAhead,
}

impl ChangeProblem {
    pub fn code(self) -> &'static str {
        match self {
            ChangeProblem::NotDeviceId => "err-sync-id",
            ChangeProblem::UnknownKind => "err-sync-kind",
            ChangeProblem::ClockAhead => "err-sync-clock",
        }
    }
}

/// Check a change's envelope: its id, its kind and the time the device says it was recorded.
pub fn check_change(id: Uuid, kind: &str, recorded_at: DateTime<Utc>, received_at: DateTime<Utc>) -> Result<ChangeKind, ChangeProblem> {
    if id.get_version_num() != 7 {
        return Err(ChangeProblem::NotDeviceId);
    }
    let kind = ChangeKind::parse(kind).ok_or(ChangeProblem::UnknownKind)?;
    if recorded_at > received_at + Duration::hours(MAX_CLOCK_AHEAD_HOURS) {
        return Err(ChangeProblem::ClockAhead);
    }
    Ok(kind)
}

/// Whether the copy of cases on a device has expired: it was last brought up to date more
/// than `days` days ago (the organisation's setting). An expired copy is wiped on the device;
/// work waiting to be sent is kept.
pub fn device_expired(last_sync: DateTime<Utc>, now: DateTime<Utc>, days: u32) -> bool {
    now - last_sync > Duration::days(i64::from(days))
}
