//! Opening a case (every intake route) and reopening a closed one.

use super::{add_entry, child_for, finish, load_case, open_case_for, settle, Case};
use crate::children::Child;
use crate::db::{now_text, Store, Tx};
use crate::error::StoreError;
use krousar_domain::case::entries::{reason_text, Intake};
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::case::stage::IntakeRoute;
use krousar_domain::case::Stage;
use krousar_domain::{Action, Actor};
use serde_json::json;
use uuid::Uuid;

impl Store {
    /// Open the case of a registered child. A child has one case; a closed case is reopened,
    /// never opened twice. The first-contact deadline is set when risk is assessed.
    pub async fn open_case(&self, actor: &Actor, child_id: Uuid, intake: Intake) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let child = child_for(tx, actor, child_id, Action::OpenCase).await?;
            if load_case(tx, &child).await?.is_some() {
                return Err(StoreError::invalid("route", "err-case-exists"));
            }
            let intake = rci_of_intake(tx, actor, &child, intake).await?;
            insert_case(tx, actor, &child, &intake).await?;
            finish(tx, actor, &child, "case.open", json!({"route": intake.route.code(), "rci": intake.rci_id})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.open", r).await
    }

    /// Reopen a closed case, with the reason written in full. Its records and history stay; the
    /// stage follows from them again.
    pub async fn reopen_case(&self, actor: &Actor, child_id: Uuid, reason: Option<&str>) -> Result<Case, StoreError> {
        let today = actor.today();
        let reason = reason_text(reason, "reason")?;
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            if case.closed_on.is_none() {
                return Err(StoreError::invalid("reason", "err-case-not-closed"));
            }
            sqlx::query("UPDATE cases SET closed_on = NULL, closure_reason = NULL WHERE child_id = $1")
                .bind(child.id.to_string())
                .execute(&mut **tx)
                .await?;
            // A child still in a family placement is owed the rest of the follow-up visits that
            // closing dropped: they resume from today at the case's rhythm.
            if case.facts.in_family_placement && case.follow_up_until.is_some_and(|u| u > today) {
                let settings = super::org_settings(tx, child.org_id).await?;
                let risk = case.risk_level.unwrap_or(krousar_domain::case::stage::RiskLevel::Medium);
                super::placement::reschedule_visits(tx, &case, today, settings.visit_interval(risk, case.placement_kind)).await?;
            }
            add_entry(tx, child.id, today, &CaseEntry::Reopen(rec::Reason { reason: reason.clone() }), actor).await?;
            finish(tx, actor, &child, "case.reopen", json!({})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.reopen", r).await
    }
}

/// A case opened from an RCI knows the stay (issue 21): the institution named, else the one of
/// her open stay, else the one her record names; a stay there is opened on the day the case is
/// opened if she has none there, and her record follows.
async fn rci_of_intake(tx: &mut Tx, actor: &Actor, child: &Child, mut intake: Intake) -> Result<Intake, StoreError> {
    if intake.route != IntakeRoute::Rci {
        return Ok(intake);
    }
    let open = crate::living::open_stay(tx, child.id).await?.map(|(_, rci, _)| rci);
    let Some(rci) = intake.rci_id.or(open).or(child.fields.rci_id) else { return Ok(intake) };
    let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_one(&mut **tx).await?;
    if known == 0 {
        return Err(StoreError::invalid("rci_id", "err-invalid-choice"));
    }
    crate::living::open_stay_in(tx, actor.into(), child.id, rci, intake.opened_on, "moved").await?;
    crate::living::follow(tx, actor.into(), child.id).await?;
    intake.rci_id = Some(rci);
    Ok(intake)
}

/// Write a new case for `child` with its intake entry (the caller checked the policy and that
/// the child has no case yet). The stage is set by `finish`.
pub(crate) async fn insert_case(tx: &mut Tx, actor: &Actor, child: &Child, intake: &Intake) -> Result<(), StoreError> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO cases (child_id, org_id, route, referral_source, opened_on, summary, immediate_safety, stage, \
         opened_by, supervisor_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         (SELECT id FROM users WHERE team_id = $10 AND role = 'supervisor' AND disabled = 0 ORDER BY created_at LIMIT 1), $11, $12)",
    )
    .bind(child.id.to_string())
    .bind(child.org_id.to_string())
    .bind(intake.route.code())
    .bind(intake.referral_source.map(|s| s.code()))
    .bind(intake.opened_on.to_string())
    .bind(intake.summary.clone())
    .bind(intake.immediate_safety.clone())
    .bind(Stage::Identified.code())
    .bind(actor.user_id.to_string())
    .bind(child.team_id.map(|t| t.to_string()))
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    add_entry(tx, child.id, intake.opened_on, &CaseEntry::Intake(intake.clone()), actor).await?;
    Ok(())
}
