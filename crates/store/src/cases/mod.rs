//! Cases: one per child, from intake to closure. Every write runs in one transaction that checks
//! the policy, checks the domain's sequencing rules, writes the record, appends a timeline entry,
//! re-derives the stage, and appends the audit and change-log entries.

mod approvals;
mod assess;
pub mod attachments;
mod cohort;
mod due_names;
pub use cohort::CohortResult;
use krousar_domain::case::record::EntryFacts;
mod family;
mod open;
mod placement;
mod read;
mod tasks;
pub mod tools;
mod worklist;

pub use read::{ApprovalRow, CaseFile, CaseSummary, DueItem, TaskRow, TeamRow, TimelineEntry, VisitRow, Worklist};

use crate::audit::{self, Entry};
use crate::children::{self, Child};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::stage::{ClosureReason, IntakeRoute, ReferralSource, RiskLevel};
use krousar_domain::case::{entries::PlacementType, CaseEntry, CaseFacts, CaseSettings, Stage};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub route: IntakeRoute,
    pub referral_source: Option<ReferralSource>,
    pub opened_on: NaiveDate,
    pub summary: Option<String>,
    pub immediate_safety: Option<String>,
    pub stage: Stage,
    pub risk_level: Option<RiskLevel>,
    pub first_contact_due: Option<NaiveDate>,
    pub first_contact_on: Option<NaiveDate>,
    pub supervisor_id: Option<Uuid>,
    pub placement_id: Option<Uuid>,
    pub placement_kind: Option<PlacementType>,
    pub placement_started_on: Option<NaiveDate>,
    pub follow_up_until: Option<NaiveDate>,
    pub reassessment_due: Option<NaiveDate>,
    pub plan_review_due: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    #[serde(skip)]
    pub facts: CaseFacts,
    pub version: i64,
    pub updated_at: String,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(crate) fn case_from(r: &AnyRow) -> Result<Case, StoreError> {
    let flag = |c: &str| r.int(c).map(|v| v != 0);
    let placement_kind = r.opt_text("placement_kind")?.and_then(|k| PlacementType::parse(&k));
    let placement_approved = flag("placement_approved")?;
    let closed_on = r.opt_date("closed_on")?;
    Ok(Case {
        child_id: r.uuid("child_id")?,
        org_id: r.uuid("org_id")?,
        route: IntakeRoute::parse(&r.text("route")?).ok_or_else(|| corrupt("route"))?,
        referral_source: r.opt_text("referral_source")?.and_then(|s| ReferralSource::parse(&s)),
        opened_on: r.date("opened_on")?,
        summary: r.opt_text("summary")?,
        immediate_safety: r.opt_text("immediate_safety")?,
        stage: Stage::parse(&r.text("stage")?).ok_or_else(|| corrupt("stage"))?,
        risk_level: r.opt_text("risk_level")?.and_then(|s| RiskLevel::parse(&s)),
        first_contact_due: r.opt_date("first_contact_due")?,
        first_contact_on: r.opt_date("first_contact_on")?,
        supervisor_id: r.opt_uuid("supervisor_id")?,
        placement_id: r.opt_uuid("placement_id")?,
        placement_kind,
        placement_started_on: r.opt_date("placement_started_on")?,
        follow_up_until: r.opt_date("follow_up_until")?,
        reassessment_due: r.opt_date("reassessment_due")?,
        plan_review_due: r.opt_date("plan_review_due")?,
        closed_on,
        closure_reason: r.opt_text("closure_reason")?.and_then(|s| ClosureReason::parse(&s)),
        facts: CaseFacts {
            registration_complete: false, // filled in from the child by `load_case`
            assessed: flag("assessed")?,
            has_care_plan: flag("has_care_plan")?,
            has_placement: placement_kind.is_some(),
            assessment_approved: flag("assessment_approved")?,
            care_plan_approved: flag("care_plan_approved")?,
            placement_approved,
            in_family_placement: placement_approved && placement_kind.is_some_and(PlacementType::family_based),
            closed: closed_on.is_some(),
        },
        version: r.int("version")?,
        updated_at: r.text("updated_at")?,
    })
}

/// The child's registration holds what a registered case needs: sex (always), a birth date or
/// year, and the village the child lives in now.
pub fn registration_complete(child: &Child) -> bool {
    let f = &child.fields;
    (f.date_of_birth.is_some() || f.estimated_birth_year.is_some()) && f.village_code.is_some()
}

pub(crate) async fn load_case(tx: &mut Tx, child: &Child) -> Result<Option<Case>, StoreError> {
    let row = sqlx::query("SELECT * FROM cases WHERE child_id = $1").bind(child.id.to_string()).fetch_optional(&mut **tx).await?;
    let mut case = row.as_ref().map(case_from).transpose()?;
    if let Some(c) = case.as_mut() {
        c.facts.registration_complete = registration_complete(child);
    }
    Ok(case)
}

/// The child, after the policy allowed `action` on it.
pub(crate) async fn child_for(tx: &mut Tx, actor: &Actor, child_id: Uuid, action: Action) -> Result<Child, StoreError> {
    let child = children::load(tx, child_id).await?;
    if !decide(actor, action, Target::Record(&child.owner(actor))).allowed() {
        return Err(StoreError::Forbidden);
    }
    Ok(child)
}

