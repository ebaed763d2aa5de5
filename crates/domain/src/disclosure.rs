//! What a reader may see of a child's record and case, decided once by the policy and applied by
//! one cut in the store to every path that carries case data: the case file, approvals and their
//! comments, the visit schedule, attachments, the ministry forms, the offline copy and exports.
//!
//! Three kinds of reader:
//! - the people working on the case, and their organisation's supervisors and managers in scope:
//!   everything their role may see (`Full`);
//! - an organisation the child was referred to: what the referral's consent covers (`Consented`);
//! - the organisation that transferred the child away, and only the people of it who worked on
//!   the case: what that organisation recorded itself, up to the transfer
//!   (`RecordedBeforeTransfer`), never what the receiver writes afterwards.

use crate::referral::Share;

/// How the actor's organisation may read a record that is not its own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Outside {
    #[default]
    None,
    /// An accepted referral to the actor's organisation: what its consent covers (a supervisor's
    /// override without consent covers everything but sensitive information).
    Referral(Vec<Share>),
    /// The actor's organisation transferred the child away; whether the actor is one of the
    /// people who worked on the case before the transfer.
    Transferred { worked_on_case: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disclosure {
    Full,
    Consented(Vec<Share>),
    RecordedBeforeTransfer,
}

impl Disclosure {
    pub fn is_full(&self) -> bool {
        *self == Disclosure::Full
    }

    /// Whether this reader may see records of a kind needing `share`. A transfer's sender sees
    /// only its own records, which the cut selects by author and time, not by kind.
    pub fn covers(&self, share: Share) -> bool {
        match self {
            Disclosure::Full => true,
            Disclosure::Consented(shares) => shares.contains(&share),
            Disclosure::RecordedBeforeTransfer => false,
        }
    }
}

/// What a supervisor's override (a referral sent without consent, in an emergency) shares.
pub const OVERRIDE_SHARES: [Share; 5] = [Share::Identity, Share::CaseSummary, Share::Assessments, Share::Plan, Share::Notes];

/// The consent a receiver needs to read a case record of this kind (timeline entries, and
/// approvals by their kind).
pub fn share_of(kind: &str) -> Share {
    match kind {
        "intake" | "referral_sent" | "referral_decided" | "approval_requested" | "approval_decided" | "reopen" | "closure" => {
            Share::CaseSummary
        }
        "csi" | "risk" | "family_assessment" | "readiness" | "assessment" => Share::Assessments,
        "care_plan" | "conference" | "service" | "placement" | "placement_end" | "alt_care" | "task" | "task_done" => Share::Plan,
        _ => Share::Notes,
    }
}

/// What each part of the case object needs: the intake and closure are the case summary, the
/// risk level and reassessment the assessments, the placement and follow-up schedule the plan.
pub mod part {
    use crate::referral::Share;
    pub const SUMMARY: Share = Share::CaseSummary;
    pub const RISK: Share = Share::Assessments;
    pub const PLACEMENT: Share = Share::Plan;
    pub const VISIT_SCHEDULE: Share = Share::Plan;
    pub const TASKS: Share = Share::Plan;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consent_covers_only_what_it_names() {
        let d = Disclosure::Consented(vec![Share::Identity]);
        for s in [Share::CaseSummary, Share::Assessments, Share::Plan, Share::Notes, Share::Sensitive] {
            assert!(!d.covers(s), "{s:?}");
        }
        assert!(d.covers(Share::Identity));
        assert!(Disclosure::Full.covers(Share::Sensitive));
        for s in [Share::Identity, Share::CaseSummary, Share::Notes] {
            assert!(!Disclosure::RecordedBeforeTransfer.covers(s));
        }
    }

    #[test]
    fn every_approval_kind_needs_the_share_of_its_records() {
        assert_eq!(share_of("closure"), Share::CaseSummary);
        assert_eq!(share_of("assessment"), Share::Assessments);
        assert_eq!(share_of("care_plan"), Share::Plan);
        assert_eq!(share_of("placement"), Share::Plan);
        // Anything not named is a note: the narrowest reading, never the widest.
        assert_eq!(share_of("something_new"), Share::Notes);
    }
}
