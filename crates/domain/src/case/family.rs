//! Finding and judging the family: what is known for tracing, each tracing attempt, the family
//! assessment, readiness for reintegration, and the alternative care chosen when there is no
//! family to go back to.

use super::entries::past_date;
use crate::child::valid_village_code;
use crate::choices::{pick_list, IdPoor, Relationship};
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pick_list!(TracingMethod, "trace-method", {
    Visit => "visit",
    Phone => "phone",
    CommuneCouncil => "commune_council",
    Police => "police",
    OtherNgo => "other_ngo",
    SocialMedia => "social_media",
    FamilyInquiry => "family_inquiry",
    Other => "other",
});

pick_list!(TracingOutcome, "trace-outcome", { Found => "found", NotFound => "not_found", Ongoing => "ongoing" });

pick_list!(FamilyOutcome, "family-outcome", { Positive => "positive", Negative => "negative", NeedsSupport => "needs_support" });

pick_list!(Readiness, "readiness", { Ready => "ready", Partly => "partly", NotReady => "not_ready" });

pick_list!(AltCare, "alt-care", {
    Kinship => "kinship",
    Foster => "foster",
    GroupHome => "group_home",
    Independent => "independent",
    Residential => "residential",
});

fn pick<T>(e: &mut Invalid, field: &'static str, raw: Option<&str>, parse: fn(&str) -> Option<T>, required: bool) -> Option<T> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if required {
                e.push(field, "err-required");
            }
            None
        }
        Some(code) => parse(code).or_else(|| {
            e.push(field, "err-invalid-choice");
            None
        }),
    }
}

