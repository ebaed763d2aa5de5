//! Pure domain rules of Krousar: the records, their validation, roles and the one access policy.
//!
//! Nothing here does I/O or knows about HTTP or SQL, so every rule is tested directly.

pub mod age;
pub mod api_schema;
pub mod carer;
pub mod case;
pub mod cash;
pub mod child;
pub mod choices;
pub mod community;
pub mod context;
pub mod disclosure;
pub mod distribution;
pub mod export;
pub mod figures;
pub mod flag;
pub mod forms;
pub mod household;
pub mod indicators;
pub mod inquiry;
pub mod living;
pub mod notify;
pub mod policy;
pub mod rci;
pub mod rci_transition;
pub mod referral;
pub mod role;
pub mod sensitive;
pub mod sync;
pub mod team;
pub mod text;
pub mod training;
pub mod validation;

pub use policy::{Action, Actor, Decision, ListScope, RecordOwner};
pub use role::Role;
pub use validation::{FieldError, Invalid};

/// A new record id: UUIDv7 is time-ordered (good for keyset pagination and B-tree locality) and
/// can be made on a device that is offline without colliding with the server's.
/// Today in Cambodia by the server's clock, for what runs without a caller (the command line,
/// start-up, the generator). An operation someone asked for takes its day from the actor's
/// context instead (`Actor::today`), so that a test can set it.
pub fn today() -> chrono::NaiveDate {
    context::cambodia_day(chrono::Utc::now())
}

pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
