//! A follow-up visit as it really happens: who made it (the case's own worker, a colleague, a
//! DoSVY officer or a commune focal point visiting on the organisation's behalf, a para social
//! worker…) and how (at home, by phone when roads are closed, by video, at school or at the
//! office), with what was seen and done. Visits recorded before these were asked read as the
//! case worker's home visit, which is what every visit then was.

use super::csi;
use super::entries::{flag, optional_pick, past_date, pick, SchoolAttendance};
use super::stage::RiskLevel;
use crate::choices::pick_list;
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pick_list!(
    /// Who made the visit.
    VisitBy, "visit-by", {
        CaseWorker => "case_worker",
        OtherWorker => "other_worker",
        Dosvy => "dosvy",
        Commune => "commune",
        ParaSocialWorker => "para_social_worker",
        Other => "other",
    }
);

pick_list!(
    /// How the child and family were reached.
    VisitMode, "visit-mode", {
        Home => "home",
        Phone => "phone",
        Video => "video",
        School => "school",
        Office => "office",
    }
);

#[allow(clippy::derivable_impls)] // the enum is made by `pick_list!`
impl Default for VisitBy {
    fn default() -> Self {
        VisitBy::CaseWorker
    }
}

#[allow(clippy::derivable_impls)]
impl Default for VisitMode {
    fn default() -> Self {
        VisitMode::Home
    }
}

impl VisitMode {
    /// A call or a video call: nobody was in the room with the child.
    pub fn remote(self) -> bool {
        matches!(self, VisitMode::Phone | VisitMode::Video)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct VisitInput {
    pub visited_on: Option<String>,
    /// Who made the visit (`visit-by` codes); the case's worker when absent.
    pub visited_by: Option<String>,
    /// The visitor's name: required unless the case's own worker made the visit.
    pub visitor_name: Option<String>,
    /// How (`visit-mode` codes); a home visit when absent.
    pub mode: Option<String>,
    pub child_seen: Option<String>,
    pub spoken_alone: Option<String>,
    pub school: Option<String>,
    pub safety_concern: Option<String>,
    pub actions: Option<String>,
    /// A concern may raise the case's risk level on the spot.
    pub raise_risk: Option<String>,
    /// Observations per CSI domain, keyed `obs_<domain>`.
    #[serde(flatten)]
    pub observations: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Observation {
    pub domain: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Visit {
    pub visited_on: NaiveDate,
    #[serde(default)]
    pub visited_by: VisitBy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    #[serde(default)]
    pub mode: VisitMode,
    pub child_seen: bool,
    pub spoken_alone: bool,
    pub school: SchoolAttendance,
    pub observations: Vec<Observation>,
    pub safety_concern: Option<String>,
    pub actions: Option<String>,
    pub raise_risk: Option<RiskLevel>,
}

impl VisitInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Visit, Invalid> {
        let mut e = Invalid::default();
        let visited_on = past_date(&mut e, "visited_on", self.visited_on.as_deref(), today);
        let visited_by = optional_pick(&mut e, "visited_by", self.visited_by.as_deref(), VisitBy::parse).unwrap_or_default();
        let visitor_name = text::optional(&mut e, "visitor_name", self.visitor_name.as_deref(), SHORT);
        // Someone other than the case's worker must be named: "DoSVY" alone does not say whom
        // to ask about what was seen.
        if visited_by != VisitBy::CaseWorker && visitor_name.is_none() && !e.has("visitor_name") {
            e.push("visitor_name", "err-visitor-name");
        }
        let mode = optional_pick(&mut e, "mode", self.mode.as_deref(), VisitMode::parse).unwrap_or_default();
        let school = pick(&mut e, "school", self.school.as_deref(), SchoolAttendance::parse);
        let mut observations = Vec::new();
        for d in csi::DOMAINS {
            let key = format!("obs_{}", d.code);
            let mut inner = Invalid::default();
            if let Some(text) = text::paragraphs(&mut inner, "observations", self.observations.get(&key).map(String::as_str), LONG) {
                observations.push(Observation { domain: d.code.to_string(), text });
            }
            e.errors.extend(inner.errors);
        }
        let safety_concern = text::paragraphs(&mut e, "safety_concern", self.safety_concern.as_deref(), LONG);
        let actions = text::paragraphs(&mut e, "actions", self.actions.as_deref(), LONG);
        let raise_risk = optional_pick(&mut e, "raise_risk", self.raise_risk.as_deref(), RiskLevel::parse);
        if raise_risk.is_some() && safety_concern.is_none() && !e.has("safety_concern") {
            e.push("safety_concern", "err-risk-needs-concern");
        }
        let (child_seen, spoken_alone) = (flag(self.child_seen.as_deref()), flag(self.spoken_alone.as_deref()));
        if spoken_alone && !child_seen {
            e.push("spoken_alone", "err-alone-not-seen");
        }
        match (visited_on, school) {
            (Some(visited_on), Some(school)) if e.errors.is_empty() => Ok(Visit {
                visited_on,
                visited_by,
                visitor_name: visitor_name.filter(|_| visited_by != VisitBy::CaseWorker),
                mode,
                child_seen,
                spoken_alone,
                school,
                observations,
                safety_concern,
                actions,
                raise_risk,
            }),
            _ => Err(e),
        }
    }
}
