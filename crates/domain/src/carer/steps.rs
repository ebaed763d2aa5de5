//! What is recorded about a carer household: the enquiry that opens its record, and each step
//! after it, as typed (strings) and as validated.

use super::{Approval, CareType, CarerKind, SexPreference};
use crate::case::entries::{any_date, optional_pick, past_date, pick};
use crate::child::valid_village_code;
use crate::choices::pick_list;
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pick_list!(CheckKind, "carer-check", { LocalAuthority => "local_authority", Police => "police", Health => "health" });
pick_list!(CheckResult, "check-result", { Clear => "clear", Concern => "concern" });
pick_list!(Recommendation, "recommendation", { Approve => "approve", NotApprove => "not_approve" });
pick_list!(PanelDecision, "panel", { Approved => "approved", Declined => "declined", Deferred => "deferred" });
pick_list!(ReviewOutcome, "review", { Continue => "continue", Change => "change", Deregister => "deregister" });
pick_list!(StepKind, "carer-step", {
    FollowUp => "follow_up",
    HomeVisit => "home_visit",
    Reference => "reference",
    Check => "check",
    Assessment => "assessment",
    Training => "training",
    Panel => "panel",
    Availability => "availability",
    SupportVisit => "support_visit",
    Review => "review",
    Suspend => "suspend",
    Reinstate => "reinstate",
    Deregister => "deregister",
});

/// The enquiry: who, how to reach them, where from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct CarerInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub phone: Option<String>,
    pub village_code: Option<String>,
    pub campaign_id: Option<String>,
    pub source: Option<String>,
    pub enquired_on: Option<String>,
    pub languages: Option<String>,
    /// "yes" when the household can care for a child with a disability.
    pub disability_skills: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CarerFields {
    pub name: String,
    pub kind: CarerKind,
    pub phone: Option<String>,
    pub village_code: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub source: Option<String>,
    pub enquired_on: NaiveDate,
    /// Languages spoken at home besides Khmer (Bunong, Kreung, Tampuan, Vietnamese…).
    pub languages: Vec<String>,
    pub disability_skills: bool,
    pub note: Option<String>,
}

impl CarerInput {
    pub fn validate(&self, today: NaiveDate) -> Result<CarerFields, Invalid> {
        let mut e = Invalid::default();
        let name = text::optional(&mut e, "name", self.name.as_deref(), SHORT);
        if name.is_none() && !e.has("name") {
            e.push("name", "err-required");
        }
        let kind = pick(&mut e, "kind", self.kind.as_deref(), CarerKind::parse);
        let phone = text::optional(&mut e, "phone", self.phone.as_deref(), 30);
        let village_code = text::optional(&mut e, "village_code", self.village_code.as_deref(), 8);
        if village_code.as_deref().is_some_and(|v| !valid_village_code(v)) {
            e.push("village_code", "err-unknown-place");
        }
        let campaign_id = match self.campaign_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Uuid::parse_str(raw).ok().or_else(|| {
                e.push("campaign_id", "err-invalid-choice");
                None
            }),
        };
        let source = text::optional(&mut e, "source", self.source.as_deref(), SHORT);
        let enquired_on = past_date(&mut e, "enquired_on", self.enquired_on.as_deref(), today);
        let languages = text::optional(&mut e, "languages", self.languages.as_deref(), SHORT)
            .map(|l| l.split([',', '،']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
            .unwrap_or_default();
        let note = text::paragraphs(&mut e, "note", self.note.as_deref(), LONG);
        if !e.errors.is_empty() {
            return Err(e);
        }
        Ok(CarerFields {
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            phone,
            village_code,
            campaign_id,
            source,
            enquired_on: enquired_on.expect("checked"),
            languages,
            disability_skills: crate::case::entries::flag(self.disability_skills.as_deref()),
            note,
        })
    }
}

/// Any step as typed; `kind` says which fields matter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    pub kind: Option<String>,
    pub on: Option<String>,
    pub note: Option<String>,
    pub name: Option<String>,
    pub result: Option<String>,
    pub check: Option<String>,
    pub members: Option<String>,
    pub health: Option<String>,
    pub motivation: Option<String>,
    pub recommendation: Option<String>,
    pub course: Option<String>,
    /// A session of the training register (for a training step).
    pub session_id: Option<String>,
    pub decision: Option<String>,
    #[schema(schema_with = crate::api_schema::number_or_text)]
    pub max_children: Option<String>,
    #[schema(schema_with = crate::api_schema::number_or_text)]
    pub age_min: Option<String>,
    #[schema(schema_with = crate::api_schema::number_or_text)]
    pub age_max: Option<String>,
    pub sex: Option<String>,
    pub care_types: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    FollowUp {
        on: NaiveDate,
        note: Option<String>,
    },
    HomeVisit {
        on: NaiveDate,
        note: Option<String>,
    },
    Reference {
        on: NaiveDate,
        name: String,
        result: CheckResult,
        note: Option<String>,
    },
    Check {
        on: NaiveDate,
        check: CheckKind,
        result: CheckResult,
        note: Option<String>,
    },
    Assessment {
        on: NaiveDate,
        members: Option<String>,
        health: Option<String>,
        motivation: Option<String>,
        recommendation: Recommendation,
    },
    Training {
        on: NaiveDate,
        /// The course's title (from the training register when `session` is given).
        course: String,
        /// The session of the training register the carer attended, if it was recorded there.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<Uuid>,
    },
    Panel {
        on: NaiveDate,
        decision: PanelDecision,
        approved_for: Option<Approval>,
        reason: Option<String>,
    },
    Availability {
        on: NaiveDate,
        from: NaiveDate,
        to: NaiveDate,
    },
    SupportVisit {
        on: NaiveDate,
        note: Option<String>,
    },
    Review {
        on: NaiveDate,
        outcome: ReviewOutcome,
        note: Option<String>,
    },
    Suspend {
        on: NaiveDate,
        reason: String,
    },
    Reinstate {
        on: NaiveDate,
        note: Option<String>,
    },
    Deregister {
        on: NaiveDate,
        reason: String,
    },
}

