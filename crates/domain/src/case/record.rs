//! One record on a case's timeline, typed going in and coming out. The store writes a
//! `CaseEntry` (its `kind` and JSON `body` columns come from it) and reads one back; pages, the
//! ministry forms, the API and the indicators match on it exhaustively, so a new kind of record
//! cannot be forgotten by any of them. The serialised shape, `{"kind": …, "body": {…}}`, is what
//! the API and the offline app have always received.

use super::approval::{ApprovalKind, ApprovalState};
use super::entries::{CarePlan, Closure, CsiAssessment, Intake, Note, Placement, PlacementType, Risk, Visit, VisitBy, VisitMode};
use super::family::{AltCareDecision, FamilyAssessment, ReadinessAssessment, TracingAttempt, TracingInfo, TracingOutcome};
use super::support::{Conference, Provider, Service, ServiceKind};
use crate::referral::{ReferralKind, ReferralState};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A picker of one kind of record, for `CaseFile::latest_of` and `all_of`:
/// `entry_of!(Risk)` is `|e| match e { CaseEntry::Risk(x) => Some(x), _ => None }`.
#[macro_export]
macro_rules! entry_of {
    ($variant:ident) => {
        |e: &$crate::case::CaseEntry| match e {
            $crate::case::CaseEntry::$variant(x) => Some(x),
            _ => None,
        }
    };
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum CaseEntry {
    Intake(Intake),
    Reopen(Reason),
    Risk(Risk),
    Csi(CsiAssessment),
    CarePlan(CarePlan),
    /// An organisation's own assessment tool, answered.
    Assessment(ToolAssessment),
    Placement(Placement),
    PlacementEnd(PlacementEnd),
    Visit(Visit),
    Note(Note),
    Task(TaskSet),
    TaskDone(TaskDone),
    ApprovalRequested(ApprovalRequested),
    ApprovalDecided(ApprovalDecided),
    Attachment(AttachmentAdded),
    TracingInfo(TracingInfo),
    TracingAttempt(TracingAttemptEntry),
    FamilyAssessment(FamilyAssessment),
    Readiness(ReadinessAssessment),
    AltCare(AltCareDecision),
    Conference(Conference),
    Service(Service),
    ReferralSent(ReferralSent),
    ReferralDecided(ReferralDecided),
    /// One of the organisation's own forms, filled in (`crate::forms`).
    CustomForm(crate::forms::answers::FormAnswers),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ToolAnswer {
    pub domain_km: String,
    pub domain_en: String,
    pub km: String,
    pub en: String,
    pub value: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ToolAssessment {
    pub tool: Uuid,
    pub name_km: String,
    pub name_en: String,
    pub assessed_on: NaiveDate,
    pub answers: Vec<ToolAnswer>,
    pub total: i32,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlacementEnd {
    /// The placement entry that ended.
    pub placement: Uuid,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskSet {
    pub task: Uuid,
    pub title: String,
    pub owner_id: Uuid,
    /// What made it: "task" (by hand), "conference", "concern"…
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskDone {
    pub task: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApprovalRequested {
    pub approval: Uuid,
    pub kind: ApprovalKind,
    pub closure: Option<Closure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApprovalDecided {
    pub approval: Uuid,
    pub kind: ApprovalKind,
    pub state: ApprovalState,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentAdded {
    pub attachment: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TracingAttemptEntry {
    pub attempt: TracingAttempt,
    /// The household made for a relative found, if one was.
    pub household: Option<Uuid>,
}

/// A referral or transfer sent: to an organisation using Krousar (`to_org`) or recorded as
/// sent to one that does not (`partner`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReferralSent {
    pub referral: Uuid,
    pub kind: ReferralKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_org: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    pub services: String,
    #[serde(default, rename = "override")]
    pub consent_overridden: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReferralDecided {
    pub referral: Uuid,
    pub kind: ReferralKind,
    pub state: ReferralState,
    pub reason: Option<String>,
}

/// Facts about an entry that reports count across cases, kept in columns of their own so that
/// no query reads them out of the JSON body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntryFacts {
    pub placement_kind: Option<PlacementType>,
    pub tracing_outcome: Option<TracingOutcome>,
    pub service_kind: Option<ServiceKind>,
    pub service_provider: Option<Provider>,
    pub visit_by: Option<VisitBy>,
    pub visit_mode: Option<VisitMode>,
    /// The organisation's own form an entry answers.
    pub form_id: Option<Uuid>,
}

impl EntryFacts {
    /// The columns of `case_entries` that hold the facts, always in this order, with their
    /// values: writing, bulk loading and `krousar check` all go through this one list.
    pub fn columns(&self) -> [(&'static str, Option<String>); 7] {
        let code = |c: Option<&'static str>| c.map(String::from);
        [
            ("placement_kind", code(self.placement_kind.map(|k| k.code()))),
            ("tracing_outcome", code(self.tracing_outcome.map(|k| k.code()))),
            ("service_kind", code(self.service_kind.map(|k| k.code()))),
            ("service_provider", code(self.service_provider.map(|k| k.code()))),
            ("visit_by", code(self.visit_by.map(|k| k.code()))),
            ("visit_mode", code(self.visit_mode.map(|k| k.code()))),
            ("form_id", self.form_id.map(|f| f.to_string())),
        ]
    }
}

impl CaseEntry {
    /// The `kind` column: the serialised tag.
    pub fn kind(&self) -> &'static str {
        match self {
            CaseEntry::Intake(_) => "intake",
            CaseEntry::Reopen(_) => "reopen",
            CaseEntry::Risk(_) => "risk",
            CaseEntry::Csi(_) => "csi",
            CaseEntry::CarePlan(_) => "care_plan",
            CaseEntry::Assessment(_) => "assessment",
            CaseEntry::Placement(_) => "placement",
            CaseEntry::PlacementEnd(_) => "placement_end",
            CaseEntry::Visit(_) => "visit",
            CaseEntry::Note(_) => "note",
            CaseEntry::Task(_) => "task",
            CaseEntry::TaskDone(_) => "task_done",
            CaseEntry::ApprovalRequested(_) => "approval_requested",
            CaseEntry::ApprovalDecided(_) => "approval_decided",
            CaseEntry::Attachment(_) => "attachment",
            CaseEntry::TracingInfo(_) => "tracing_info",
            CaseEntry::TracingAttempt(_) => "tracing_attempt",
            CaseEntry::FamilyAssessment(_) => "family_assessment",
            CaseEntry::Readiness(_) => "readiness",
            CaseEntry::AltCare(_) => "alt_care",
            CaseEntry::Conference(_) => "conference",
            CaseEntry::Service(_) => "service",
            CaseEntry::ReferralSent(_) => "referral_sent",
            CaseEntry::ReferralDecided(_) => "referral_decided",
            CaseEntry::CustomForm(_) => "custom_form",
        }
    }

    /// The `body` column: the record's own JSON, without its kind.
    pub fn body_json(&self) -> String {
        let body = match self {
            CaseEntry::Intake(x) => serde_json::to_string(x),
            CaseEntry::Reopen(x) => serde_json::to_string(x),
            CaseEntry::Risk(x) => serde_json::to_string(x),
            CaseEntry::Csi(x) => serde_json::to_string(x),
            CaseEntry::CarePlan(x) => serde_json::to_string(x),
            CaseEntry::Assessment(x) => serde_json::to_string(x),
            CaseEntry::Placement(x) => serde_json::to_string(x),
            CaseEntry::PlacementEnd(x) => serde_json::to_string(x),
            CaseEntry::Visit(x) => serde_json::to_string(x),
            CaseEntry::Note(x) => serde_json::to_string(x),
            CaseEntry::Task(x) => serde_json::to_string(x),
            CaseEntry::TaskDone(x) => serde_json::to_string(x),
            CaseEntry::ApprovalRequested(x) => serde_json::to_string(x),
            CaseEntry::ApprovalDecided(x) => serde_json::to_string(x),
            CaseEntry::Attachment(x) => serde_json::to_string(x),
            CaseEntry::TracingInfo(x) => serde_json::to_string(x),
            CaseEntry::TracingAttempt(x) => serde_json::to_string(x),
            CaseEntry::FamilyAssessment(x) => serde_json::to_string(x),
            CaseEntry::Readiness(x) => serde_json::to_string(x),
            CaseEntry::AltCare(x) => serde_json::to_string(x),
            CaseEntry::Conference(x) => serde_json::to_string(x),
            CaseEntry::Service(x) => serde_json::to_string(x),
            CaseEntry::ReferralSent(x) => serde_json::to_string(x),
            CaseEntry::ReferralDecided(x) => serde_json::to_string(x),
            CaseEntry::CustomForm(x) => serde_json::to_string(x),
        };
        // Plain data (strings, numbers, dates, codes): serialising cannot fail.
        body.unwrap_or_else(|_| "{}".into())
    }

    /// Read an entry back from its two columns. `Err` says what is wrong with it.
    pub fn decode(kind: &str, body: &str) -> Result<CaseEntry, String> {
        // One pass over the stored text: the body is spliced into the tagged shape as it is.
        let kind_json = serde_json::to_string(kind).map_err(|e| e.to_string())?;
        serde_json::from_str(&format!("{{\"kind\":{kind_json},\"body\":{body}}}")).map_err(|e| format!("a {kind} entry: {e}"))
    }

    pub fn facts(&self) -> EntryFacts {
        match self {
            CaseEntry::Placement(p) => EntryFacts { placement_kind: Some(p.kind), ..Default::default() },
            CaseEntry::TracingAttempt(a) => EntryFacts { tracing_outcome: Some(a.attempt.outcome), ..Default::default() },
            CaseEntry::Service(s) => EntryFacts { service_kind: Some(s.service), service_provider: Some(s.provider), ..Default::default() },
            CaseEntry::Visit(v) => EntryFacts { visit_by: Some(v.visited_by), visit_mode: Some(v.mode), ..Default::default() },
            CaseEntry::CustomForm(f) => EntryFacts { form_id: Some(f.form_id), ..Default::default() },
            _ => EntryFacts::default(),
        }
    }

    /// Records a file can be attached to.
    pub fn takes_files(&self) -> bool {
        matches!(
            self,
            CaseEntry::Note(_)
                | CaseEntry::Visit(_)
                | CaseEntry::TracingInfo(_)
                | CaseEntry::TracingAttempt(_)
                | CaseEntry::FamilyAssessment(_)
                | CaseEntry::Csi(_)
                | CaseEntry::Conference(_)
                | CaseEntry::Service(_)
        )
    }

    /// The approval an entry is about, for what a referral's consent covers.
    pub fn approval_kind(&self) -> Option<ApprovalKind> {
        match self {
            CaseEntry::ApprovalRequested(a) => Some(a.kind),
            CaseEntry::ApprovalDecided(a) => Some(a.kind),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_entry_reads_back_as_it_was_written() {
        let entries = vec![
            CaseEntry::Risk(Risk { level: super::super::stage::RiskLevel::High, reasons: "no food".into(), assessed_on: d("2026-01-02") }),
            CaseEntry::Reopen(Reason { reason: "moved back".into() }),
            CaseEntry::TaskDone(TaskDone { task: Uuid::nil() }),
            CaseEntry::ReferralSent(ReferralSent {
                referral: Uuid::nil(),
                kind: ReferralKind::Transfer,
                to_org: None,
                partner: Some("Friends".into()),
                services: "school".into(),
                consent_overridden: false,
            }),
        ];
        for e in entries {
            let back = CaseEntry::decode(e.kind(), &e.body_json()).unwrap();
            assert_eq!(back, e);
            // The API's shape: the kind beside its body.
            let v = serde_json::to_value(&e).unwrap();
            assert_eq!(v["kind"], e.kind());
            assert!(v["body"].is_object());
        }
    }

    #[test]
    fn an_unknown_kind_or_a_body_of_the_wrong_shape_is_an_error() {
        assert!(CaseEntry::decode("gossip", "{}").is_err());
        assert!(CaseEntry::decode("risk", "{\"level\": \"high\"}").unwrap_err().contains("risk"));
        assert!(CaseEntry::decode("risk", "{\"level\": \"extreme\", \"reasons\": \"\", \"assessed_on\": \"2026-01-01\"}").is_err());
        assert!(CaseEntry::decode("reopen", "not json").is_err());
    }

    #[test]
    fn facts_queried_across_cases_come_from_the_record() {
        let e = CaseEntry::decode(
            "placement",
            "{\"kind\": \"kinship\", \"household_id\": null, \"started_on\": \"2026-02-01\", \"justification\": null}",
        )
        .unwrap();
        assert_eq!(e.facts().placement_kind, Some(PlacementType::Kinship));
        assert_eq!(CaseEntry::Reopen(Reason { reason: "x".into() }).facts(), EntryFacts::default());
    }
}
