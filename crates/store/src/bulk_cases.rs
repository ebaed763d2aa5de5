//! Loading whole cases at once (the synthetic nation, later imports): the rows a case's history
//! leaves — the case, its timeline entries, approvals, tasks and follow-up visits — written
//! as JSON arrays of rows (`bulk_rows`), in the caller's transaction with one audit entry.
//!
//! The caller builds each history from the domain's types and rules (`krousar_domain::case`:
//! the entries' bodies, the visit schedule, the settings' intervals); the stage is derived here
//! from the facts, as every case write does, so a bulk case reads exactly like one built step by
//! step through the pages.

use crate::audit::{self, Entry};
use crate::bulk::BulkLoad;
use crate::bulk_rows::{insert_rows, opt_text, text};
use crate::cases::Case;
use crate::db::{now_text, Store};
use crate::error::StoreError;
use crate::sql::Value;
use chrono::NaiveDate;
use krousar_domain::case::record::EntryFacts;
use krousar_domain::case::stage::Stage;
use krousar_domain::case::ApprovalKind;
use krousar_domain::Actor;
use serde_json::json;
use uuid::Uuid;

/// One event of a case's timeline, with its id made by the caller so that approvals, the
/// placement and visits can point at it.
#[derive(Debug, Clone)]
pub struct BulkEntry {
    pub id: Uuid,
    pub on: NaiveDate,
    /// The record, as the store's own writes make it (`cases::add_entry`).
    pub entry: krousar_domain::case::CaseEntry,
    pub author: Uuid,
}

/// An approval request; `decided` is who approved it and when (None: still pending).
#[derive(Debug, Clone)]
pub struct BulkApproval {
    /// Made by the caller, so that the timeline's request and decision can name it.
    pub id: Uuid,
    pub kind: ApprovalKind,
    pub entry_id: Option<Uuid>,
    pub request: String,
    pub requested_by: Uuid,
    pub decided: Option<(Uuid, NaiveDate)>,
}

#[derive(Debug, Clone)]
pub struct BulkTask {
    pub title: String,
    pub owner: Uuid,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub source: &'static str,
}

/// A due follow-up visit, and the visit entry that fulfilled it if it was made.
#[derive(Debug, Clone)]
pub struct BulkVisit {
    pub due_on: NaiveDate,
    pub done: Option<(NaiveDate, Uuid)>,
}

/// A case and everything recorded on it. `case.stage` is ignored: it follows from `case.facts`.
#[derive(Debug, Clone)]
pub struct BulkCase {
    pub case: Case,
    pub opened_by: Uuid,
    pub placement_household: Option<Uuid>,
    pub entries: Vec<BulkEntry>,
    pub approvals: Vec<BulkApproval>,
    pub tasks: Vec<BulkTask>,
    pub visits: Vec<BulkVisit>,
}

/// Totals written by one call, for progress lines.
#[derive(Debug, Default, Clone, Copy)]
pub struct BulkCaseCounts {
    pub cases: usize,
    pub entries: usize,
    pub visits: usize,
}

fn day(d: NaiveDate) -> Value {
    text(d.to_string())
}
fn opt_day(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::NullText, day)
}
fn opt_id(u: Option<Uuid>) -> Value {
    u.map_or(Value::NullText, |u| text(u.to_string()))
}
fn flag(b: bool) -> Value {
    Value::Int(i64::from(b))
}

/// The columns `case_row` fills, in its order.
const CASE_COLUMNS: [&str; 30] = [
    "child_id",
    "org_id",
    "route",
    "referral_source",
    "opened_on",
    "summary",
    "immediate_safety",
    "stage",
    "risk_level",
    "first_contact_due",
    "first_contact_on",
    "supervisor_id",
    "assessed",
    "has_care_plan",
    "assessment_approved",
    "care_plan_approved",
    "placement_id",
    "placement_kind",
    "placement_started_on",
    "placement_approved",
    "placement_household_id",
    "follow_up_until",
    "reassessment_due",
    "plan_review_due",
    "closed_on",
    "closure_reason",
    "opened_by",
    "created_at",
    "updated_at",
    "version",
];

fn case_row(b: &BulkCase, now: &str) -> Vec<Value> {
    let c = &b.case;
    let f = &c.facts;
    vec![
        text(c.child_id.to_string()),
        text(c.org_id.to_string()),
        text(c.route.code()),
        opt_text(c.referral_source.map(|s| s.code())),
        day(c.opened_on),
        opt_text(c.summary.clone()),
        opt_text(c.immediate_safety.clone()),
        text(Stage::derive(f).code()),
        opt_text(c.risk_level.map(|r| r.code())),
        opt_day(c.first_contact_due),
        opt_day(c.first_contact_on),
        opt_id(c.supervisor_id),
        flag(f.assessed),
        flag(f.has_care_plan),
        flag(f.assessment_approved),
        flag(f.care_plan_approved),
        opt_id(c.placement_id),
        opt_text(c.placement_kind.map(|k| k.code())),
        opt_day(c.placement_started_on),
        flag(f.placement_approved),
        opt_id(b.placement_household),
        opt_day(c.follow_up_until),
        opt_day(c.reassessment_due),
        opt_day(c.plan_review_due),
        opt_day(c.closed_on),
        opt_text(c.closure_reason.map(|r| r.code())),
        text(b.opened_by.to_string()),
        text(now),
        text(now),
        Value::Int(c.version.max(1)),
    ]
}

