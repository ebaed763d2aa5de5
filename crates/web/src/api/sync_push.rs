//! What a device sends: a batch of changes, each carried out exactly as the same change from a
//! page (the same form code, validation, permission checks and audit), by the worker acting
//! through the device's change (`Via::Device`): its first record takes the id made on the
//! device, and the audit says which device and when it was recorded there. Each change gets
//! its own answer, so one refused change does not hold back the others.

use super::sync_pull::conflict_json;
use crate::commands::case::{apply, CaseForm, Fields};
use crate::i18n::Tr;
use chrono::{DateTime, Utc};
use krousar_domain::child::ChildInput;
use krousar_domain::context::{DeviceChange, Slot, Via};
use krousar_domain::flag::FlagInput;
use krousar_domain::forms::FormTarget;
use krousar_domain::sync::{check_change, ChangeKind};
use krousar_domain::{Actor, Invalid};
use krousar_store::db::time_text;
use krousar_store::sync::Received;
use krousar_store::{Store, StoreError};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// One change as a device sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Change {
    pub id: String,
    pub kind: String,
    /// The child it concerns (for a registration, the new child's id: the change's own).
    #[serde(default)]
    pub child: Option<String>,
    /// When the worker saved it on the device (RFC 3339).
    pub recorded_at: String,
    #[serde(default)]
    pub fields: Fields,
    /// For an edit of a child's record: the values the device started from.
    #[serde(default)]
    pub base: Fields,
}

/// One change's answer.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// The change's id, as sent.
    id: String,
    /// `accepted`, `already` (sent before), `conflict`, `invalid` or `retry`.
    outcome: &'static str,
    /// `invalid`: each problem, by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<Problem>,
    /// A registration: the new child's case number.
    #[serde(skip_serializing_if = "Option::is_none")]
    case_number: Option<String>,
    /// A registration that may be a duplicate: what to tell the worker, and where to look.
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
    /// `conflict`: the fields changed on the server meanwhile.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conflicts: Vec<super::sync_pull::ConflictOut>,
}

/// One problem of an invalid change.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    field: &'static str,
    /// The problem's code (a translation key such as `err-required`), as in the API's errors.
    code: &'static str,
    /// The problem in the worker's language.
    message: String,
}

impl Outcome {
    /// `accepted`, `already`, `conflict`, `invalid` or `retry` (counted for `/metrics`).
    pub fn outcome_code(&self) -> &'static str {
        self.outcome
    }
}

fn answer(id: &str, outcome: &'static str) -> Outcome {
    Outcome { id: id.to_string(), outcome, ..Outcome::default() }
}

fn invalid(tr: Tr, id: &str, e: &Invalid) -> Outcome {
    let mut v = answer(id, "invalid");
    v.errors = e.errors.iter().map(|x| Problem { field: x.field, code: x.code, message: tr.t(x.code) }).collect();
    v
}

fn one_error(tr: Tr, id: &str, field: &'static str, code: &'static str) -> Outcome {
    let mut e = Invalid::default();
    e.push(field, code);
    invalid(tr, id, &e)
}

/// What the change does, through the store functions the pages use.
async fn carry_out(
    store: &Store,
    actor: &Actor,
    tr: Tr,
    kind: ChangeKind,
    id: Uuid,
    child: Uuid,
    c: &Change,
) -> Result<Outcome, StoreError> {
    let form = |f| async move { apply(store, actor, child, f, &c.fields).await.map(|_| answer(&c.id, "accepted")) };
    match kind {
        ChangeKind::Visit => form(CaseForm::Visit).await,
        ChangeKind::Note => form(CaseForm::Note).await,
        ChangeKind::Csi => form(CaseForm::Csi).await,
        ChangeKind::TracingAttempt => form(CaseForm::TracingAttempt).await,
        ChangeKind::TaskDone => {
            let task = c
                .fields
                .get("task")
                .and_then(|t| Uuid::parse_str(t).ok())
                .ok_or_else(|| StoreError::invalid("task", "err-invalid-choice"))?;
            let mut e = Invalid::default();
            let on =
                krousar_domain::case::entries::past_date(&mut e, "done_on", c.fields.get("done_on").map(String::as_str), actor.today());
            let on = on.ok_or(StoreError::Invalid(e))?;
            match store.complete_task(actor, child, task, on).await {
                Ok(_) => Ok(answer(&c.id, "accepted")),
                // Done already (by someone else, or on the page): nothing left to do.
                Err(StoreError::NotFound) => Ok(answer(&c.id, "already")),
                Err(e) => Err(e),
            }
        }
        ChangeKind::Register => {
            let map: serde_json::Map<String, Value> = c.fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            let input: ChildInput = serde_json::from_value(Value::Object(map)).unwrap_or_default();
            // The organisation's own fields on the registration form come with the record,
            // checked with it.
            let values = match store.registration_form(actor.org_id, FormTarget::Child).await?.and_then(|f| f.current) {
                Some(def) => krousar_domain::forms::answers::device_values(&def, &c.fields),
                None => Default::default(),
            };
            let extra = crate::commands::registration_fields::extra_answers(store, actor, FormTarget::Child, &values, None).await?;
            let (fields, extra) = match (input.validate(actor.today()), extra) {
                (Ok(f), Ok(x)) => (f, x.filter(|x| !x.answers.is_empty())),
                (a, b) => return Err(StoreError::Invalid(crate::commands::registration_fields::merged(a.err(), b.err()))),
            };
            let made = store.register_child_with(actor, fields, extra.as_ref()).await?;
            // The worker could not see the register offline: say so if the child may be known.
            let found = store.possible_duplicates(actor, &made.fields, Some(made.id)).await.map(|d| d.len()).unwrap_or(0);
            let mut v = answer(&c.id, "accepted");
            v.case_number = Some(made.case_number);
            if found > 0 {
                v.notice = Some(tr.t1("app-possible-duplicates", "count", tr.num(found)));
                v.link = Some(format!("/children/{}", made.id));
            }
            Ok(v)
        }
        ChangeKind::CustomForm => {
            let form = c
                .fields
                .get("form")
                .and_then(|f| Uuid::parse_str(f).ok())
                .ok_or_else(|| StoreError::invalid("form", "err-invalid-choice"))?;
            let def = store.custom_form(actor, form).await?.current.unwrap_or_default();
            let raw = krousar_domain::forms::answers::device_values(&def, &c.fields);
            store.answer_custom_form(actor, child, form, c.fields.get("answered_on").map(String::as_str), &raw).await?;
            Ok(answer(&c.id, "accepted"))
        }
        ChangeKind::Flag => {
            let input = FlagInput {
                kind: c.fields.get("kind").cloned(),
                reason: c.fields.get("reason").cloned(),
                until: c.fields.get("until").cloned(),
            };
            store.raise_flag(actor, child, input.validate(actor.today())?).await?;
            Ok(answer(&c.id, "accepted"))
        }
        ChangeKind::ProfilePhoto => {
            // Only permission now: the photo itself follows in pieces (`sync/photos`).
            store.may_change(actor, krousar_store::photos::PhotoOf::Child(child)).await?;
            Ok(answer(&c.id, "accepted"))
        }
        ChangeKind::ChildEdit => {
            let out = store.sync_child_edit(actor, child, id, &c.base, &c.fields).await?;
            if out.conflicts.is_empty() {
                Ok(answer(&c.id, "accepted"))
            } else {
                let mut v = answer(&c.id, "conflict");
                v.conflicts = out.conflicts.iter().map(|x| conflict_json(tr, x)).collect();
                Ok(v)
            }
        }
    }
}

