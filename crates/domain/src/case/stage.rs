//! The stage of a case follows from what has been recorded and approved (as in mature case
//! management systems), never from a field someone sets by hand.

use crate::choices::pick_list;

pick_list!(Stage, "stage", {
    Identified => "identified",
    Registered => "registered",
    Assessment => "assessment",
    CasePlan => "case_plan",
    Implementation => "implementation",
    FollowUp => "follow_up",
    Closed => "closed",
});

pick_list!(
    /// How the child came to the organisation.
    IntakeRoute, "intake", {
    Rci => "rci",
    Report => "report",
    Prevention => "prevention",
    Emergency => "emergency",
});

pick_list!(ReferralSource, "ref-source", {
    Hotline => "hotline",
    Police => "police",
    CommuneCouncil => "commune_council",
    HealthCentre => "health_centre",
    School => "school",
    Family => "family",
    SelfReferral => "self",
    Rci => "rci",
    OtherNgo => "other_ngo",
    Other => "other",
});

pick_list!(RiskLevel, "risk", { High => "high", Medium => "medium", Low => "low", NoAction => "no_action" });

pick_list!(ClosureReason, "closure", {
    GoalsMet => "goals_met",
    ReintegratedStable => "reintegrated_stable",
    MovedAway => "moved_away",
    Transferred => "transferred",
    AgedOut => "aged_out",
    RefusedServices => "refused_services",
    Died => "died",
    Other => "other",
});

impl ClosureReason {
    /// Reasons that end a case whatever its follow-up period says: the child is no longer
    /// ours to follow (moved, transferred, aged out, refused, died).
    pub fn allows_early_closure(self) -> bool {
        matches!(
            self,
            ClosureReason::MovedAway
                | ClosureReason::Transferred
                | ClosureReason::AgedOut
                | ClosureReason::RefusedServices
                | ClosureReason::Died
        )
    }

    /// Reasons that claim the work was done, so they need an approved care plan behind them.
    pub fn claims_success(self) -> bool {
        matches!(self, ClosureReason::GoalsMet | ClosureReason::ReintegratedStable)
    }
}

/// What has been recorded on a case, as far as its stage is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// The child's registration holds the essentials (sex, birth date or year, current village).
    pub registration_complete: bool,
    /// At least one assessment (Child Status Index, risk, family, other tool) is recorded.
    pub assessed: bool,
    pub has_care_plan: bool,
    /// A placement is recorded (approved or not).
    pub has_placement: bool,
    pub assessment_approved: bool,
    pub care_plan_approved: bool,
    pub placement_approved: bool,
    /// The current approved placement is in a family (birth, kinship, foster, independent).
    pub in_family_placement: bool,
    pub closed: bool,
}

impl Stage {
    pub fn derive(f: &CaseFacts) -> Stage {
        if f.closed {
            Stage::Closed
        } else if f.placement_approved && f.in_family_placement {
            Stage::FollowUp
        } else if f.care_plan_approved {
            Stage::Implementation
        } else if f.assessment_approved {
            Stage::CasePlan
        } else if f.assessed {
            Stage::Assessment
        } else if f.registration_complete {
            Stage::Registered
        } else {
            Stage::Identified
        }
    }

    /// Position in the order shown on the page (identified first).
    pub fn step(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

impl RiskLevel {
    fn rank(self) -> u8 {
        match self {
            RiskLevel::High => 3,
            RiskLevel::Medium => 2,
            RiskLevel::Low => 1,
            RiskLevel::NoAction => 0,
        }
    }

    /// Whether this level is more serious than `other` (anything is, compared with no level).
    pub fn is_higher_than(self, other: Option<RiskLevel>) -> bool {
        other.is_none_or(|o| self.rank() > o.rank())
    }
}