impl Store {
    /// `BulkLoad::cases` in a transaction of its own.
    pub async fn bulk_insert_cases(&self, actor: &Actor, cases: &[BulkCase]) -> Result<BulkCaseCounts, StoreError> {
        let mut load = self.bulk_load().await?;
        let counts = load.cases(actor, cases).await?;
        load.commit().await?;
        Ok(counts)
    }
}

impl BulkLoad {
    /// Write whole cases (children of the actor's organisation that have none yet) with one
    /// audit entry. Nothing is checked against the policy: this is for the generator and
    /// importers, which decide what they load.
    pub async fn cases(&mut self, actor: &Actor, cases: &[BulkCase]) -> Result<BulkCaseCounts, StoreError> {
        if cases.is_empty() {
            return Ok(BulkCaseCounts::default());
        }
        let now = now_text();
        let mut counts = BulkCaseCounts { cases: cases.len(), ..Default::default() };
        let mut rows = Vec::with_capacity(cases.len());
        let (mut entries, mut approvals, mut tasks, mut visits, mut log) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for b in cases {
            let child = text(b.case.child_id.to_string());
            let org = text(b.case.org_id.to_string());
            rows.push(case_row(b, &now));
            log.push(vec![text(b.case.org_id.to_string()), text("case"), child.clone(), Value::Int(b.case.version.max(1)), text(&now)]);
            for e in &b.entries {
                let mut row = vec![
                    text(e.id.to_string()),
                    child.clone(),
                    text(e.entry.kind()),
                    day(e.on),
                    text(e.entry.body_json()),
                    text(e.author.to_string()),
                    text(&now),
                ];
                row.extend(e.entry.facts().columns().into_iter().map(|(_, v)| opt_text(v)));
                entries.push(row);
            }
            for a in &b.approvals {
                let state = if a.decided.is_some() { "approved" } else { "pending" };
                approvals.push(vec![
                    text(a.id.to_string()),
                    child.clone(),
                    text(a.kind.code()),
                    opt_id(a.entry_id),
                    text(a.request.clone()),
                    text(state),
                    text(a.requested_by.to_string()),
                    text(&now),
                    opt_id(a.decided.map(|d| d.0)),
                    opt_text(a.decided.map(|d| format!("{}T09:00:00Z", d.1))),
                    org.clone(),
                ]);
            }
            for t in &b.tasks {
                tasks.push(vec![
                    text(krousar_domain::new_id().to_string()),
                    child.clone(),
                    text(t.title.clone()),
                    text(t.owner.to_string()),
                    day(t.due_on),
                    opt_day(t.done_on),
                    text(t.source),
                    text(t.owner.to_string()),
                    text(&now),
                ]);
            }
            for v in &b.visits {
                visits.push(vec![
                    text(krousar_domain::new_id().to_string()),
                    child.clone(),
                    opt_id(b.case.placement_id),
                    day(v.due_on),
                    opt_day(v.done.map(|d| d.0)),
                    opt_id(v.done.map(|d| d.1)),
                    org.clone(),
                ]);
            }
            counts.entries += b.entries.len();
            counts.visits += b.visits.len();
        }
        let (tx, db) = (&mut self.tx, self.backend);
        insert_rows(tx, db, "cases", &CASE_COLUMNS, &rows).await?;
        let mut entry_columns = vec!["id", "child_id", "kind", "occurred_on", "body", "author_id", "created_at"];
        entry_columns.extend(EntryFacts::default().columns().map(|(name, _)| name));
        insert_rows(tx, db, "case_entries", &entry_columns, &entries).await?;
        let approval_columns = [
            "id",
            "child_id",
            "kind",
            "entry_id",
            "request",
            "state",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "org_id",
        ];
        insert_rows(tx, db, "case_approvals", &approval_columns, &approvals).await?;
        let task_columns = ["id", "child_id", "title", "owner_id", "due_on", "done_on", "source", "created_by", "created_at"];
        insert_rows(tx, db, "case_tasks", &task_columns, &tasks).await?;
        insert_rows(
            tx,
            db,
            "follow_up_visits",
            &["id", "child_id", "placement_id", "due_on", "done_on", "visit_entry_id", "org_id"],
            &visits,
        )
        .await?;
        insert_rows(tx, db, "change_log", &["org_id", "record_type", "record_id", "version", "at"], &log).await?;
        let detail = json!({"cases": counts.cases, "entries": counts.entries, "visits": counts.visits});
        audit::append(&mut self.tx, actor.into(), Entry { action: "case.bulk_create", record_type: "case", record_id: None, detail })
            .await?;
        Ok(counts)
    }
}