fn village(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> Option<String> {
    let v = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if valid_village_code(v) {
        Some(v.to_string())
    } else {
        e.push(field, "err-unknown-place");
        None
    }
}

fn para(e: &mut Invalid, field: &'static str, raw: &Option<String>) -> Option<String> {
    text::paragraphs(e, field, raw.as_deref(), LONG)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TracingInfoInput {
    pub parents: Option<String>,
    pub relatives: Option<String>,
    pub village_code: Option<String>,
    pub old_place: Option<String>,
    pub landmarks: Option<String>,
}

/// What is known to start tracing from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TracingInfo {
    pub parents: Option<String>,
    pub relatives: Option<String>,
    pub village_code: Option<String>,
    pub old_place: Option<String>,
    pub landmarks: Option<String>,
}

impl TracingInfoInput {
    pub fn validate(&self) -> Result<TracingInfo, Invalid> {
        let mut e = Invalid::default();
        let info = TracingInfo {
            parents: para(&mut e, "parents", &self.parents),
            relatives: para(&mut e, "relatives", &self.relatives),
            village_code: village(&mut e, "village_code", self.village_code.as_deref()),
            old_place: para(&mut e, "old_place", &self.old_place),
            landmarks: para(&mut e, "landmarks", &self.landmarks),
        };
        if e.errors.is_empty()
            && info.parents.is_none()
            && info.relatives.is_none()
            && info.old_place.is_none()
            && info.village_code.is_none()
        {
            e.push("parents", "err-tracing-nothing-known");
        }
        e.into_result(info)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TracingAttemptInput {
    pub attempted_on: Option<String>,
    pub method: Option<String>,
    pub village_code: Option<String>,
    pub people_met: Option<String>,
    pub learned: Option<String>,
    pub outcome: Option<String>,
    pub relative_name_km: Option<String>,
    pub relative_name_latin: Option<String>,
    pub relative_relationship: Option<String>,
}

/// A relative found, to be added to the child's household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RelativeFound {
    pub name_km: Option<String>,
    pub name_latin: Option<String>,
    pub relationship: Relationship,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TracingAttempt {
    pub attempted_on: NaiveDate,
    pub method: TracingMethod,
    pub village_code: Option<String>,
    pub people_met: Option<String>,
    pub learned: Option<String>,
    pub outcome: TracingOutcome,
    pub relative: Option<RelativeFound>,
}

impl TracingAttemptInput {
    pub fn validate(&self, today: NaiveDate) -> Result<TracingAttempt, Invalid> {
        let mut e = Invalid::default();
        let attempted_on = past_date(&mut e, "attempted_on", self.attempted_on.as_deref(), today);
        let method = pick(&mut e, "method", self.method.as_deref(), TracingMethod::parse, true);
        let village_code = village(&mut e, "village_code", self.village_code.as_deref());
        let people_met = para(&mut e, "people_met", &self.people_met);
        let learned = para(&mut e, "learned", &self.learned);
        let outcome = pick(&mut e, "outcome", self.outcome.as_deref(), TracingOutcome::parse, true);
        let name_km = text::optional(&mut e, "relative_name_km", self.relative_name_km.as_deref(), SHORT);
        let name_latin = text::optional(&mut e, "relative_name_latin", self.relative_name_latin.as_deref(), SHORT);
        let relationship = pick(&mut e, "relative_relationship", self.relative_relationship.as_deref(), Relationship::parse, false);
        let relative = match (name_km.is_some() || name_latin.is_some(), relationship) {
            (false, None) => None,
            (true, Some(relationship)) => Some(RelativeFound { name_km, name_latin, relationship }),
            (true, None) => {
                if !e.has("relative_relationship") {
                    e.push("relative_relationship", "err-required");
                }
                None
            }
            (false, Some(_)) => {
                e.push("relative_name_km", "err-required");
                None
            }
        };
        if relative.is_some() && outcome != Some(TracingOutcome::Found) && !e.has("outcome") {
            e.push("outcome", "err-relative-needs-found");
        }
        match (attempted_on, method, outcome) {
            (Some(attempted_on), Some(method), Some(outcome)) if e.errors.is_empty() => {
                Ok(TracingAttempt { attempted_on, method, village_code, people_met, learned, outcome, relative })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FamilyAssessmentInput {
    pub assessed_on: Option<String>,
    pub household_id: Option<String>,
    pub safety: Option<String>,
    pub willingness: Option<String>,
    pub capacity: Option<String>,
    pub housing: Option<String>,
    pub income: Option<String>,
    pub health: Option<String>,
    pub id_poor: Option<String>,
    pub support_network: Option<String>,
    pub outcome: Option<String>,
}

/// The areas of a family assessment, in form order.
pub const FAMILY_AREAS: [&str; 7] = ["safety", "willingness", "capacity", "housing", "income", "health", "support_network"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FamilyAssessment {
    pub assessed_on: NaiveDate,
    pub household_id: Option<uuid::Uuid>,
    /// Findings per area (see `FAMILY_AREAS`).
    pub findings: Vec<(String, String)>,
    pub id_poor: IdPoor,
    pub outcome: FamilyOutcome,
}

impl FamilyAssessmentInput {
    pub fn validate(&self, today: NaiveDate) -> Result<FamilyAssessment, Invalid> {
        let mut e = Invalid::default();
        let assessed_on = past_date(&mut e, "assessed_on", self.assessed_on.as_deref(), today);
        let household_id = match self.household_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => uuid::Uuid::parse_str(s).ok().or_else(|| {
                e.push("household_id", "err-invalid-choice");
                None
            }),
        };
        let raw = [&self.safety, &self.willingness, &self.capacity, &self.housing, &self.income, &self.health, &self.support_network];
        let mut findings = Vec::new();
        for (area, value) in FAMILY_AREAS.iter().zip(raw) {
            if let Some(t) = para(&mut e, area, value) {
                findings.push((area.to_string(), t));
            }
        }
        for required in ["safety", "willingness", "capacity"] {
            if !findings.iter().any(|(a, _)| a == required) && !e.has(required) {
                e.push(required, "err-required");
            }
        }
        let id_poor = pick(&mut e, "id_poor", self.id_poor.as_deref(), IdPoor::parse, false).unwrap_or(IdPoor::Unknown);
        let outcome = pick(&mut e, "outcome", self.outcome.as_deref(), FamilyOutcome::parse, true);
        match (assessed_on, outcome) {
            (Some(assessed_on), Some(outcome)) if e.errors.is_empty() => {
                Ok(FamilyAssessment { assessed_on, household_id, findings, id_poor, outcome })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReadinessInput {
    pub assessed_on: Option<String>,
    pub child_ready: Option<String>,
    pub family_ready: Option<String>,
    pub child_view: Option<String>,
    pub family_view: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReadinessAssessment {
    pub assessed_on: NaiveDate,
    pub child_ready: Readiness,
    pub family_ready: Readiness,
    /// Required: the child's own view of going home, in their words.
    pub child_view: String,
    pub family_view: Option<String>,
    pub note: Option<String>,
}

impl ReadinessInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ReadinessAssessment, Invalid> {
        let mut e = Invalid::default();
        let assessed_on = past_date(&mut e, "assessed_on", self.assessed_on.as_deref(), today);
        let child_ready = pick(&mut e, "child_ready", self.child_ready.as_deref(), Readiness::parse, true);
        let family_ready = pick(&mut e, "family_ready", self.family_ready.as_deref(), Readiness::parse, true);
        let child_view = para(&mut e, "child_view", &self.child_view);
        if child_view.is_none() && !e.has("child_view") {
            e.push("child_view", "err-child-view-required");
        }
        let family_view = para(&mut e, "family_view", &self.family_view);
        let note = para(&mut e, "note", &self.note);
        match (assessed_on, child_ready, family_ready, child_view) {
            (Some(assessed_on), Some(child_ready), Some(family_ready), Some(child_view)) if e.errors.is_empty() => {
                Ok(ReadinessAssessment { assessed_on, child_ready, family_ready, child_view, family_view, note })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AltCareInput {
    pub decided_on: Option<String>,
    pub option: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AltCareDecision {
    pub decided_on: NaiveDate,
    pub option: AltCare,
    pub reason: String,
}

impl AltCareInput {
    pub fn validate(&self, today: NaiveDate) -> Result<AltCareDecision, Invalid> {
        let mut e = Invalid::default();
        let decided_on = past_date(&mut e, "decided_on", self.decided_on.as_deref(), today);
        let option = pick(&mut e, "option", self.option.as_deref(), AltCare::parse, true);
        let reason = para(&mut e, "reason", &self.reason);
        if reason.is_none() && !e.has("reason") {
            e.push("reason", if option == Some(AltCare::Residential) { "err-institution-justification" } else { "err-required" });
        }
        match (decided_on, option, reason) {
            (Some(decided_on), Some(option), Some(reason)) => Ok(AltCareDecision { decided_on, option, reason }),
            _ => Err(e),
        }
    }
}

/// Alternative care is chosen only when the family cannot be the answer: tracing found no one,
/// or the family assessment was negative.
pub fn may_choose_alternative(latest_tracing: Option<TracingOutcome>, latest_family: Option<FamilyOutcome>) -> Result<(), &'static str> {
    if latest_tracing == Some(TracingOutcome::NotFound) || latest_family == Some(FamilyOutcome::Negative) {
        Ok(())
    } else {
        Err("err-alt-care-needs-reason")
    }
}
