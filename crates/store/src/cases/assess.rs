//! Assessments and plans: risk (which sets deadlines and the visit rhythm), the Child Status
//! Index (which sets the reassessment date), and care plan versions.

use super::placement::reschedule_visits;
use super::{add_entry, finish, open_case_for, org_settings, refuse_if_closed, settle, Case};
use crate::db::Store;
use crate::error::StoreError;
use chrono::Days;
use krousar_domain::case::entries::{CarePlan, CsiAssessment, Risk};
use krousar_domain::case::schedule::add_months;
use krousar_domain::case::CaseEntry;
use krousar_domain::{Action, Actor};
use serde_json::json;
use uuid::Uuid;

impl Store {
    /// Record a risk assessment. Before first contact, the contact deadline follows the new level;
    /// during follow-up, the open visits after the assessment are rescheduled to the new rhythm.
    pub async fn record_risk(&self, actor: &Actor, child_id: Uuid, risk: Risk) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if risk.assessed_on < case.opened_on {
                return Err(StoreError::invalid("assessed_on", "err-before-case-opened"));
            }
            let settings = org_settings(tx, child.org_id).await?;
            let contact_due = case
                .first_contact_on
                .is_none()
                .then(|| case.opened_on.checked_add_days(Days::new(u64::from(settings.first_contact_days(risk.level)))))
                .flatten()
                .or(case.first_contact_due);
            sqlx::query("UPDATE cases SET risk_level = $1, first_contact_due = $2, assessed = 1 WHERE child_id = $3")
                .bind(risk.level.code())
                .bind(contact_due.map(|d| d.to_string()))
                .bind(child.id.to_string())
                .execute(&mut **tx)
                .await?;
            let changed = case.risk_level != Some(risk.level);
            if changed && case.facts.in_family_placement {
                reschedule_visits(tx, &case, risk.assessed_on, settings.visit_interval(risk.level, case.placement_kind)).await?;
            }
            add_entry(tx, child.id, risk.assessed_on, &CaseEntry::Risk(risk.clone()), actor).await?;
            finish(tx, actor, &child, "case.risk", json!({"level": risk.level.code()})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.risk", r).await
    }

    /// Record a Child Status Index assessment; the next one is due after the organisation's
    /// reassessment interval.
    pub async fn record_csi(&self, actor: &Actor, child_id: Uuid, csi: CsiAssessment) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if csi.assessed_on < case.opened_on {
                return Err(StoreError::invalid("assessed_on", "err-before-case-opened"));
            }
            let settings = org_settings(tx, child.org_id).await?;
            let due = add_months(csi.assessed_on, settings.reassessment_months);
            // A late-entered older assessment does not move the due date back.
            let due = case.reassessment_due.map_or(due, |d| d.max(due));
            sqlx::query("UPDATE cases SET reassessment_due = $1, assessed = 1 WHERE child_id = $2")
                .bind(due.to_string())
                .bind(child.id.to_string())
                .execute(&mut **tx)
                .await?;
            add_entry(tx, child.id, csi.assessed_on, &CaseEntry::Csi(csi.clone()), actor).await?;
            finish(tx, actor, &child, "case.csi", json!({"total": csi.scores.total()})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.csi", r).await
    }

    /// Save a new version of the care plan (earlier versions are kept). A new version needs its
    /// own approval; until then the approved one stands.
    pub async fn save_care_plan(
        &self,
        actor: &Actor,
        child_id: Uuid,
        plan: CarePlan,
        today: chrono::NaiveDate,
    ) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            sqlx::query("UPDATE cases SET has_care_plan = 1, plan_review_due = $1 WHERE child_id = $2")
                .bind(plan.review_on.to_string())
                .bind(child.id.to_string())
                .execute(&mut **tx)
                .await?;
            add_entry(tx, child.id, today, &CaseEntry::CarePlan(plan.clone()), actor).await?;
            finish(tx, actor, &child, "case.care_plan", json!({"goals": plan.goals.len()})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.care_plan", r).await
    }
}
