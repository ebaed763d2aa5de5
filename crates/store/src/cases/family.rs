//! Family tracing, family assessment, readiness, alternative care, case conferences and
//! services: records on the case timeline, some with consequences (a relative found joins the
//! child's household; conference next steps become tasks).

use super::tasks::insert_task;
use super::{add_entry, finish, open_case_for, refuse_if_closed, settle, Case};
use crate::db::{RowExt, Store, Tx};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::family::*;
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::case::support::{Conference, Service};
use krousar_domain::{Action, Actor};
use serde_json::json;
use uuid::Uuid;

/// The body of the latest entry of a kind, if any.
async fn latest_body(tx: &mut Tx, child: Uuid, kind: &str) -> Result<Option<serde_json::Value>, StoreError> {
    let row = sqlx::query("SELECT body FROM case_entries WHERE child_id = $1 AND kind = $2 ORDER BY occurred_on DESC, seq DESC LIMIT 1")
        .bind(child.to_string())
        .bind(kind)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| r.json("body")).transpose().map_err(|e| e.within(format!("the latest {kind} entry of child {child}")))
}

async fn check_village(tx: &mut Tx, field: &'static str, code: &Option<String>) -> Result<(), StoreError> {
    crate::locations::known_village(tx, field, code.as_deref()).await
}

impl Store {
    /// One record that only goes on the timeline, dated `on` (not before the case opened).
    async fn plain_entry(
        &self,
        actor: &Actor,
        child_id: Uuid,
        on: NaiveDate,
        entry: CaseEntry,
        assessed: bool,
    ) -> Result<Case, StoreError> {
        let kind = entry.kind();
        let action = format!("case.{kind}");
        // A service can also be recorded by the organisation the case was referred to.
        let needs = if matches!(entry, CaseEntry::Service(_)) { Action::RecordService } else { Action::WorkCase };
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, needs).await?;
            refuse_if_closed(&case)?;
            if on < case.opened_on {
                return Err(StoreError::invalid("date", "err-before-case-opened"));
            }
            if assessed {
                sqlx::query("UPDATE cases SET assessed = 1 WHERE child_id = $1").bind(child.id.to_string()).execute(&mut **tx).await?;
            }
            let id = add_entry(tx, child.id, on, &entry, actor).await?;
            finish(tx, actor, &child, &format!("case.{kind}"), json!({"entry": id})).await
        }
        .await;
        settle(self, owned, actor, child_id, &action, r).await
    }

    /// What is known to trace the family from (a new version each time it is written).
    pub async fn record_tracing_info(&self, actor: &Actor, child_id: Uuid, info: TracingInfo) -> Result<Case, StoreError> {
        let today = actor.today();
        {
            let mut tx = self.pool.begin().await?;
            check_village(&mut tx, "village_code", &info.village_code).await?;
        }
        self.plain_entry(actor, child_id, today, CaseEntry::TracingInfo(info), false).await
    }

    /// A tracing attempt. A relative found joins the child's household (a new household if the
    /// child has none yet), so the family is in the register from the day it is found.
    pub async fn record_tracing_attempt(&self, actor: &Actor, child_id: Uuid, a: TracingAttempt) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let backend = self.backend;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if a.attempted_on < case.opened_on {
                return Err(StoreError::invalid("attempted_on", "err-before-case-opened"));
            }
            check_village(tx, "village_code", &a.village_code).await?;
            let mut household = None;
            if let Some(rel) = &a.relative {
                household = Some(crate::households::add_relative(tx, backend, actor, &child, rel, a.village_code.clone()).await?);
            }
            let id = add_entry(
                tx,
                child.id,
                a.attempted_on,
                &CaseEntry::TracingAttempt(rec::TracingAttemptEntry { attempt: a.clone(), household }),
                actor,
            )
            .await?;
            finish(tx, actor, &child, "case.tracing_attempt", json!({"entry": id, "outcome": a.outcome.code(), "household": household}))
                .await
        }
        .await;
        settle(self, owned, actor, child_id, "case.tracing_attempt", r).await
    }

    pub async fn record_family_assessment(&self, actor: &Actor, child_id: Uuid, f: FamilyAssessment) -> Result<Case, StoreError> {
        if let Some(h) = f.household_id {
            let mut tx = self.pool.begin().await?;
            let org = sqlx::query("SELECT org_id FROM households WHERE id = $1").bind(h.to_string()).fetch_optional(&mut *tx).await?;
            if org.map(|r| r.uuid("org_id")).transpose()? != Some(actor.org_id) {
                return Err(StoreError::invalid("household_id", "err-invalid-choice"));
            }
        }
        self.plain_entry(actor, child_id, f.assessed_on, CaseEntry::FamilyAssessment(f), true).await
    }

    pub async fn record_readiness(&self, actor: &Actor, child_id: Uuid, r: ReadinessAssessment) -> Result<Case, StoreError> {
        self.plain_entry(actor, child_id, r.assessed_on, CaseEntry::Readiness(r), true).await
    }

    /// Choose alternative care: only after tracing found no one or the family assessment was
    /// negative. Residential care is then placed like any other, with supervisor approval.
    pub async fn record_alt_care(&self, actor: &Actor, child_id: Uuid, d: AltCareDecision) -> Result<Case, StoreError> {
        {
            let mut tx = self.pool.begin().await?;
            let tracing = latest_body(&mut tx, child_id, "tracing_attempt")
                .await?
                .and_then(|b| b["attempt"]["outcome"].as_str().and_then(TracingOutcome::parse));
            let family = latest_body(&mut tx, child_id, "family_assessment")
                .await?
                .and_then(|b| b["outcome"].as_str().and_then(FamilyOutcome::parse));
            may_choose_alternative(tracing, family).map_err(|code| StoreError::invalid("option", code))?;
        }
        self.plain_entry(actor, child_id, d.decided_on, CaseEntry::AltCare(d), false).await
    }

    /// A case conference; its next steps become tasks of the child's worker.
    pub async fn record_conference(&self, actor: &Actor, child_id: Uuid, c: Conference) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if c.held_on < case.opened_on {
                return Err(StoreError::invalid("held_on", "err-before-case-opened"));
            }
            let id = add_entry(tx, child.id, c.held_on, &CaseEntry::Conference(c.clone()), actor).await?;
            let owner = child.assigned_worker_id.unwrap_or(actor.user_id);
            for step in &c.next_steps {
                insert_task(tx, child.id, &step.title, owner, step.due_on, "conference", actor).await?;
            }
            finish(tx, actor, &child, "case.conference", json!({"entry": id, "tasks": c.next_steps.len()})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.conference", r).await
    }

    pub async fn record_service(&self, actor: &Actor, child_id: Uuid, s: Service) -> Result<Case, StoreError> {
        self.plain_entry(actor, child_id, s.provided_on, CaseEntry::Service(s), false).await
    }
}
