//! Adding a case record: the one command behind the case forms, the API's
//! `POST /children/{id}/case/{form}` and the offline app's visits, notes, CSIs and tracing
//! attempts. Each form's raw fields (all strings) are validated by the domain against the
//! actor's day and saved by the store, with its permission check and audit, in one step.

use chrono::NaiveDate;
use krousar_domain::case::entries::*;
use krousar_domain::case::family::*;
use krousar_domain::case::support::{ConferenceInput, ServiceInput};
use krousar_domain::case::{csi, ApprovalKind};
use krousar_domain::{Actor, Invalid};
use krousar_store::cases::Case;
use krousar_store::{Store, StoreError};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The forms of a case, as named in page and API paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseForm {
    Open,
    Risk,
    Csi,
    Plan,
    Placement,
    EndPlacement,
    Visit,
    Note,
    Task,
    Close,
    Reopen,
    Tracing,
    TracingAttempt,
    FamilyAssessment,
    Readiness,
    AltCare,
    Conference,
    Service,
}

impl CaseForm {
    pub const ALL: [CaseForm; 18] = [
        CaseForm::Open,
        CaseForm::Risk,
        CaseForm::Csi,
        CaseForm::Plan,
        CaseForm::Placement,
        CaseForm::EndPlacement,
        CaseForm::Visit,
        CaseForm::Note,
        CaseForm::Task,
        CaseForm::Close,
        CaseForm::Reopen,
        CaseForm::Tracing,
        CaseForm::TracingAttempt,
        CaseForm::FamilyAssessment,
        CaseForm::Readiness,
        CaseForm::AltCare,
        CaseForm::Conference,
        CaseForm::Service,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseForm::Open => "open",
            CaseForm::Risk => "risk",
            CaseForm::Csi => "csi",
            CaseForm::Plan => "plan",
            CaseForm::Placement => "placement",
            CaseForm::EndPlacement => "end-placement",
            CaseForm::Visit => "visit",
            CaseForm::Note => "note",
            CaseForm::Task => "task",
            CaseForm::Close => "close",
            CaseForm::Reopen => "reopen",
            CaseForm::Tracing => "tracing",
            CaseForm::TracingAttempt => "tracing-attempt",
            CaseForm::FamilyAssessment => "family-assessment",
            CaseForm::Readiness => "readiness",
            CaseForm::AltCare => "alternative-care",
            CaseForm::Conference => "conference",
            CaseForm::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<CaseForm> {
        CaseForm::ALL.into_iter().find(|f| f.code() == s)
    }

    /// Forms with a village picked from the gazetteer (`village_code`).
    pub fn has_place(self) -> bool {
        matches!(self, CaseForm::Tracing | CaseForm::TracingAttempt)
    }

    /// Translation key of the form's title.
    pub fn title_key(self) -> String {
        format!("case-form-{}", self.code())
    }
}

/// Raw fields of a form or JSON body: name → text (other JSON values are refused by the caller).
pub type Fields = BTreeMap<String, String>;

fn input<T: DeserializeOwned + Default>(f: &Fields) -> T {
    let map: serde_json::Map<String, serde_json::Value> =
        f.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_default()
}

fn get<'a>(f: &'a Fields, k: &str) -> Option<&'a str> {
    f.get(k).map(String::as_str)
}

/// CSI fields are `score_<factor>` and `note_<factor>`.
pub fn csi_raw(f: &Fields) -> Vec<(String, Option<String>, Option<String>)> {
    let mut factors: Vec<String> = f.keys().filter_map(|k| k.strip_prefix("score_").map(str::to_string)).collect();
    for factor in csi::factors() {
        if !factors.iter().any(|x| x == factor) {
            factors.push(factor.to_string());
        }
    }
    factors
        .into_iter()
        .map(|factor| {
            let score = f.get(&format!("score_{factor}")).cloned();
            let note = f.get(&format!("note_{factor}")).cloned();
            (factor, score, note)
        })
        .collect()
}

fn date_of(f: &Fields, field: &'static str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let mut e = Invalid::default();
    past_date(&mut e, field, get(f, field), today).ok_or(e)
}

/// Validate and save one form. Validation problems come back as `StoreError::Invalid`.
pub async fn apply(store: &Store, actor: &Actor, child: Uuid, form: CaseForm, f: &Fields) -> Result<Case, StoreError> {
    let today = actor.today();
    match form {
        CaseForm::Open => store.open_case(actor, child, input::<IntakeInput>(f).validate(today)?).await,
        CaseForm::Risk => store.record_risk(actor, child, input::<RiskInput>(f).validate(today)?).await,
        CaseForm::Csi => store.record_csi(actor, child, validate_csi(get(f, "assessed_on"), &csi_raw(f), today)?).await,
        CaseForm::Plan => store.save_care_plan(actor, child, input::<CarePlanInput>(f).validate(today)?, today).await,
        CaseForm::Placement => store.record_placement(actor, child, input::<PlacementInput>(f).validate(today)?).await,
        CaseForm::EndPlacement => store.end_placement(actor, child, date_of(f, "ended_on", today)?, get(f, "reason")).await,
        CaseForm::Visit => store.record_visit(actor, child, input::<VisitInput>(f).validate(today)?).await,
        CaseForm::Note => store.add_note(actor, child, input::<NoteInput>(f).validate(today)?).await,
        CaseForm::Task => {
            // The case's opening date is checked by the store; validate the rest here.
            let t = input::<TaskInput>(f).validate(NaiveDate::MIN)?;
            store.add_task(actor, child, t).await
        }
        CaseForm::Close => {
            let closure = input::<ClosureInput>(f).validate()?;
            store.request_approval(actor, child, ApprovalKind::Closure, Some(closure)).await
        }
        CaseForm::Reopen => store.reopen_case(actor, child, get(f, "reason")).await,
        CaseForm::Tracing => store.record_tracing_info(actor, child, input::<TracingInfoInput>(f).validate()?).await,
        CaseForm::TracingAttempt => store.record_tracing_attempt(actor, child, input::<TracingAttemptInput>(f).validate(today)?).await,
        CaseForm::FamilyAssessment => {
            store.record_family_assessment(actor, child, input::<FamilyAssessmentInput>(f).validate(today)?).await
        }
        CaseForm::Readiness => store.record_readiness(actor, child, input::<ReadinessInput>(f).validate(today)?).await,
        CaseForm::AltCare => store.record_alt_care(actor, child, input::<AltCareInput>(f).validate(today)?).await,
        CaseForm::Conference => store.record_conference(actor, child, input::<ConferenceInput>(f).validate(today)?).await,
        CaseForm::Service => store.record_service(actor, child, input::<ServiceInput>(f).validate(today)?).await,
    }
}
