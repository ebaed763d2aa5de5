//! A form's answers gathered for counting and for a workbook: on the cases or the children's
//! records the reader lists (a supervisor's teams, a manager's organisation), or on the
//! organisation's households or carer households. Counting is for whoever may see the
//! organisation's figures; reading every answer only for those who list the records (an
//! administrator counts, never reads), audited.

use crate::audit::Entry;
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::case::record::CaseEntry;
use krousar_domain::forms::answers::FormAnswers;
use krousar_domain::forms::count::Cell;
use krousar_domain::forms::FormTarget;
use krousar_domain::policy::{decide, list_scope, Target};
use krousar_domain::{Action, Actor, ListScope};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One answer to a form, with the record it is about.
#[derive(Debug, Clone)]
pub struct AnswerRow {
    /// The child (for a case or child form), the household or the carer.
    pub record_id: Uuid,
    /// The child's case number, or the household's or carer's name.
    pub label: String,
    /// The child's sex (`female`, `male`); none for a household.
    pub sex: Option<String>,
    /// The child's name as a Khmer reader and as a Latin reader sees it; the household's name.
    pub name_km: String,
    pub name_latin: String,
    pub answers: FormAnswers,
}

impl AnswerRow {
    pub fn is_girl(&self) -> bool {
        self.sex.as_deref() == Some("female")
    }
}

/// The records whose answers to forms of a target the actor may read one by one (those they
/// list); `Nothing`: they may only count them.
pub fn reading_scope(actor: &Actor, target: FormTarget) -> ListScope {
    match target {
        FormTarget::Case | FormTarget::Child => list_scope(actor, Action::ListChildren),
        FormTarget::Household => list_scope(actor, Action::ListHouseholds),
        // The carers' register is its organisation's, read by whoever may list it.
        FormTarget::Carer if decide(actor, Action::ListCarers, Target::Organisation(actor.org_id)).allowed() => {
            ListScope::Org(actor.org_id)
        }
        FormTarget::Carer => ListScope::Nothing,
    }
}

/// The latest answer of each record (rows come oldest first).
fn latest(rows: Vec<AnswerRow>) -> Vec<AnswerRow> {
    let mut latest: BTreeMap<Uuid, AnswerRow> = BTreeMap::new();
    for a in rows {
        latest.insert(a.record_id, a);
    }
    latest.into_values().collect()
}

impl Store {
    /// The latest answer of each record to a form in a period, for counting by answer.
    pub async fn custom_form_answers(
        &self,
        actor: &Actor,
        form_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        Ok(latest(self.answer_rows(actor, form_id, from, to, false).await?))
    }

    /// The records behind one cell of a form's report (the latest answer of each in the period,
    /// as counted), for those who list them; audited with how many were listed.
    pub async fn custom_form_records(
        &self,
        actor: &Actor,
        form_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        cell: &Cell,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let rows: Vec<AnswerRow> =
            latest(self.answer_rows(actor, form_id, from, to, true).await?).into_iter().filter(|r| cell.holds(&r.answers)).collect();
        let detail = json!({"rows": rows.len(), "from": from, "to": to, "row": cell.row, "column": cell.column});
        let entry = Entry { action: "custom_form.records", record_type: "custom_form", record_id: Some(form_id.to_string()), detail };
        self.audit_read(actor.into(), entry).await?;
        Ok(rows)
    }

    /// Every answer to a form in a period, oldest first, for a workbook; audited with the number
    /// of answers.
    pub async fn export_custom_form_answers(
        &self,
        actor: &Actor,
        form_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let rows = self.answer_rows(actor, form_id, from, to, true).await?;
        let detail = json!({"rows": rows.len(), "from": from, "to": to});
        let entry = Entry { action: "custom_form.export", record_type: "custom_form", record_id: Some(form_id.to_string()), detail };
        self.audit_read(actor.into(), entry).await?;
        Ok(rows)
    }

    async fn answer_rows(
        &self,
        actor: &Actor,
        form_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        reading: bool,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let form = self.custom_form(actor, form_id).await?;
        if !decide(actor, Action::ViewAggregates, Target::Nothing).allowed()
            && !decide(actor, Action::ViewTeam, Target::Organisation(actor.org_id)).allowed()
        {
            return Err(StoreError::Forbidden);
        }
        let scope = reading_scope(actor, form.target);
        if reading && scope == ListScope::Nothing {
            return Err(StoreError::Forbidden);
        }
        // (table, the record it names, its label, its sex, the day column, the order).
        let (table, join, day, order) = match form.target {
            FormTarget::Case => ("case_entries", "JOIN children c ON c.id = e.child_id", "occurred_on", "e.occurred_on, e.seq"),
            FormTarget::Child => {
                ("record_form_answers", "JOIN children c ON c.id = e.child_id", "answered_on", "e.answered_on, e.recorded_at")
            }
            FormTarget::Household => {
                ("record_form_answers", "JOIN households c ON c.id = e.household_id", "answered_on", "e.answered_on, e.recorded_at")
            }
            FormTarget::Carer => {
                ("record_form_answers", "JOIN carers c ON c.id = e.carer_id", "answered_on", "e.answered_on, e.recorded_at")
            }
        };
        let columns = match form.target {
            FormTarget::Case | FormTarget::Child => {
                "c.id AS record_id, c.case_number AS label, c.sex, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin"
            }
            FormTarget::Household | FormTarget::Carer => {
                "c.id AS record_id, c.name AS label, CAST(NULL AS TEXT) AS sex, c.name AS family_name_km, CAST(NULL AS TEXT) AS given_name_km, \
                 c.name AS family_name_latin, CAST(NULL AS TEXT) AS given_name_latin"
            }
        };
        let mut q = Sql::new(&format!("SELECT {columns}, e.body FROM {table} e {join} WHERE e.form_id = "));
        q.bind_text(form.id.to_string()).push(" AND c.org_id = ").bind_text(actor.org_id.to_string());
        q.push(&format!(" AND e.{day} >= ")).bind_text(from.to_string());
        q.push(&format!(" AND e.{day} <= ")).bind_text(to.to_string());
        if matches!(form.target, FormTarget::Case | FormTarget::Child) {
            // The children counted are those the reader lists, as every other figure of theirs.
            q.push(" AND c.merged_into IS NULL");
            if scope != ListScope::Nothing {
                crate::children::scope_sql(&mut q, scope, "c")?;
            }
        }
        q.push(&format!(" ORDER BY {order}"));
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let answers = match form.target {
                FormTarget::Case => {
                    match CaseEntry::decode("custom_form", &r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))? {
                        CaseEntry::CustomForm(a) => a,
                        _ => continue,
                    }
                }
                _ => r.json("body")?,
            };
            let name = |k: &str| r.opt_text(k);
            let (fk, gk, fl, gl) = (name("family_name_km")?, name("given_name_km")?, name("family_name_latin")?, name("given_name_latin")?);
            out.push(AnswerRow {
                record_id: r.uuid("record_id")?,
                label: r.text("label")?,
                sex: r.opt_text("sex")?,
                name_km: crate::children::display_name(&fk, &gk, &fl, &gl, true),
                name_latin: crate::children::display_name(&fk, &gk, &fl, &gl, false),
                answers,
            });
        }
        Ok(out)
    }
}