/// Carry out one change and answer for it.
pub async fn receive(store: &Store, actor: &Actor, tr: Tr, device: Uuid, c: &Change) -> Outcome {
    let received = actor.now;
    let Ok(id) = Uuid::parse_str(&c.id) else { return one_error(tr, &c.id, "id", "err-sync-id") };
    let Ok(recorded) = DateTime::parse_from_rfc3339(&c.recorded_at).map(|d| d.with_timezone(&Utc)) else {
        return one_error(tr, &c.id, "recorded_at", "err-sync-clock");
    };
    let kind = match check_change(id, &c.kind, recorded, received) {
        Ok(k) => k,
        Err(p) => return one_error(tr, &c.id, "change", p.code()),
    };
    let child = if kind == ChangeKind::Register { Some(id) } else { c.child.as_deref().and_then(|s| Uuid::parse_str(s).ok()) };
    let Some(child) = child else { return one_error(tr, &c.id, "child", "err-invalid-choice") };

    // Sent before: the same answer, nothing done twice.
    match store.sync_receipt(id).await {
        Ok(Some(r)) if r.user_id == actor.user_id => return answer(&c.id, if r.outcome == "conflict" { "conflict" } else { "already" }),
        Ok(Some(_)) => return one_error(tr, &c.id, "id", "err-sync-id"),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "sync receipt lookup failed");
            return answer(&c.id, "retry");
        }
    }
    let slot = match kind {
        ChangeKind::Register => Slot::Child,
        ChangeKind::Flag => Slot::Flag,
        _ => Slot::CaseEntry,
    };
    let by_device = actor.clone().via(Via::Device(DeviceChange::new(device, id, slot, recorded)));
    let result = carry_out(store, &by_device, tr, kind, id, child, c).await;
    let result = match result {
        Err(_) if kind.creates_record() && store.made_by_change(actor, id).await.unwrap_or(false) => Ok(answer(&c.id, "already")),
        r => r,
    };
    let v = match result {
        Ok(v) => v,
        Err(StoreError::Invalid(e)) => return invalid(tr, &c.id, &e),
        Err(StoreError::Forbidden) => return one_error(tr, &c.id, "change", "err-forbidden"),
        Err(StoreError::Refused(key)) => return one_error(tr, &c.id, "change", key),
        Err(StoreError::NotFound) => return one_error(tr, &c.id, "child", "err-not-found"),
        Err(StoreError::Conflict { .. }) => return answer(&c.id, "retry"),
        // A new record's id that another record has: never saved, whatever the retries.
        Err(_) if kind.creates_record() && store.id_taken(id).await.unwrap_or(false) => return one_error(tr, &c.id, "id", "err-sync-id"),
        Err(e) => {
            tracing::error!(error = %e, "sync change failed");
            return answer(&c.id, "retry");
        }
    };
    let outcome = if v.outcome == "conflict" { "conflict" } else { "accepted" };
    let receipt = Received {
        change_id: id,
        device_id: device,
        kind: kind.code(),
        child_id: Some(child),
        recorded_at: &time_text(recorded),
        received_at: &time_text(received),
        outcome,
    };
    if let Err(e) = store.record_receipt(actor, receipt).await {
        // The change itself is saved; a lost receipt only means a retry is answered by its id.
        tracing::warn!(error = %e, "could not keep a sync receipt");
    }
    v
}
