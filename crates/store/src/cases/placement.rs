//! Placements and follow-up: recording and ending a placement, the visit schedule an approved
//! family placement starts, and the visits that fulfil it.

use super::{add_entry, finish, open_case_for, org_settings, refuse_if_closed, settle, Case};
use crate::db::{RowExt, Store, Tx};
use crate::error::StoreError;
use chrono::{Days, NaiveDate};
use krousar_domain::case::entries::{reason_text, Placement, PlacementType, Visit};
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::case::schedule::{self, check_visit_date, DueVisit, Slot};
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::{new_id, Action, Actor};
use serde_json::json;
use uuid::Uuid;

/// A visit carries its case's organisation, so that a manager's due visits are one index range
/// (kept right on transfer and merge by `cases::events_follow_case`).
async fn insert_visits(tx: &mut Tx, case: &Case, placement: Uuid, dates: &[NaiveDate]) -> Result<(), StoreError> {
    for d in dates {
        sqlx::query("INSERT INTO follow_up_visits (id, child_id, placement_id, due_on, org_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(new_id().to_string())
            .bind(case.child_id.to_string())
            .bind(placement.to_string())
            .bind(d.to_string())
            .bind(case.org_id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Start the follow-up of an approved family placement: two years (or the organisation's
/// longer period) of visits at the rhythm the case's risk sets.
pub(super) async fn start_follow_up(tx: &mut Tx, case: &Case) -> Result<(), StoreError> {
    let (Some(placement), Some(start)) = (case.placement_id, case.placement_started_on) else { return Ok(()) };
    let settings = org_settings(tx, case.org_id).await?;
    let until = schedule::follow_up_until(start, settings.follow_up_months);
    let interval = settings.visit_interval(case.risk_level.unwrap_or(RiskLevel::Medium), case.placement_kind);
    sqlx::query("UPDATE cases SET follow_up_until = $1 WHERE child_id = $2")
        .bind(until.to_string())
        .bind(case.child_id.to_string())
        .execute(&mut **tx)
        .await?;
    insert_visits(tx, case, placement, &schedule::visits_after(start, until, interval)).await
}

/// After a risk change on `changed_on`: open visits after it give way to the new rhythm.
pub(super) async fn reschedule_visits(tx: &mut Tx, case: &Case, changed_on: NaiveDate, interval: u32) -> Result<(), StoreError> {
    let (Some(placement), Some(until)) = (case.placement_id, case.follow_up_until) else { return Ok(()) };
    let rows = sqlx::query("SELECT due_on, done_on FROM follow_up_visits WHERE child_id = $1 AND placement_id = $2")
        .bind(case.child_id.to_string())
        .bind(placement.to_string())
        .fetch_all(&mut **tx)
        .await?;
    let mut existing = Vec::with_capacity(rows.len());
    for r in &rows {
        let due_on = NaiveDate::parse_from_str(&r.text("due_on")?, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(e.to_string()))?;
        existing.push(DueVisit { due_on, done: r.opt_text("done_on")?.is_some() });
    }
    let (add, _drop) = schedule::reschedule(&existing, changed_on, until, interval);
    sqlx::query("DELETE FROM follow_up_visits WHERE child_id = $1 AND placement_id = $2 AND done_on IS NULL AND due_on > $3")
        .bind(case.child_id.to_string())
        .bind(placement.to_string())
        .bind(changed_on.to_string())
        .execute(&mut **tx)
        .await?;
    insert_visits(tx, case, placement, &add).await
}

/// The due visit of the current placement that a visit on `visited_on` fulfils, if any: the
/// one rule of `schedule::slot_fulfilled`, asked with the whole schedule (done visits too).
async fn fulfilled_slot(tx: &mut Tx, case: &Case, visited_on: NaiveDate) -> Result<Option<String>, StoreError> {
    let (Some(placement), Some(start)) = (case.placement_id, case.placement_started_on) else { return Ok(None) };
    let rows = sqlx::query("SELECT id, due_on, done_on FROM follow_up_visits WHERE child_id = $1 AND placement_id = $2 ORDER BY due_on")
        .bind(case.child_id.to_string())
        .bind(placement.to_string())
        .fetch_all(&mut **tx)
        .await?;
    let mut slots = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let due_on = NaiveDate::parse_from_str(&r.text("due_on")?, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(e.to_string()))?;
        slots.push(Slot { id: i, due_on, done: r.opt_text("done_on")?.is_some() });
    }
    let window = org_settings(tx, case.org_id).await?.visit_window_days;
    match schedule::slot_fulfilled(start, &slots, visited_on, window) {
        Some(i) => Ok(Some(rows[i].text("id")?)),
        None => Ok(None),
    }
}

impl Store {
    /// Record where the child now lives. One placement at a time: the current one must be
    /// ended first. It takes effect for follow-up once a supervisor approves it.
    pub async fn record_placement(&self, actor: &Actor, child_id: Uuid, p: Placement) -> Result<Case, StoreError> {
        self.record_placement_with(actor, child_id, p, None).await
    }

    /// `record_placement` with the worker's reason for choosing a carer household (from the
    /// matching page), kept on the carer's history.
    pub async fn record_placement_with(
        &self,
        actor: &Actor,
        child_id: Uuid,
        p: Placement,
        decision: Option<&str>,
    ) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if case.placement_kind.is_some() {
                return Err(StoreError::invalid("kind", "err-placement-current"));
            }
            if p.started_on < case.opened_on {
                return Err(StoreError::invalid("started_on", "err-before-case-opened"));
            }
            if let Some(rci) = p.rci_id {
                let known: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_one(&mut **tx).await?;
                if known == 0 {
                    return Err(StoreError::invalid("rci_id", "err-invalid-choice"));
                }
            }
            if let Some(h) = p.household_id {
                let row = sqlx::query("SELECT org_id FROM households WHERE id = $1").bind(h.to_string()).fetch_optional(&mut **tx).await?;
                if row.map(|r| r.uuid("org_id")).transpose()? != Some(child.org_id) {
                    return Err(StoreError::invalid("household_id", "err-invalid-choice"));
                }
                crate::carers::check_placement(tx, &child, h, p.started_on, p.kind.code(), decision, actor).await?;
            }
            let id = add_entry(tx, child.id, p.started_on, &CaseEntry::Placement(p.clone()), actor).await?;
            sqlx::query(
                "UPDATE cases SET placement_id = $1, placement_kind = $2, placement_started_on = $3, placement_approved = 0, \
                 follow_up_until = NULL, placement_household_id = $5 WHERE child_id = $4",
            )
            .bind(id.to_string())
            .bind(p.kind.code())
            .bind(p.started_on.to_string())
            .bind(child.id.to_string())
            .bind(p.household_id.map(|h| h.to_string()))
            .execute(&mut **tx)
            .await?;
            finish(tx, actor, &child, "case.placement", json!({"kind": p.kind.code(), "placement": id})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.placement", r).await
    }

    /// End the current placement (breakdown, move): its open visits after the end are dropped.
    pub async fn end_placement(
        &self,
        actor: &Actor,
        child_id: Uuid,
        ended_on: NaiveDate,
        reason: Option<&str>,
    ) -> Result<Case, StoreError> {
        let reason = reason_text(reason, "reason")?;
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            let (Some(placement), Some(start)) = (case.placement_id, case.placement_started_on) else {
                return Err(StoreError::invalid("ended_on", "err-no-placement"));
            };
            if ended_on < start {
                return Err(StoreError::invalid("ended_on", "err-end-before-start"));
            }
            sqlx::query("DELETE FROM follow_up_visits WHERE child_id = $1 AND placement_id = $2 AND done_on IS NULL AND due_on > $3")
                .bind(child.id.to_string())
                .bind(placement.to_string())
                .bind(ended_on.to_string())
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "UPDATE cases SET placement_id = NULL, placement_kind = NULL, placement_started_on = NULL, placement_approved = 0, \
                 follow_up_until = NULL, placement_household_id = NULL WHERE child_id = $1",
            )
            .bind(child.id.to_string())
            .execute(&mut **tx)
            .await?;
            add_entry(tx, child.id, ended_on, &CaseEntry::PlacementEnd(rec::PlacementEnd { placement, reason: reason.clone() }), actor)
                .await?;
            // Residential care that ends ends her stay there; the record follows (issue 21).
            if case.placement_kind == Some(PlacementType::Residential) {
                crate::living::end_stay(tx, actor.into(), child.id, ended_on, "placement_end").await?;
            }
            crate::living::follow(tx, actor.into(), child.id).await?;
            finish(tx, actor, &child, "case.placement_end", json!({"placement": placement})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.placement_end", r).await
    }

    /// Record a follow-up visit. It fulfils the due visit nearest to it within the organisation's
    /// window (`schedule::slot_fulfilled`), or none: an extra visit; a safety
    /// concern that raises risk changes the rhythm and opens a task for the case's worker.
    pub async fn record_visit(&self, actor: &Actor, child_id: Uuid, v: Visit) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            let started = case.placement_started_on.filter(|_| case.facts.in_family_placement);
            check_visit_date(v.visited_on, started).map_err(|code| StoreError::invalid("visited_on", code))?;
            let entry = add_entry(tx, child.id, v.visited_on, &CaseEntry::Visit(v.clone()), actor).await?;
            if let Some(slot) = fulfilled_slot(tx, &case, v.visited_on).await? {
                sqlx::query("UPDATE follow_up_visits SET done_on = $1, visit_entry_id = $2 WHERE id = $3")
                    .bind(v.visited_on.to_string())
                    .bind(entry.to_string())
                    .bind(slot)
                    .execute(&mut **tx)
                    .await?;
            }
            sqlx::query("UPDATE cases SET first_contact_on = COALESCE(first_contact_on, $1) WHERE child_id = $2")
                .bind(v.visited_on.to_string())
                .bind(child.id.to_string())
                .execute(&mut **tx)
                .await?;
            if let Some(level) = v.raise_risk.filter(|l| l.is_higher_than(case.risk_level)) {
                let settings = org_settings(tx, child.org_id).await?;
                sqlx::query("UPDATE cases SET risk_level = $1 WHERE child_id = $2")
                    .bind(level.code())
                    .bind(child.id.to_string())
                    .execute(&mut **tx)
                    .await?;
                reschedule_visits(tx, &case, v.visited_on, settings.visit_interval(level, case.placement_kind)).await?;
                let reasons = v.safety_concern.clone().unwrap_or_default();
                add_entry(
                    tx,
                    child.id,
                    v.visited_on,
                    &CaseEntry::Risk(krousar_domain::case::entries::Risk { level, reasons: reasons.clone(), assessed_on: v.visited_on }),
                    actor,
                )
                .await?;
                let owner = child.assigned_worker_id.unwrap_or(actor.user_id);
                let due = v.visited_on.checked_add_days(Days::new(u64::from(settings.first_contact_days(level)))).unwrap_or(v.visited_on);
                let title: String = reasons.chars().take(110).collect();
                super::tasks::insert_task(tx, child.id, &title, owner, due, "concern", actor).await?;
            }
            finish(tx, actor, &child, "case.visit", json!({"visit": entry, "risk_raised": v.raise_risk.is_some()})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.visit", r).await
    }
}
