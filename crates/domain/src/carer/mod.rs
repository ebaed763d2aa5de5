//! Foster and kinship carers: the pipeline of a carer household from enquiry to approval and
//! beyond, as pure rules. Each step recorded is checked against what came before (no approval
//! without an assessment, no placement without approval and capacity), the stage follows from the
//! facts, and the next step due is computed so that overdue steps show up.

pub mod matching;
pub mod steps;

use crate::choices::pick_list;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
pub use steps::{CarerInput, Step, StepInput};

pick_list!(CarerKind, "carer-kind", { Foster => "foster", Kinship => "kinship" });

pick_list!(
    /// What a panel approves a carer for.
    CareType, "care-type", {
    Emergency => "emergency",
    ShortTerm => "short_term",
    LongTerm => "long_term",
    Kinship => "kinship",
});

pick_list!(SexPreference, "sex-pref", { Any => "any", Female => "female", Male => "male" });

pick_list!(CarerStage, "carer-stage", {
    Enquiry => "enquiry",
    Assessment => "assessment",
    AwaitingPanel => "awaiting_panel",
    Approved => "approved",
    Available => "available",
    Suspended => "suspended",
    Declined => "declined",
    Deregistered => "deregistered",
});

/// What the panel approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Approval {
    pub on: NaiveDate,
    pub max_children: u32,
    pub age_min: u32,
    pub age_max: u32,
    pub sex: SexPreference,
    pub care_types: Vec<CareType>,
}

/// Everything the rules need to know of a carer household, kept up to date by `apply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CarerFacts {
    pub kind: CarerKind,
    pub enquired_on: NaiveDate,
    /// The latest contact of any kind (a follow-up, a visit, a check...).
    pub last_contact_on: Option<NaiveDate>,
    pub home_visits: u32,
    pub references: u32,
    pub checks: u32,
    pub checks_with_concern: u32,
    /// `Some(true)` when the assessment recommends approval.
    pub recommended: Option<bool>,
    pub assessed_on: Option<NaiveDate>,
    pub trainings: u32,
    pub approval: Option<Approval>,
    pub declined: bool,
    pub available: Option<(NaiveDate, NaiveDate)>,
    pub last_support_on: Option<NaiveDate>,
    pub last_review_on: Option<NaiveDate>,
    pub suspended: bool,
    pub deregistered: bool,
}

/// Days allowed for each step (the field's practice; overdue steps are listed).
pub const FIRST_CONTACT_DAYS: i64 = 7;
pub const ASSESSMENT_DAYS: i64 = 60;
pub const SUPPORT_VISIT_DAYS: i64 = 90;
pub const REVIEW_DAYS: i64 = 365;

impl CarerFacts {
    pub fn new(kind: CarerKind, enquired_on: NaiveDate) -> CarerFacts {
        CarerFacts {
            kind,
            enquired_on,
            last_contact_on: None,
            home_visits: 0,
            references: 0,
            checks: 0,
            checks_with_concern: 0,
            recommended: None,
            assessed_on: None,
            trainings: 0,
            approval: None,
            declined: false,
            available: None,
            last_support_on: None,
            last_review_on: None,
            suspended: false,
            deregistered: false,
        }
    }

    pub fn stage(&self, today: NaiveDate) -> CarerStage {
        if self.deregistered {
            CarerStage::Deregistered
        } else if self.suspended {
            CarerStage::Suspended
        } else if self.approval.is_some() {
            match self.available {
                Some((from, to)) if from <= today && today <= to => CarerStage::Available,
                _ => CarerStage::Approved,
            }
        } else if self.declined {
            CarerStage::Declined
        } else if self.assessed_on.is_some() {
            CarerStage::AwaitingPanel
        } else if self.last_contact_on.is_some() {
            CarerStage::Assessment
        } else {
            CarerStage::Enquiry
        }
    }

