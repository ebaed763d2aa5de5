//! The records kept on a case — intake, risk, care plan, placement, follow-up visit, note, task,
//! closure — as raw input (from a form or the API, every value a string) and as validated values.
//! Each `validate` reports every problem at once, as field + translation key.

use super::csi;
use super::stage::{ClosureReason, IntakeRoute, ReferralSource, RiskLevel};
use crate::child::parse_date;
use crate::choices::pick_list;
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use super::visit::{Observation, Visit, VisitBy, VisitInput, VisitMode};

pick_list!(PlacementType, "placement", {
    BothParents => "both_parents",
    Mother => "mother",
    Father => "father",
    Kinship => "kinship",
    FosterShort => "foster_short",
    FosterLong => "foster_long",
    IndependentLiving => "independent",
    GroupHome => "group_home",
    Residential => "residential",
});

impl PlacementType {
    /// Care in a family or the young person's own home: it starts two years of follow-up.
    pub fn family_based(self) -> bool {
        !matches!(self, PlacementType::GroupHome | PlacementType::Residential)
    }
}

pick_list!(NoteKind, "note", {
    HomeVisit => "home_visit",
    OfficeVisit => "office_visit",
    Phone => "phone",
    ThirdParty => "third_party",
    Supervision => "supervision",
});

pick_list!(SchoolAttendance, "school", {
    Regular => "regular",
    Irregular => "irregular",
    NotAttending => "not_attending",
    NotApplicable => "not_applicable",
});

/// A checkbox or API flag: "on" (HTML), "true", "1", "yes".
pub fn flag(raw: Option<&str>) -> bool {
    matches!(raw.map(str::trim), Some("on" | "true" | "1" | "yes"))
}

pub(crate) fn pick<T>(e: &mut Invalid, field: &'static str, raw: Option<&str>, parse: fn(&str) -> Option<T>) -> Option<T> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.push(field, "err-required");
            None
        }
        Some(code) => parse(code).or_else(|| {
            e.push(field, "err-invalid-choice");
            None
        }),
    }
}

pub(crate) fn optional_pick<T>(e: &mut Invalid, field: &'static str, raw: Option<&str>, parse: fn(&str) -> Option<T>) -> Option<T> {
    raw.map(str::trim).filter(|s| !s.is_empty())?;
    pick(e, field, raw, parse)
}

/// A date that has happened: required, `YYYY-MM-DD` (ASCII or Khmer digits), not after today.
pub fn past_date(e: &mut Invalid, field: &'static str, raw: Option<&str>, today: NaiveDate) -> Option<NaiveDate> {
    let d = any_date(e, field, raw)?;
    if d > today {
        e.push(field, "err-date-future");
        return None;
    }
    Some(d)
}

