//! The organisation's own forms filled in on a child's record (`FormTarget::Child`: facts about
//! the child rather than work on a case, e.g. "school and grade"). Each answer is kept; the
//! latest of a form is what the record says now. Read by whoever reads the record in full
//! (never a referral's receiver or a transfer's sender: an answer may hold anything), written by
//! whoever may change the record; audited as the record's other changes are.

use crate::audit::{self, Entry};
use crate::cases::child_for;
use crate::children::Child;
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::forms::answers::{self, FormAnswers};
use krousar_domain::forms::FormTarget;
use krousar_domain::policy::{disclosure, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One answer on a child's record, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordAnswer {
    pub id: Uuid,
    pub answers: FormAnswers,
    /// Who filled it in (their name).
    pub recorded_by: String,
    pub recorded_at: String,
}

impl Store {
    /// The answers on a child's record (every form, retired ones too), newest first; `None` for
    /// a reader who does not read the record in full.
    pub async fn child_form_answers(&self, actor: &Actor, child: &Child) -> Result<Option<Vec<RecordAnswer>>, StoreError> {
        if !disclosure(actor, &child.owner(actor)).is_some_and(|d| d.is_full()) {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT a.id, a.body, a.recorded_at, u.display_name FROM record_form_answers a LEFT JOIN users u ON u.id = a.recorded_by \
             WHERE a.child_id = $1 ORDER BY a.answered_on DESC, a.recorded_at DESC",
        )
        .bind(child.id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let answers = rows
            .iter()
            .map(|r| {
                Ok(RecordAnswer {
                    id: r.uuid("id")?,
                    answers: r.json("body")?,
                    recorded_by: r.opt_text("display_name")?.unwrap_or_default(),
                    recorded_at: r.text("recorded_at")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(answers))
    }

    /// Fill in one of the organisation's child forms on a child's record: checked against the
    /// form's current version, kept with its words. Returns the answer's id.
    pub async fn answer_child_form(
        &self,
        actor: &Actor,
        child_id: Uuid,
        form_id: Uuid,
        answered_on: Option<&str>,
        raw: &BTreeMap<String, Vec<String>>,
    ) -> Result<Uuid, StoreError> {
        let form = self.answerable_form(actor, form_id, FormTarget::Child).await?;
        let Some(def) = form.current.as_ref() else { return Err(StoreError::NotFound) };
        let (on, answers): (NaiveDate, _) = answers::validate(def, answered_on, raw, actor.today())?;
        let mut tx = self.write().await?;
        let child = match child_for(&mut tx, actor, child_id, Action::EditChild).await {
            Ok(c) => c,
            Err(StoreError::Forbidden) => {
                drop(tx);
                return Err(crate::refusal::refuse(self, actor, "child.custom_form", "child", child_id).await);
            }
            Err(e) => return Err(e),
        };
        if child.org_id != form.org_id || child.merged_into.is_some() {
            return Err(StoreError::NotFound);
        }
        let id = insert_answer(&mut tx, actor, &form, &child, on, answers).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// Keep an answer (already checked) on a child's record, audited; in the caller's transaction.
pub(crate) async fn insert_answer(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    form: &crate::custom_forms::CustomForm,
    child: &Child,
    on: NaiveDate,
    answers: Vec<krousar_domain::forms::answers::Answer>,
) -> Result<Uuid, StoreError> {
    let body = form.answered(on, answers)?;
    let version_id = body.version_id;
    let id = new_id();
    sqlx::query(
        "INSERT INTO record_form_answers (id, org_id, form_id, version_id, child_id, answered_on, body, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(form.org_id.to_string())
    .bind(form.id.to_string())
    .bind(version_id.to_string())
    .bind(child.id.to_string())
    .bind(on.to_string())
    .bind(serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    .bind(actor.user_id.to_string())
    .bind(now_text())
    .execute(&mut **tx)
    .await?;
    let detail = json!({"form": form.id, "version": form.current_version, "answer": id});
    let entry = Entry { action: "child.custom_form", record_type: "child", record_id: Some(child.id.to_string()), detail };
    audit::append(tx, actor.into(), entry).await?;
    Ok(id)
}

/// Whether the actor may fill in forms on this child's record (for showing the buttons).
pub fn may_answer(actor: &Actor, child: &Child) -> bool {
    krousar_domain::policy::decide(actor, Action::EditChild, Target::Record(&child.owner(actor))).allowed()
}
