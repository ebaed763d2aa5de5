//! A child's case, from intake to closure: its stage, the approvals it needs, assessments,
//! plans, placements, follow-up schedules and the everyday records kept on it. Pure rules only;
//! storage keeps the facts and asks these functions what they mean.

pub mod approval;
pub mod cohort;
pub mod csi;
pub mod entries;
pub mod family;
pub mod record;
pub mod schedule;
pub mod settings;
pub mod stage;
pub mod support;
pub mod tool;
pub mod visit;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod visit_tests;

pub use approval::{ApprovalKind, ApprovalState};
pub use record::CaseEntry;
pub use settings::CaseSettings;
pub use stage::{CaseFacts, Stage};