pub fn any_date(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> Option<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.push(field, "err-required");
            None
        }
        Some(s) => parse_date(s).or_else(|| {
            e.push(field, "err-date");
            None
        }),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct IntakeInput {
    pub route: Option<String>,
    pub referral_source: Option<String>,
    pub opened_on: Option<String>,
    pub summary: Option<String>,
    pub immediate_safety: Option<String>,
    /// From an RCI: the institution she lives in (her stay there is recorded if it is not).
    pub rci_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Intake {
    pub route: IntakeRoute,
    pub referral_source: Option<ReferralSource>,
    pub opened_on: NaiveDate,
    pub summary: Option<String>,
    /// For an emergency intervention: what was done to make the child safe now.
    pub immediate_safety: Option<String>,
    /// From an RCI: the institution (only with that route). Without it the case knows the stay
    /// the child's record already has (issue 21).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rci_id: Option<Uuid>,
}

impl IntakeInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Intake, Invalid> {
        let mut e = Invalid::default();
        let route = pick(&mut e, "route", self.route.as_deref(), IntakeRoute::parse);
        let referral_source = optional_pick(&mut e, "referral_source", self.referral_source.as_deref(), ReferralSource::parse);
        let opened_on = past_date(&mut e, "opened_on", self.opened_on.as_deref(), today);
        let summary = text::paragraphs(&mut e, "summary", self.summary.as_deref(), LONG);
        let immediate_safety = text::paragraphs(&mut e, "immediate_safety", self.immediate_safety.as_deref(), LONG);
        if route == Some(IntakeRoute::Report) && referral_source.is_none() && !e.has("referral_source") {
            e.push("referral_source", "err-required");
        }
        if route == Some(IntakeRoute::Emergency) && immediate_safety.is_none() && !e.has("immediate_safety") {
            e.push("immediate_safety", "err-required");
        }
        let rci_id = match self.rci_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) if route == Some(IntakeRoute::Rci) => Uuid::parse_str(s).ok().or_else(|| {
                e.push("rci_id", "err-invalid-choice");
                None
            }),
            _ => None,
        };
        match (route, opened_on) {
            (Some(route), Some(opened_on)) if e.errors.is_empty() => {
                Ok(Intake { route, referral_source, opened_on, summary, immediate_safety, rci_id })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RiskInput {
    pub level: Option<String>,
    pub reasons: Option<String>,
    pub assessed_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Risk {
    pub level: RiskLevel,
    pub reasons: String,
    pub assessed_on: NaiveDate,
}

impl RiskInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Risk, Invalid> {
        let mut e = Invalid::default();
        let level = pick(&mut e, "level", self.level.as_deref(), RiskLevel::parse);
        let reasons = text::paragraphs(&mut e, "reasons", self.reasons.as_deref(), LONG);
        if reasons.is_none() && !e.has("reasons") {
            e.push("reasons", "err-required");
        }
        let assessed_on = past_date(&mut e, "assessed_on", self.assessed_on.as_deref(), today);
        match (level, reasons, assessed_on) {
            (Some(level), Some(reasons), Some(assessed_on)) => Ok(Risk { level, reasons, assessed_on }),
            _ => Err(e),
        }
    }
}

/// A Child Status Index assessment as stored: the date and the scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CsiAssessment {
    pub assessed_on: NaiveDate,
    #[serde(flatten)]
    pub scores: csi::CsiScores,
}

pub fn validate_csi(
    assessed_on: Option<&str>,
    raw: &[(String, Option<String>, Option<String>)],
    today: NaiveDate,
) -> Result<CsiAssessment, Invalid> {
    let mut e = Invalid::default();
    let date = past_date(&mut e, "assessed_on", assessed_on, today);
    match (csi::validate(raw), date) {
        (Ok(scores), Some(assessed_on)) => Ok(CsiAssessment { assessed_on, scores }),
        (Err(mut more), _) => {
            more.errors.extend(e.errors);
            Err(more)
        }
        (Ok(_), None) => Err(e),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CarePlanInput {
    /// Goal text per CSI domain, keyed `goal_<domain>`.
    #[serde(flatten)]
    pub goals: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goal {
    pub domain: String,
    pub goal: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CarePlan {
    pub goals: Vec<Goal>,
    /// The child's and the family's views, in their own words.
    pub child_view: Option<String>,
    pub family_view: Option<String>,
    pub review_on: NaiveDate,
}

impl CarePlanInput {
    pub fn validate(&self, today: NaiveDate) -> Result<CarePlan, Invalid> {
        let mut e = Invalid::default();
        let get = |k: &str| self.goals.get(k).map(String::as_str);
        let mut goals = Vec::new();
        for d in csi::DOMAINS {
            let field = match d.code {
                "food" => "goal_food",
                "shelter" => "goal_shelter",
                "protection" => "goal_protection",
                "health" => "goal_health",
                "psychosocial" => "goal_psychosocial",
                _ => "goal_education",
            };
            if let Some(goal) = text::paragraphs(&mut e, field, get(field), LONG) {
                goals.push(Goal { domain: d.code.to_string(), goal });
            }
        }
        if goals.is_empty() && e.errors.is_empty() {
            e.push("goal_food", "err-plan-needs-goal");
        }
        let child_view = text::paragraphs(&mut e, "child_view", get("child_view"), LONG);
        let family_view = text::paragraphs(&mut e, "family_view", get("family_view"), LONG);
        let review_on = any_date(&mut e, "review_on", get("review_on"));
        if review_on.is_some_and(|d| d < today) {
            e.push("review_on", "err-date-past");
        }
        match review_on {
            Some(review_on) if e.errors.is_empty() => Ok(CarePlan { goals, child_view, family_view, review_on }),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlacementInput {
    pub kind: Option<String>,
    pub household_id: Option<String>,
    pub started_on: Option<String>,
    pub justification: Option<String>,
    pub rci_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Placement {
    pub kind: PlacementType,
    pub household_id: Option<Uuid>,
    pub started_on: NaiveDate,
    /// Required for residential care: the written reason an institution is the only option.
    pub justification: Option<String>,
    /// Residential care: the institution. Its approval opens her stay there (issue 21).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rci_id: Option<Uuid>,
}

impl PlacementInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Placement, Invalid> {
        let mut e = Invalid::default();
        let kind = pick(&mut e, "kind", self.kind.as_deref(), PlacementType::parse);
        let household_id = match self.household_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Uuid::parse_str(s).ok().or_else(|| {
                e.push("household_id", "err-invalid-choice");
                None
            }),
        };
        let started_on = past_date(&mut e, "started_on", self.started_on.as_deref(), today);
        let justification = text::paragraphs(&mut e, "justification", self.justification.as_deref(), LONG);
        if kind == Some(PlacementType::Residential) && justification.is_none() && !e.has("justification") {
            e.push("justification", "err-institution-justification");
        }
        let rci_id = match self.rci_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Uuid::parse_str(s).ok().or_else(|| {
                e.push("rci_id", "err-invalid-choice");
                None
            }),
            None => None,
        }
        .filter(|_| kind == Some(PlacementType::Residential));
        if kind == Some(PlacementType::Residential) && rci_id.is_none() && !e.has("rci_id") {
            e.push("rci_id", "err-placement-rci");
        }
        if kind.is_some_and(|k| k.family_based() && k != PlacementType::IndependentLiving)
            && household_id.is_none()
            && !e.has("household_id")
        {
            e.push("household_id", "err-placement-household");
        }
        match (kind, started_on) {
            (Some(kind), Some(started_on)) if e.errors.is_empty() => {
                Ok(Placement { kind, household_id, started_on, justification, rci_id })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NoteInput {
    pub kind: Option<String>,
    pub noted_on: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Note {
    pub kind: NoteKind,
    pub noted_on: NaiveDate,
    pub text: String,
}

impl NoteInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Note, Invalid> {
        let mut e = Invalid::default();
        let kind = pick(&mut e, "kind", self.kind.as_deref(), NoteKind::parse);
        let noted_on = past_date(&mut e, "noted_on", self.noted_on.as_deref(), today);
        let text = text::paragraphs(&mut e, "text", self.text.as_deref(), 10_000);
        if text.is_none() && !e.has("text") {
            e.push("text", "err-required");
        }
        match (kind, noted_on, text) {
            (Some(kind), Some(noted_on), Some(text)) => Ok(Note { kind, noted_on, text }),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TaskInput {
    pub title: Option<String>,
    pub owner_id: Option<String>,
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Task {
    pub title: String,
    pub owner_id: Uuid,
    pub due_on: NaiveDate,
}

impl TaskInput {
    /// A task cannot be due before its case was opened.
    pub fn validate(&self, case_opened_on: NaiveDate) -> Result<Task, Invalid> {
        let mut e = Invalid::default();
        let title = text::required(&mut e, "title", self.title.as_deref(), SHORT);
        let owner_id = match self.owner_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.push("owner_id", "err-required");
                None
            }
            Some(s) => Uuid::parse_str(s).ok().or_else(|| {
                e.push("owner_id", "err-invalid-choice");
                None
            }),
        };
        let due_on = any_date(&mut e, "due_on", self.due_on.as_deref());
        if due_on.is_some_and(|d| d < case_opened_on) {
            e.push("due_on", "err-task-before-case");
        }
        match (owner_id, due_on) {
            (Some(owner_id), Some(due_on)) if e.errors.is_empty() => Ok(Task { title, owner_id, due_on }),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ClosureInput {
    pub reason: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Closure {
    pub reason: ClosureReason,
    pub note: Option<String>,
}

impl ClosureInput {
    pub fn validate(&self) -> Result<Closure, Invalid> {
        let mut e = Invalid::default();
        let reason = pick(&mut e, "reason", self.reason.as_deref(), ClosureReason::parse);
        let note = text::paragraphs(&mut e, "note", self.note.as_deref(), LONG);
        if reason == Some(ClosureReason::Other) && note.is_none() && !e.has("note") {
            e.push("note", "err-required");
        }
        match reason {
            Some(reason) if e.errors.is_empty() => Ok(Closure { reason, note }),
            _ => Err(e),
        }
    }
}

/// A reason written in full (returning an approval, reopening a case, ending a placement).
pub fn reason_text(raw: Option<&str>, field: &'static str) -> Result<String, Invalid> {
    let mut e = Invalid::default();
    match text::paragraphs(&mut e, field, raw, LONG) {
        Some(t) => Ok(t),
        None => {
            if e.errors.is_empty() {
                e.push(field, "err-required");
            }
            Err(e)
        }
    }
}
