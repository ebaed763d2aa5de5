//! Supervisor approvals. A worker asks; a supervisor approves or returns the request with a
//! comment; both are recorded. These rules say when a request may be made and decided.

use super::stage::{CaseFacts, ClosureReason};
use crate::choices::pick_list;
use chrono::NaiveDate;

pick_list!(ApprovalKind, "approval", {
    Assessment => "assessment",
    CarePlan => "care_plan",
    Placement => "placement",
    Closure => "closure",
});

pick_list!(ApprovalState, "approval-state", { Pending => "pending", Approved => "approved", Returned => "returned" });

/// May a worker ask for this approval now? `Err` carries the translation key of the reason.
pub fn may_request(kind: ApprovalKind, f: &CaseFacts, pending: &[ApprovalKind]) -> Result<(), &'static str> {
    if f.closed {
        return Err("err-case-closed");
    }
    if pending.contains(&kind) {
        return Err("err-approval-pending");
    }
    match kind {
        ApprovalKind::Assessment if !f.assessed => Err("err-needs-assessment"),
        ApprovalKind::Assessment if f.assessment_approved => Err("err-already-approved"),
        ApprovalKind::CarePlan if !f.assessment_approved => Err("err-needs-approved-assessment"),
        ApprovalKind::CarePlan if !f.has_care_plan => Err("err-needs-care-plan"),
        ApprovalKind::Placement if !f.care_plan_approved => Err("err-needs-approved-plan"),
        ApprovalKind::Placement if !f.has_placement => Err("err-needs-placement"),
        _ => Ok(()),
    }
}

/// May the case be closed for this reason today? `follow_up_until` is the end of the follow-up
/// period of the current family placement, if one has started.
pub fn may_close(reason: ClosureReason, f: &CaseFacts, today: NaiveDate, follow_up_until: Option<NaiveDate>) -> Result<(), &'static str> {
    if f.closed {
        return Err("err-case-closed");
    }
    if reason.claims_success() && !f.care_plan_approved {
        return Err("err-close-needs-plan");
    }
    if let Some(until) = follow_up_until {
        if today < until && !reason.allows_early_closure() {
            return Err("err-follow-up-not-ended");
        }
    }
    Ok(())
}

/// A supervisor decides on a request someone else made: nobody approves their own work.
pub fn may_decide(requested_by: uuid::Uuid, decider: uuid::Uuid, state: ApprovalState) -> Result<(), &'static str> {
    if state != ApprovalState::Pending {
        return Err("err-approval-decided");
    }
    if requested_by == decider {
        return Err("err-approve-own");
    }
    Ok(())
}