fn number(e: &mut Invalid, field: &'static str, raw: Option<&str>, max: u32) -> Option<u32> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.push(field, "err-required");
            None
        }
        Some(s) => match crate::child::parse_number::<u32>(s) {
            Some(n) if n <= max => Some(n),
            _ => {
                e.push(field, "err-number");
                None
            }
        },
    }
}

fn required(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> Option<String> {
    let v = text::paragraphs(e, field, raw, LONG);
    if v.is_none() && !e.has(field) {
        e.push(field, "err-required");
    }
    v
}

impl StepInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Step, Invalid> {
        let mut e = Invalid::default();
        let kind = pick(&mut e, "kind", self.kind.as_deref(), StepKind::parse);
        // Availability is dated by its period; recorded today unless a date is given.
        let on = match (kind, self.on.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (Some(StepKind::Availability), None) => Some(today),
            _ => past_date(&mut e, "on", self.on.as_deref(), today),
        };
        let note = text::paragraphs(&mut e, "note", self.note.as_deref(), LONG);
        let Some(kind) = kind else { return Err(e) };
        let step = match kind {
            StepKind::FollowUp => on.map(|on| Step::FollowUp { on, note }),
            StepKind::HomeVisit => on.map(|on| Step::HomeVisit { on, note }),
            StepKind::SupportVisit => on.map(|on| Step::SupportVisit { on, note }),
            StepKind::Reinstate => on.map(|on| Step::Reinstate { on, note }),
            StepKind::Reference => {
                let name = text::optional(&mut e, "name", self.name.as_deref(), SHORT);
                if name.is_none() && !e.has("name") {
                    e.push("name", "err-required");
                }
                let result = pick(&mut e, "result", self.result.as_deref(), CheckResult::parse);
                match (on, name, result) {
                    (Some(on), Some(name), Some(result)) => Some(Step::Reference { on, name, result, note }),
                    _ => None,
                }
            }
            StepKind::Check => {
                let check = pick(&mut e, "check", self.check.as_deref(), CheckKind::parse);
                let result = pick(&mut e, "result", self.result.as_deref(), CheckResult::parse);
                match (on, check, result) {
                    (Some(on), Some(check), Some(result)) => Some(Step::Check { on, check, result, note }),
                    _ => None,
                }
            }
            StepKind::Assessment => {
                let members = text::paragraphs(&mut e, "members", self.members.as_deref(), LONG);
                let health = text::paragraphs(&mut e, "health", self.health.as_deref(), LONG);
                let motivation = text::paragraphs(&mut e, "motivation", self.motivation.as_deref(), LONG);
                let recommendation = pick(&mut e, "recommendation", self.recommendation.as_deref(), Recommendation::parse);
                match (on, recommendation) {
                    (Some(on), Some(recommendation)) => Some(Step::Assessment { on, members, health, motivation, recommendation }),
                    _ => None,
                }
            }
            StepKind::Training => {
                // A session of the training register, or a course named by hand.
                let session = match self.session_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => None,
                    Some(raw) => Uuid::parse_str(raw).ok().or_else(|| {
                        e.push("session_id", "err-invalid-choice");
                        None
                    }),
                };
                let course = text::optional(&mut e, "course", self.course.as_deref(), SHORT);
                if course.is_none() && session.is_none() && !e.has("course") && !e.has("session_id") {
                    e.push("course", "err-required");
                }
                match (on, course, session) {
                    (Some(on), course, session) if course.is_some() || session.is_some() => {
                        Some(Step::Training { on, course: course.unwrap_or_default(), session })
                    }
                    _ => None,
                }
            }
            StepKind::Panel => self.panel(&mut e, on),
            StepKind::Availability => {
                let from = any_date(&mut e, "from", self.from.as_deref());
                let to = any_date(&mut e, "to", self.to.as_deref());
                if let (Some(f), Some(t)) = (from, to) {
                    if t < f {
                        e.push("to", "err-end-before-start");
                    }
                }
                match (on, from, to) {
                    (Some(on), Some(from), Some(to)) if to >= from => Some(Step::Availability { on, from, to }),
                    _ => None,
                }
            }
            StepKind::Review => {
                let outcome = pick(&mut e, "outcome", self.outcome.as_deref(), ReviewOutcome::parse);
                match (on, outcome) {
                    (Some(on), Some(outcome)) => Some(Step::Review { on, outcome, note }),
                    _ => None,
                }
            }
            StepKind::Suspend | StepKind::Deregister => {
                let reason = required(&mut e, "reason", self.reason.as_deref());
                match (on, reason, kind) {
                    (Some(on), Some(reason), StepKind::Suspend) => Some(Step::Suspend { on, reason }),
                    (Some(on), Some(reason), _) => Some(Step::Deregister { on, reason }),
                    _ => None,
                }
            }
        };
        match step {
            Some(s) if e.errors.is_empty() => Ok(s),
            _ => Err(e),
        }
    }

    fn panel(&self, e: &mut Invalid, on: Option<NaiveDate>) -> Option<Step> {
        let decision = pick(e, "decision", self.decision.as_deref(), PanelDecision::parse)?;
        let reason = text::paragraphs(e, "reason", self.reason.as_deref(), LONG);
        let approved_for = if decision == PanelDecision::Approved {
            let max_children = number(e, "max_children", self.max_children.as_deref(), 10);
            let age_min = number(e, "age_min", self.age_min.as_deref(), 17);
            let age_max = number(e, "age_max", self.age_max.as_deref(), 17);
            if let (Some(a), Some(b)) = (age_min, age_max) {
                if b < a {
                    e.push("age_max", "err-age-range");
                }
            }
            if max_children == Some(0) {
                e.push("max_children", "err-number");
            }
            let sex = optional_pick(e, "sex", self.sex.as_deref(), SexPreference::parse).unwrap_or(SexPreference::Any);
            let mut care_types = Vec::new();
            for c in self.care_types.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                match CareType::parse(c) {
                    Some(t) if !care_types.contains(&t) => care_types.push(t),
                    Some(_) => {}
                    None => e.push("care_types", "err-invalid-choice"),
                }
            }
            if care_types.is_empty() && !e.has("care_types") {
                e.push("care_types", "err-required");
            }
            match (on, max_children, age_min, age_max) {
                (Some(on), Some(max_children), Some(age_min), Some(age_max)) => {
                    Some(Approval { on, max_children, age_min, age_max, sex, care_types })
                }
                _ => None,
            }
        } else {
            if reason.is_none() && !e.has("reason") {
                e.push("reason", "err-required");
            }
            None
        };
        Some(Step::Panel { on: on?, decision, approved_for, reason })
    }
}

