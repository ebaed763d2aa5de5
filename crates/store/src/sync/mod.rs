//! Offline work: enrolled devices, what each carries, receipts of the changes they send, photos
//! that follow those changes, and conflicts between edits made offline and on the server.
//! A change from a device is carried out by the same store functions as the pages, by an actor
//! whose context says which device and change (`Via::Device`), so it meets the same validation,
//! permission checks and audit.

mod carry;
mod conflicts;
mod device_keys;
mod devices;
mod photos;
mod receipts;

pub use carry::{Carried, MAX_CARRIED};
pub use conflicts::{Conflict, EditOutcome};
pub(crate) use device_keys::rotate_for_password_change;
pub use device_keys::{rekey_proof, Claimed, DeviceKeys, Unlocked};
pub use devices::Device;
pub use photos::PhotoState;
pub use receipts::{Receipt, Received};
