//! Reading cases: one child's case file (audited), the worker's list of what is due, and the
//! supervisor's view of a team. Lists go through the one list scope of the policy.

use super::{load_case, Case};
use crate::audit::Entry;
use crate::children::{self, Child};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use krousar_domain::case::CaseEntry;
use krousar_domain::Actor;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub id: Uuid,
    /// The record itself; serialised as `"kind"` and `"body"` beside the other fields.
    #[serde(flatten)]
    pub entry: CaseEntry,
    pub occurred_on: String,
    pub author: Option<String>,
    /// The organisation of whoever recorded it (for what a former owner may still read).
    #[serde(skip)]
    pub author_org: Option<Uuid>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalRow {
    pub id: Uuid,
    pub kind: String,
    pub state: String,
    pub requested_by: Uuid,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub comment: Option<String>,
    pub request: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: Uuid,
    pub title: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub due_on: String,
    pub done_on: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitRow {
    pub due_on: String,
    pub done_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseFile {
    pub case: Case,
    /// Every event, oldest first.
    pub timeline: Vec<TimelineEntry>,
    pub approvals: Vec<ApprovalRow>,
    pub tasks: Vec<TaskRow>,
    pub visits: Vec<VisitRow>,
    pub attachments: Vec<super::attachments::Attachment>,
    /// Parts of the case this reader may not read (`disclosure::cut_case_file`): a page says
    /// they are not shared rather than showing them empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<&'static str>,
}

impl TimelineEntry {
    pub fn kind(&self) -> &'static str {
        self.entry.kind()
    }
}

impl CaseFile {
    pub fn entries_of<'a>(&'a self, kind: &'a str) -> impl DoubleEndedIterator<Item = &'a TimelineEntry> + 'a {
        self.timeline.iter().filter(move |e| e.kind() == kind)
    }

    /// The newest record of one kind (`krousar_domain::entry_of!(Risk)`), with its entry.
    pub fn latest_of<'a, T>(&'a self, pick: impl Fn(&'a CaseEntry) -> Option<&'a T>) -> Option<(&'a TimelineEntry, &'a T)> {
        self.timeline.iter().rev().find_map(|e| pick(&e.entry).map(|x| (e, x)))
    }

    /// Every record of one kind, oldest first.
    pub fn all_of<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&'a CaseEntry) -> Option<&'a T> + 'a,
    ) -> impl DoubleEndedIterator<Item = (&'a TimelineEntry, &'a T)> + 'a {
        self.timeline.iter().filter_map(move |e| pick(&e.entry).map(|x| (e, x)))
    }

    pub fn pending(&self, kind: &str) -> Option<&ApprovalRow> {
        self.approvals.iter().find(|a| a.kind == kind && a.state == "pending")
    }
}

