//! Rules of offline work and its synchronisation, with no I/O: what a change sent from a device
//! is, how edits made on a device merge with edits made meanwhile on the server, and when the
//! copy a device carries has expired.
//!
//! The merge is a three-way merge per field. The device sends, for each field it changed, the
//! value it started from (its base) and its new value; the server compares them with its
//! current value. A field changed on one side only takes that side's value; a field changed on
//! both sides to different values is a conflict, left as the server has it and shown to people
//! to decide. Nothing is ever overwritten without someone choosing it.

mod change;
mod child_edit;
mod merge;
#[cfg(test)]
mod tests;

pub use change::{check_change, device_expired, ChangeKind, ChangeProblem, MAX_BATCH, MAX_CLOCK_AHEAD_HOURS};
pub use child_edit::{child_values, merge_child, normalise, set_child_value, CHILD_EDITABLE};
pub use merge::{merge_fields, FieldConflict, Merged};