/// As `child_for`, and the child's case.
pub(crate) async fn open_case_for(tx: &mut Tx, actor: &Actor, child_id: Uuid, action: Action) -> Result<(Child, Case), StoreError> {
    let child = child_for(tx, actor, child_id, action).await?;
    let case = load_case(tx, &child).await?.ok_or(StoreError::NotFound)?;
    Ok((child, case))
}

/// Nothing is recorded on a closed case until it is reopened.
/// A case's visits and approvals carry its organisation (for the managers' index ranges): set
/// them again from the case after it moved (a transfer) or its records moved to another case
/// (a merge).
pub(crate) async fn events_follow_case(tx: &mut Tx, child_id: Uuid) -> Result<(), StoreError> {
    for table in ["follow_up_visits", "case_approvals"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET org_id = (SELECT k.org_id FROM cases k WHERE k.child_id = $1) WHERE child_id = $1"
        )))
        .bind(child_id.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) fn refuse_if_closed(case: &Case) -> Result<(), StoreError> {
    if case.closed_on.is_some() {
        return Err(StoreError::invalid("case", "err-case-closed"));
    }
    Ok(())
}

pub(crate) async fn org_settings(tx: &mut Tx, org: Uuid) -> Result<CaseSettings, StoreError> {
    let row = sqlx::query("SELECT case_settings FROM organisations WHERE id = $1").bind(org.to_string()).fetch_one(&mut **tx).await?;
    Ok(row.opt_json("case_settings")?.unwrap_or_default())
}

/// The insert of a case entry with every fact column (`EntryFacts::columns`), built once from
/// literal column names.
static INSERT_ENTRY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let names: Vec<&str> = EntryFacts::default().columns().iter().map(|(name, _)| *name).collect();
    let marks: Vec<String> = (8..8 + names.len()).map(|n| format!("${n}")).collect();
    format!(
        "INSERT INTO case_entries (id, child_id, kind, occurred_on, body, author_id, created_at, {}) VALUES ($1, $2, $3, $4, $5, $6, $7, {})",
        names.join(", "),
        marks.join(", ")
    )
});

/// Append one record to the case's timeline; returns its id. Its kind, body and the facts
/// reports count across cases all come from the one typed record.
pub(crate) async fn add_entry(
    tx: &mut Tx,
    child_id: Uuid,
    occurred_on: NaiveDate,
    entry: &CaseEntry,
    author: &Actor,
) -> Result<Uuid, StoreError> {
    let id = author.via.record_id(krousar_domain::context::Slot::CaseEntry);
    let facts = entry.facts().columns();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(INSERT_ENTRY.as_str()))
        .bind(id.to_string())
        .bind(child_id.to_string())
        .bind(entry.kind())
        .bind(occurred_on.to_string())
        .bind(entry.body_json())
        .bind(author.user_id.to_string())
        .bind(now_text());
    for (_, value) in facts {
        q = q.bind(value);
    }
    q.execute(&mut **tx).await?;
    Ok(id)
}

/// Re-derive the stage from the stored facts, bump the case version, and write the audit and
/// change-log entries of the action that changed it. Every case write ends here.
pub(crate) async fn finish(tx: &mut Tx, actor: &Actor, child: &Child, action: &str, detail: serde_json::Value) -> Result<Case, StoreError> {
    let case = load_case(tx, child).await?.ok_or(StoreError::NotFound)?;
    let stage = Stage::derive(&case.facts);
    sqlx::query("UPDATE cases SET stage = $1, version = version + 1, updated_at = $2 WHERE child_id = $3")
        .bind(stage.code())
        .bind(now_text())
        .bind(child.id.to_string())
        .execute(&mut **tx)
        .await?;
    let mut detail = detail;
    detail["stage"] = json!(stage.code());
    audit::append(tx, actor.into(), Entry { action, record_type: "case", record_id: Some(child.id.to_string()), detail }).await?;
    audit::changed(tx, Some(child.org_id), "case", child.id, case.version + 1).await?;
    load_case(tx, child).await?.ok_or(StoreError::NotFound)
}

/// End one case write: commit what `r` wrote, or roll it back; a refusal by the policy is
/// recorded in the audit log in its own transaction.
pub(crate) async fn settle<T>(
    store: &Store,
    tx: Tx,
    actor: &Actor,
    child_id: Uuid,
    action: &str,
    r: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match r {
        Ok(v) => {
            tx.commit().await?;
            Ok(v)
        }
        Err(StoreError::Forbidden) => {
            drop(tx);
            Err(children::refuse(store, actor, action, "case", child_id).await)
        }
        Err(e) => Err(e),
    }
}

impl Store {
    /// The organisation's case settings (defaults until an administrator changes them).
    pub async fn case_settings(&self, org: Uuid) -> Result<CaseSettings, StoreError> {
        let mut conn = self.pool.begin().await?;
        org_settings(&mut conn, org).await
    }

    pub async fn set_case_settings(&self, actor: &Actor, org: Uuid, s: CaseSettings) -> Result<(), StoreError> {
        if !decide(actor, Action::ManageCaseSettings, Target::Organisation(org)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let s = s.validate()?;
        let mut tx = self.write().await?;
        let text = serde_json::to_string(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE organisations SET case_settings = $1 WHERE id = $2")
            .bind(&text)
            .bind(org.to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "org.case_settings", record_type: "organisation", record_id: Some(org.to_string()), detail: json!(s) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