    /// Whether `step` may be recorded now; the error is a message key.
    pub fn check(&self, step: &Step) -> Result<(), &'static str> {
        if self.deregistered {
            return Err("err-carer-deregistered");
        }
        match step {
            Step::Panel { decision: steps::PanelDecision::Approved, .. } => {
                if self.approval.is_some() {
                    return Err("err-carer-already-approved");
                }
                match self.recommended {
                    None => return Err("err-carer-not-assessed"),
                    Some(false) => return Err("err-carer-not-recommended"),
                    Some(true) => {}
                }
                if self.checks == 0 {
                    return Err("err-carer-no-checks");
                }
                // A kinship carer (a relative taking the child in) is not required to train first.
                if self.kind == CarerKind::Foster && self.trainings == 0 {
                    return Err("err-carer-no-training");
                }
                Ok(())
            }
            Step::Panel { .. } if self.assessed_on.is_none() => Err("err-carer-not-assessed"),
            Step::Availability { .. } | Step::SupportVisit { .. } | Step::Review { .. } | Step::Suspend { .. }
                if self.approval.is_none() =>
            {
                Err("err-carer-not-approved")
            }
            Step::Availability { .. } if self.suspended => Err("err-carer-suspended"),
            Step::Suspend { .. } if self.suspended => Err("err-carer-suspended"),
            Step::Reinstate { .. } if !self.suspended => Err("err-carer-not-suspended"),
            _ => Ok(()),
        }
    }

    /// The facts after `step` (checked first by the caller).
    pub fn apply(&mut self, step: &Step) {
        let on = step.date();
        if self.last_contact_on.is_none_or(|d| d < on) {
            self.last_contact_on = Some(on);
        }
        match step {
            Step::FollowUp { .. } => {}
            Step::HomeVisit { .. } => self.home_visits += 1,
            Step::Reference { .. } => self.references += 1,
            Step::Check { result, .. } => {
                self.checks += 1;
                if *result == steps::CheckResult::Concern {
                    self.checks_with_concern += 1;
                }
            }
            Step::Assessment { recommendation, on, .. } => {
                self.recommended = Some(*recommendation == steps::Recommendation::Approve);
                self.assessed_on = Some(*on);
                self.declined = false;
            }
            Step::Training { .. } => self.trainings += 1,
            Step::Panel { decision, on, approved_for, .. } => match decision {
                steps::PanelDecision::Approved => self.approval = approved_for.clone().map(|a| Approval { on: *on, ..a }),
                steps::PanelDecision::Declined => self.declined = true,
                steps::PanelDecision::Deferred => {}
            },
            Step::Availability { from, to, .. } => self.available = Some((*from, *to)),
            Step::SupportVisit { on, .. } => self.last_support_on = Some(*on),
            Step::Review { on, outcome, .. } => {
                self.last_review_on = Some(*on);
                if *outcome == steps::ReviewOutcome::Deregister {
                    self.deregistered = true;
                }
            }
            Step::Suspend { .. } => self.suspended = true,
            Step::Reinstate { .. } => self.suspended = false,
            Step::Deregister { .. } => self.deregistered = true,
        }
    }

    /// The next step due and its message key, if any.
    pub fn next_due(&self) -> Option<(NaiveDate, &'static str)> {
        if self.deregistered || self.declined {
            return None;
        }
        match &self.approval {
            None if self.last_contact_on.is_none() => {
                Some((self.enquired_on + Duration::days(FIRST_CONTACT_DAYS), "due-carer-first-contact"))
            }
            None if self.assessed_on.is_none() => Some((self.enquired_on + Duration::days(ASSESSMENT_DAYS), "due-carer-assessment")),
            None => None,
            Some(a) => {
                let review = add_year(self.last_review_on.unwrap_or(a.on));
                let support = self.last_support_on.unwrap_or(a.on) + Duration::days(SUPPORT_VISIT_DAYS);
                if self.suspended {
                    Some((review, "due-carer-review"))
                } else if support < review {
                    Some((support, "due-carer-support-visit"))
                } else {
                    Some((review, "due-carer-review"))
                }
            }
        }
    }
}

fn add_year(d: NaiveDate) -> NaiveDate {
    d.with_year(d.year() + 1).unwrap_or(d + Duration::days(REVIEW_DAYS))
}

/// Whether a child of this age and sex may be placed with the carer today, given how many
/// children are placed with it already. The error is a message key.
pub fn may_place(f: &CarerFacts, placed: u32, child_age: Option<u32>, child_female: bool, today: NaiveDate) -> Result<(), &'static str> {
    let Some(a) = &f.approval else { return Err("err-carer-not-approved") };
    if f.deregistered || f.suspended {
        return Err("err-carer-suspended");
    }
    if f.stage(today) != CarerStage::Available {
        return Err("err-carer-not-available");
    }
    if placed >= a.max_children {
        return Err("err-carer-full");
    }
    if let Some(age) = child_age {
        if age < a.age_min || age > a.age_max {
            return Err("err-carer-age");
        }
    }
    match (a.sex, child_female) {
        (SexPreference::Female, false) | (SexPreference::Male, true) => Err("err-carer-sex"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
