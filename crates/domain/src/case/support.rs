//! Case conferences (who met, what they decided, who commits what, next steps that become
//! tasks) and support and services delivered to the child and family.

use super::entries::{any_date, past_date};
use crate::choices::pick_list;
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pick_list!(Participant, "participant", {
    Workers => "workers",
    LocalAuthority => "local_authority",
    Dosvy => "dosvy",
    OtherNgo => "other_ngo",
    Family => "family",
    Child => "child",
});

pick_list!(ServiceKind, "service", {
    EmergencyFood => "emergency_food",
    SchoolEnrolment => "school_enrolment",
    HealthCare => "health_care",
    Counselling => "counselling",
    TraumaRehabilitation => "trauma_rehabilitation",
    ParentingSkills => "parenting_skills",
    LegalSupport => "legal_support",
    BirthCertificate => "birth_certificate",
    IdPoorCard => "id_poor_card",
    IncomeGeneration => "income_generation",
    VocationalTraining => "vocational_training",
    GovernmentCash => "government_cash",
});

pick_list!(Provider, "provider", { OwnOrganisation => "own", OtherOrganisation => "other_org", Government => "government" });

/// How many next steps a conference form offers (each becomes a task).
pub const NEXT_STEPS: usize = 3;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConferenceInput {
    pub held_on: Option<String>,
    pub place: Option<String>,
    pub participant_names: Option<String>,
    pub decisions: Option<String>,
    pub commitments: Option<String>,
    /// `participant_<code>` ticks, `step_<n>_title` / `step_<n>_due` next steps.
    #[serde(flatten)]
    pub rest: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NextStep {
    pub title: String,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conference {
    pub held_on: NaiveDate,
    pub place: Option<String>,
    pub participants: Vec<Participant>,
    pub participant_names: Option<String>,
    pub decisions: String,
    /// Resources each party commits, one per line ("DoSVY: school materials").
    pub commitments: Option<String>,
    pub next_steps: Vec<NextStep>,
}

impl ConferenceInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Conference, Invalid> {
        let mut e = Invalid::default();
        let held_on = past_date(&mut e, "held_on", self.held_on.as_deref(), today);
        let place = text::optional(&mut e, "place", self.place.as_deref(), SHORT);
        let participants: Vec<Participant> = Participant::ALL
            .iter()
            .copied()
            .filter(|p| super::entries::flag(self.rest.get(&format!("participant_{}", p.code())).map(String::as_str)))
            .collect();
        if participants.is_empty() {
            e.push("participants", "err-participants");
        }
        let participant_names = text::paragraphs(&mut e, "participant_names", self.participant_names.as_deref(), LONG);
        let decisions = text::paragraphs(&mut e, "decisions", self.decisions.as_deref(), LONG);
        if decisions.is_none() && !e.has("decisions") {
            e.push("decisions", "err-required");
        }
        let commitments = text::paragraphs(&mut e, "commitments", self.commitments.as_deref(), LONG);
        let mut next_steps = Vec::new();
        for n in 1..=NEXT_STEPS {
            let (tk, dk) = (format!("step_{n}_title"), format!("step_{n}_due"));
            let title = self.rest.get(&tk).map(|s| s.trim()).filter(|s| !s.is_empty());
            let due = self.rest.get(&dk).map(|s| s.trim()).filter(|s| !s.is_empty());
            let (tf, df): (&'static str, &'static str) = match n {
                1 => ("step_1_title", "step_1_due"),
                2 => ("step_2_title", "step_2_due"),
                _ => ("step_3_title", "step_3_due"),
            };
            match (title, due) {
                (None, None) => {}
                (Some(_), _) => {
                    let title = text::required(&mut e, tf, title, SHORT);
                    let due_on = any_date(&mut e, df, due);
                    if let (Some(due_on), Some(held)) = (due_on, held_on) {
                        if due_on < held {
                            e.push(df, "err-step-before-conference");
                        } else {
                            next_steps.push(NextStep { title, due_on });
                        }
                    }
                }
                (None, Some(_)) => e.push(tf, "err-required"),
            }
        }
        match (held_on, decisions) {
            (Some(held_on), Some(decisions)) if e.errors.is_empty() => {
                Ok(Conference { held_on, place, participants, participant_names, decisions, commitments, next_steps })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ServiceInput {
    pub service: Option<String>,
    pub provider: Option<String>,
    pub provider_name: Option<String>,
    pub provided_on: Option<String>,
    pub quantity: Option<String>,
    pub value_riel: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Service {
    pub service: ServiceKind,
    pub provider: Provider,
    pub provider_name: Option<String>,
    pub provided_on: NaiveDate,
    pub quantity: Option<String>,
    /// Value in riel, for reports of support given.
    pub value_riel: Option<u64>,
    pub outcome: Option<String>,
}

impl ServiceInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Service, Invalid> {
        let mut e = Invalid::default();
        let service = match self.service.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.push("service", "err-required");
                None
            }
            Some(c) => ServiceKind::parse(c).or_else(|| {
                e.push("service", "err-invalid-choice");
                None
            }),
        };
        let provider = match self.provider.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(Provider::OwnOrganisation),
            Some(c) => Provider::parse(c).or_else(|| {
                e.push("provider", "err-invalid-choice");
                None
            }),
        };
        let provider_name = text::optional(&mut e, "provider_name", self.provider_name.as_deref(), SHORT);
        if provider == Some(Provider::OtherOrganisation) && provider_name.is_none() && !e.has("provider_name") {
            e.push("provider_name", "err-required");
        }
        let provided_on = past_date(&mut e, "provided_on", self.provided_on.as_deref(), today);
        let quantity = text::optional(&mut e, "quantity", self.quantity.as_deref(), SHORT);
        let value_riel = match self.value_riel.as_deref().map(|v| v.trim().replace([',', ' '], "")).filter(|s| !s.is_empty()) {
            None => None,
            Some(v) => crate::child::parse_number::<u64>(&v).filter(|n| *n <= 1_000_000_000).or_else(|| {
                e.push("value_riel", "err-number");
                None
            }),
        };
        let outcome = text::paragraphs(&mut e, "outcome", self.outcome.as_deref(), LONG);
        match (service, provider, provided_on) {
            (Some(service), Some(provider), Some(provided_on)) if e.errors.is_empty() => {
                Ok(Service { service, provider, provider_name, provided_on, quantity, value_riel, outcome })
            }
            _ => Err(e),
        }
    }
}