impl Step {
    pub fn date(&self) -> NaiveDate {
        match self {
            Step::FollowUp { on, .. }
            | Step::HomeVisit { on, .. }
            | Step::Reference { on, .. }
            | Step::Check { on, .. }
            | Step::Assessment { on, .. }
            | Step::Training { on, .. }
            | Step::Panel { on, .. }
            | Step::Availability { on, .. }
            | Step::SupportVisit { on, .. }
            | Step::Review { on, .. }
            | Step::Suspend { on, .. }
            | Step::Reinstate { on, .. }
            | Step::Deregister { on, .. } => *on,
        }
    }

    pub fn kind(&self) -> StepKind {
        match self {
            Step::FollowUp { .. } => StepKind::FollowUp,
            Step::HomeVisit { .. } => StepKind::HomeVisit,
            Step::Reference { .. } => StepKind::Reference,
            Step::Check { .. } => StepKind::Check,
            Step::Assessment { .. } => StepKind::Assessment,
            Step::Training { .. } => StepKind::Training,
            Step::Panel { .. } => StepKind::Panel,
            Step::Availability { .. } => StepKind::Availability,
            Step::SupportVisit { .. } => StepKind::SupportVisit,
            Step::Review { .. } => StepKind::Review,
            Step::Suspend { .. } => StepKind::Suspend,
            Step::Reinstate { .. } => StepKind::Reinstate,
            Step::Deregister { .. } => StepKind::Deregister,
        }
    }

    /// The panel's decision is a supervisor's or manager's, not a worker's.
    pub fn needs_supervisor(&self) -> bool {
        matches!(self, Step::Panel { .. } | Step::Suspend { .. } | Step::Deregister { .. } | Step::Reinstate { .. })
    }
}
