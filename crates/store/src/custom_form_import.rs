//! Answers to an organisation's own form brought in from a workbook (read and checked by
//! `krousar_import::form_answers`): each row is kept on its case (or, for a form on the child's
//! record, on the record) as if filled in on the page, by someone who works on that case (who
//! may change that record), all rows in one transaction or none. A row already on
//! the case (same day, same answers) is not kept twice, so the same workbook brought in again
//! changes nothing.

use crate::audit::{self, Entry};
use crate::cases::{child_for, open_case_for};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use krousar_domain::case::record::CaseEntry;
use krousar_domain::forms::answers::FormAnswers;
use krousar_domain::forms::FormTarget;
use krousar_domain::Action;
use krousar_domain::Actor;
use krousar_import::form_answers::{AnswerLine, LineProblem, ANSWERED_ON, CASE_NUMBER};
use serde_json::json;
use uuid::Uuid;

/// What bringing answers in did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswersImport {
    /// Every row kept (`kept`), or already on its case (`already`).
    Kept { kept: usize, already: usize },
    /// Rows that cannot be kept; nothing was.
    Refused(Vec<LineProblem>),
}

impl Store {
    pub async fn import_custom_form_answers(
        &self,
        actor: &Actor,
        form_id: Uuid,
        lines: &[AnswerLine],
    ) -> Result<AnswersImport, StoreError> {
        let form = self.custom_form(actor, form_id).await?;
        if form.current.is_none() {
            return Err(StoreError::NotFound);
        }
        if !form.active {
            return Err(StoreError::invalid("form", "err-form-retired"));
        }
        // Rows name their child by case number; a household or a carer has none to name it by.
        if !form.target.about_children() {
            return Err(StoreError::invalid("file", "err-form-import-target"));
        }
        let mut tx = self.write().await?;
        let mut problems = Vec::new();
        let (mut kept, mut already) = (0, 0);
        let problem = |line: u32, column: &str, key: &'static str| LineProblem { line, column: column.to_string(), key };
        for l in lines {
            let child = sqlx::query("SELECT id FROM children WHERE org_id = $1 AND case_number = $2 AND merged_into IS NULL")
                .bind(actor.org_id.to_string())
                .bind(&l.case_number)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(child) = child else {
                problems.push(problem(l.line, CASE_NUMBER, "err-form-import-unknown-case"));
                continue;
            };
            // A case (a record) the reader does not work on reads as one that does not exist.
            let on_record = form.target == FormTarget::Child;
            let found = if on_record {
                child_for(&mut tx, actor, child.uuid("id")?, Action::EditChild).await.map(|c| (c, None))
            } else {
                open_case_for(&mut tx, actor, child.uuid("id")?, Action::WorkCase).await.map(|(c, k)| (c, Some(k)))
            };
            let (child, case) = match found {
                Ok(found) => found,
                Err(StoreError::Forbidden | StoreError::NotFound) => {
                    problems.push(problem(l.line, CASE_NUMBER, "err-form-import-unknown-case"));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if let Some(case) = &case {
                if case.closed_on.is_some() {
                    problems.push(problem(l.line, CASE_NUMBER, "err-case-closed"));
                    continue;
                }
                if l.answered_on < case.opened_on {
                    problems.push(problem(l.line, ANSWERED_ON, "err-before-case-opened"));
                    continue;
                }
            }
            let (table, day) = if on_record { ("record_form_answers", "answered_on") } else { ("case_entries", "occurred_on") };
            let same_day =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT body FROM {table} WHERE child_id = $1 AND form_id = $2 AND {day} = $3")))
                    .bind(child.id.to_string())
                    .bind(form.id.to_string())
                    .bind(l.answered_on.to_string())
                    .fetch_all(&mut *tx)
                    .await?;
            let mut there = false;
            let values = |x: &FormAnswers| x.answers.iter().map(|a| (a.code.clone(), a.value.clone())).collect::<Vec<_>>();
            let wanted: Vec<_> = l.answers.iter().map(|a| (a.code.clone(), a.value.clone())).collect();
            for r in &same_day {
                let kept: Option<FormAnswers> = if on_record {
                    Some(r.json("body")?)
                } else {
                    match CaseEntry::decode("custom_form", &r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))? {
                        CaseEntry::CustomForm(a) => Some(a),
                        _ => None,
                    }
                };
                there |= kept.is_some_and(|a| values(&a) == wanted);
            }
            if there {
                already += 1;
                continue;
            }
            if on_record {
                let holder = crate::custom_form_records::Holder::Child(child.id);
                crate::custom_form_records::insert_answer(&mut tx, actor, &form, holder, l.answered_on, l.answers.clone()).await?;
                kept += 1;
                continue;
            }
            crate::custom_forms::keep_case_answer(
                &mut tx,
                actor,
                &form,
                &child,
                l.answered_on,
                l.answers.clone(),
                crate::custom_forms::Came::Imported,
            )
            .await?;
            kept += 1;
        }
        if !problems.is_empty() {
            // Dropping the transaction rolls back every row kept so far.
            return Ok(AnswersImport::Refused(problems));
        }
        let detail = json!({"kept": kept, "already": already});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "custom_form.import", record_type: "custom_form", record_id: Some(form.id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(AnswersImport::Kept { kept, already })
    }
}