/// Something due: a visit, a task, a first contact, a reassessment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueItem {
    pub child_id: Uuid,
    pub case_number: String,
    pub child_name: String,
    pub what: String,
    pub title: Option<String>,
    pub due_on: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub stage: String,
    pub risk: Option<String>,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Worklist {
    /// Due up to the end of the coming week, overdue first.
    pub due: Vec<DueItem>,
    pub by_stage: Vec<CaseSummary>,
    pub pending_approvals: Vec<DueItem>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct TeamRow {
    pub worker_id: Uuid,
    pub worker_name: String,
    pub open_cases: i64,
    pub overdue_visits: i64,
    pub overdue_tasks: i64,
    pub pending_approvals: i64,
}

impl Store {
    /// The child and its case file (if a case is open), read for `actor`; audited once.
    pub async fn case_file(&self, actor: &Actor, child_id: Uuid, via: &str) -> Result<(Child, Option<CaseFile>), StoreError> {
        // A read transaction (one snapshot of the file); the audit entry is group-committed.
        let mut tx = self.pool.begin().await?;
        let mut child = children::load(&mut tx, child_id).await?;
        let Some(disclosure) = crate::disclosure::of(&child, actor) else {
            drop(tx);
            return Err(children::refuse(self, actor, "case.view", "case", child_id).await);
        };
        // Audited once the reading is done and its connection is back in the pool (the audit
        // writer needs one too).
        let entry = Entry { action: "case.view", record_type: "child", record_id: Some(child_id.to_string()), detail: json!({"via": via}) };
        let Some(case) = load_case(&mut tx, &child).await? else {
            tx.rollback().await?;
            self.audit_read(actor.into(), entry).await?;
            crate::disclosure::cut_child(&mut child, actor);
            return Ok((child, None));
        };
        let id = child_id.to_string();
        let rows = sqlx::query(
            "SELECT e.id, e.kind, e.occurred_on, e.body, e.created_at, u.display_name, u.org_id AS author_org FROM case_entries e \
             LEFT JOIN users u ON u.id = e.author_id WHERE e.child_id = $1 ORDER BY e.occurred_on, e.seq",
        )
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        let mut timeline = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.uuid("id")?;
            timeline.push(TimelineEntry {
                id,
                entry: CaseEntry::decode(&r.text("kind")?, &r.text("body")?)
                    .map_err(|e| StoreError::Corrupt(format!("case entry {id}: body: {e}")))?,
                occurred_on: r.text("occurred_on")?,
                author: r.opt_text("display_name")?,
                author_org: r.opt_uuid("author_org")?,
                created_at: r.text("created_at")?,
            });
        }
        let rows = sqlx::query(
            "SELECT a.id, a.kind, a.state, a.requested_by, a.requested_at, a.decided_at, a.comment, a.request, \
             r.display_name AS requester, d.display_name AS decider FROM case_approvals a JOIN users r ON r.id = a.requested_by \
             LEFT JOIN users d ON d.id = a.decided_by WHERE a.child_id = $1 ORDER BY a.requested_at DESC",
        )
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        let mut approvals = Vec::with_capacity(rows.len());
        for r in &rows {
            approvals.push(ApprovalRow {
                id: r.uuid("id")?,
                kind: r.text("kind")?,
                state: r.text("state")?,
                requested_by: r.uuid("requested_by")?,
                requested_by_name: r.text("requester")?,
                requested_at: r.text("requested_at")?,
                decided_by_name: r.opt_text("decider")?,
                decided_at: r.opt_text("decided_at")?,
                comment: r.opt_text("comment")?,
                request: r.json("request").map_err(|e| e.within(format!("approval {}", r.text("id").unwrap_or_default())))?,
            });
        }
        let rows = sqlx::query(
            "SELECT t.id, t.title, t.owner_id, u.display_name, t.due_on, t.done_on, t.source FROM case_tasks t \
             JOIN users u ON u.id = t.owner_id WHERE t.child_id = $1 ORDER BY t.done_on IS NOT NULL, t.due_on",
        )
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        let mut tasks = Vec::with_capacity(rows.len());
        for r in &rows {
            tasks.push(TaskRow {
                id: r.uuid("id")?,
                title: r.text("title")?,
                owner_id: r.uuid("owner_id")?,
                owner_name: r.text("display_name")?,
                due_on: r.text("due_on")?,
                done_on: r.opt_text("done_on")?,
                source: r.text("source")?,
            });
        }
        let rows = sqlx::query("SELECT due_on, done_on FROM follow_up_visits WHERE child_id = $1 ORDER BY due_on")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
        let visits = rows
            .iter()
            .map(|r| Ok(VisitRow { due_on: r.text("due_on")?, done_on: r.opt_text("done_on")? }))
            .collect::<Result<_, StoreError>>()?;
        // Another organisation reads only what a referral's consent covers, or (a transfer's
        // sender) what it recorded itself before the transfer.
        let mut file = CaseFile { case, timeline, approvals, tasks, visits, attachments: Vec::new(), withheld: Vec::new() };
        let own = disclosure.is_full();
        crate::disclosure::cut_case_file(&mut file, &disclosure, &child, actor);
        crate::disclosure::cut_child(&mut child, actor);
        tx.rollback().await?;
        // Only once this transaction's connection is back in the pool: sixteen pages each
        // holding one while waiting for a second one for the attachments held every connection
        // and answered none (found at a million children under 16 connections).
        if own {
            file.attachments = self.attachments_of(child_id).await?;
        }
        self.audit_read(actor.into(), entry).await?;
        Ok((child, Some(file)))
    }
}
