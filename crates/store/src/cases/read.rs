//! Reading cases: one child's case file (audited), the worker's list of what is due, and the
//! supervisor's view of a team. Lists go through the one list scope of the policy.

use super::{load_case, Case};
use crate::audit::Entry;
use crate::children::{self, scope_sql, Child};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::{Days, NaiveDate};
use krousar_domain::policy::{decide, list_scope, Target};
use krousar_domain::{Action, Actor, Role};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub id: Uuid,
    pub kind: String,
    pub occurred_on: String,
    pub body: serde_json::Value,
    pub author: Option<String>,
    /// The organisation of whoever recorded it (for what a former owner may still read).
    #[serde(skip)]
    pub author_org: Option<Uuid>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub id: Uuid,
    pub title: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub due_on: String,
    pub done_on: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VisitRow {
    pub due_on: String,
    pub done_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseFile {
    pub case: Case,
    /// Every event, oldest first.
    pub timeline: Vec<TimelineEntry>,
    pub approvals: Vec<ApprovalRow>,
    pub tasks: Vec<TaskRow>,
    pub visits: Vec<VisitRow>,
    pub attachments: Vec<super::attachments::Attachment>,
}

impl CaseFile {
    pub fn entries_of<'a>(&'a self, kind: &'a str) -> impl DoubleEndedIterator<Item = &'a TimelineEntry> + 'a {
        self.timeline.iter().filter(move |e| e.kind == kind)
    }

    pub fn pending(&self, kind: &str) -> Option<&ApprovalRow> {
        self.approvals.iter().find(|a| a.kind == kind && a.state == "pending")
    }
}

/// Keep what another organisation may read: the kinds of record a referral's consent covers, or
/// (no referral: a transfer's sender) the records its own people made.
fn limit_to(file: &mut CaseFile, shares: Option<&[krousar_domain::referral::Share]>, org: Uuid) {
    use krousar_domain::referral::Share;
    let covered = |kind: &str, shares: &[Share]| {
        let need = match kind {
            "intake" | "referral_sent" | "referral_decided" | "approval_requested" | "approval_decided" | "reopen" => Share::CaseSummary,
            "csi" | "risk" | "family_assessment" | "readiness" | "assessment" => Share::Assessments,
            "care_plan" | "conference" | "service" | "placement" | "placement_end" | "alt_care" | "task" | "task_done" => Share::Plan,
            _ => Share::Notes,
        };
        shares.contains(&need)
    };
    match shares {
        Some(s) => {
            // What the consent covers, and what the receiver recorded itself (its services).
            file.timeline.retain(|e| covered(&e.kind, s) || e.author_org == Some(org));
            if !s.contains(&Share::Plan) {
                file.tasks.clear();
            }
        }
        None => {
            file.timeline.retain(|e| e.author_org == Some(org));
            file.tasks.clear();
            file.approvals.clear();
        }
    }
}

/// Something due: a visit, a task, a first contact, a reassessment.
#[derive(Debug, Clone, Serialize)]
pub struct DueItem {
    pub child_id: Uuid,
    pub case_number: String,
    pub child_name: String,
    pub what: String,
    pub title: Option<String>,
    pub due_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub stage: String,
    pub risk: Option<String>,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Worklist {
    /// Due up to the end of the coming week, overdue first.
    pub due: Vec<DueItem>,
    pub by_stage: Vec<CaseSummary>,
    pub pending_approvals: Vec<DueItem>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TeamRow {
    pub worker_id: Uuid,
    pub worker_name: String,
    pub open_cases: i64,
    pub overdue_visits: i64,
    pub overdue_tasks: i64,
    pub pending_approvals: i64,
}

const DUE_LIMIT: i64 = 100;

fn name_of(r: &sqlx::any::AnyRow, khmer: bool) -> Result<String, StoreError> {
    Ok(children::display_name(
        &r.opt_text("family_name_km")?,
        &r.opt_text("given_name_km")?,
        &r.opt_text("family_name_latin")?,
        &r.opt_text("given_name_latin")?,
        khmer,
    ))
}

const CHILD_COLS: &str = "c.id AS child_id, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin";

impl Store {
    /// The child and its case file (if a case is open), read for `actor`; audited once.
    pub async fn case_file(&self, actor: &Actor, child_id: Uuid, via: &str) -> Result<(Child, Option<CaseFile>), StoreError> {
        // A read transaction (one snapshot of the file); the audit entry is group-committed.
        let mut tx = self.pool.begin().await?;
        let child = children::load(&mut tx, child_id).await?;
        if !decide(actor, Action::ViewChild, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(children::refuse(self, actor, "case.view", "case", child_id).await);
        }
        // Audited once the reading is done and its connection is back in the pool (the audit
        // writer needs one too).
        let entry = Entry { action: "case.view", record_type: "child", record_id: Some(child_id.to_string()), detail: json!({"via": via}) };
        let Some(case) = load_case(&mut tx, &child).await? else {
            tx.rollback().await?;
            self.audit_read(actor.into(), entry).await?;
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
            timeline.push(TimelineEntry {
                id: r.uuid("id")?,
                kind: r.text("kind")?,
                occurred_on: r.text("occurred_on")?,
                body: serde_json::from_str(&r.text("body")?).unwrap_or_default(),
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
                request: serde_json::from_str(&r.text("request")?).unwrap_or_default(),
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
        // sender) what it recorded itself.
        let mut file = CaseFile { case, timeline, approvals, tasks, visits, attachments: Vec::new() };
        let own = child.org_id == actor.org_id;
        if !own {
            let shares = crate::referrals::shares_for(&mut tx, child_id, actor.org_id).await?;
            limit_to(&mut file, shares.as_deref(), actor.org_id);
        }
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

    /// What the actor must do up to a week from `today` (overdue included), their cases by stage
    /// and risk, and — for supervisors and managers — requests waiting for their decision.
    pub async fn worklist(&self, actor: &Actor, today: NaiveDate, khmer: bool) -> Result<Worklist, StoreError> {
        let scope = list_scope(actor, Action::ListChildren);
        if scope == krousar_domain::ListScope::Nothing {
            return Ok(Worklist::default());
        }
        let horizon = today.checked_add_days(Days::new(7)).unwrap_or(today).to_string();
        let mut due = Vec::new();
        let wide = scope == krousar_domain::ListScope::Everything;
        let queries: [(&str, String); 4] = [
            ("visit", format!("SELECT {CHILD_COLS}, f.due_on, NULL AS title FROM {} AND f.done_on IS NULL AND f.due_on <= ", from_children("follow_up_visits f", "f", wide))),
            (
                "first_contact",
                format!(
                    "SELECT {CHILD_COLS}, k.first_contact_due AS due_on, NULL AS title FROM {} \
                     AND k.first_contact_on IS NULL AND k.closed_on IS NULL AND k.first_contact_due <= ",
                    from_children("cases k", "k", wide)
                ),
            ),
            (
                "reassessment",
                format!(
                    "SELECT {CHILD_COLS}, k.reassessment_due AS due_on, NULL AS title FROM {} AND k.closed_on IS NULL AND k.reassessment_due <= ",
                    from_children("cases k", "k", wide)
                ),
            ),
            (
                "plan_review",
                format!(
                    "SELECT {CHILD_COLS}, k.plan_review_due AS due_on, NULL AS title FROM {} AND k.closed_on IS NULL AND k.plan_review_due <= ",
                    from_children("cases k", "k", wide)
                ),
            ),
        ];
        // A worker's own caseload, then the cases they share as second worker (each one index
        // range; an OR of the two would make SQLite scan a large caseload).
        let shares = matches!(scope, krousar_domain::ListScope::Own(_)) && self.has_shared_cases(actor.user_id).await?;
        for (what, start) in &queries {
            for shared in [false, true] {
                if shared && !shares {
                    continue;
                }
                let mut q = Sql::new(start);
                q.bind_text(horizon.clone());
                if shared {
                    q.push(" AND c.co_worker_id = ").bind_text(actor.user_id.to_string());
                } else {
                    scope_sql(&mut q, scope.clone(), "c")?;
                }
                q.push(" ORDER BY due_on").limit(DUE_LIMIT);
                for r in q.query().fetch_all(&self.pool).await? {
                    due.push(due_item(&r, what, khmer)?);
                }
            }
        }
        // Tasks are the owner's, whoever's caseload the child is in.
        let mut q = Sql::new(&format!(
            "SELECT {CHILD_COLS}, t.due_on, t.title FROM case_tasks t JOIN children c ON c.id = t.child_id WHERE t.done_on IS NULL AND t.owner_id = "
        ));
        q.bind_text(actor.user_id.to_string()).push(" AND t.due_on <= ").bind_text(horizon.clone());
        q.push(" ORDER BY t.due_on").limit(DUE_LIMIT);
        for r in q.query().fetch_all(&self.pool).await? {
            due.push(due_item(&r, "task", khmer)?);
        }
        due.sort_by(|a, b| a.due_on.cmp(&b.due_on));

        let mut q = Sql::new(&format!("SELECT k.stage, k.risk_level, COUNT(*) AS n FROM {}", from_children("cases k", "k", wide)));
        scope_sql(&mut q, scope.clone(), "c")?;
        q.push(" GROUP BY k.stage, k.risk_level");
        let by_stage = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(CaseSummary { stage: r.text("stage")?, risk: r.opt_text("risk_level")?, count: r.int("n")? }))
            .collect::<Result<_, StoreError>>()?;

        let mut pending_approvals = Vec::new();
        if matches!(actor.role, Role::Supervisor | Role::Manager) {
            let mut q = Sql::new(&format!(
                "SELECT {CHILD_COLS}, a.requested_at AS due_on, a.kind AS title FROM {} AND a.state = 'pending' AND a.requested_by <> ",
                from_children("case_approvals a", "a", wide)
            ));
            q.bind_text(actor.user_id.to_string());
            scope_sql(&mut q, scope.clone(), "c")?;
            q.push(" ORDER BY a.requested_at").limit(DUE_LIMIT);
            for r in q.query().fetch_all(&self.pool).await? {
                pending_approvals.push(due_item(&r, "approval", khmer)?);
            }
        }
        Ok(Worklist { due, by_stage, pending_approvals })
    }

    /// Whether the user is the second worker of any case.
    pub async fn has_shared_cases(&self, user: Uuid) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 AS one FROM children WHERE co_worker_id = $1 LIMIT 1")
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Per worker of the supervisor's team (a manager: the organisation): open cases, overdue
    /// visits and tasks, and requests waiting for a decision.
    pub async fn team_view(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<TeamRow>, StoreError> {
        if !matches!(actor.role, Role::Supervisor | Role::Manager) {
            return Err(StoreError::Forbidden);
        }
        let scope = list_scope(actor, Action::ListChildren);
        let today = today.to_string();
        let mut rows: BTreeMap<Uuid, TeamRow> = BTreeMap::new();
        // Each count walks the team's children and their events (see `from_children`).
        let counts: [(&str, String, bool); 4] = [
            (
                "open",
                format!(
                    "SELECT c.assigned_worker_id AS w, COUNT(*) AS n FROM {} AND k.closed_on IS NULL",
                    from_children("cases k", "k", false)
                ),
                false,
            ),
            (
                "visits",
                format!(
                    "SELECT c.assigned_worker_id AS w, COUNT(*) AS n FROM {} AND f.done_on IS NULL AND f.due_on < ",
                    from_children("follow_up_visits f", "f", false)
                ),
                true,
            ),
            (
                "tasks",
                format!(
                    "SELECT t.owner_id AS w, COUNT(*) AS n FROM {} AND t.done_on IS NULL AND t.due_on < ",
                    from_children("case_tasks t", "t", false)
                ),
                true,
            ),
            (
                "approvals",
                format!(
                    "SELECT a.requested_by AS w, COUNT(*) AS n FROM {} AND a.state = 'pending'",
                    from_children("case_approvals a", "a", false)
                ),
                false,
            ),
        ];
        for (what, start, dated) in counts {
            let mut q = Sql::new(&start);
            if dated {
                q.bind_text(today.clone());
            }
            scope_sql(&mut q, scope.clone(), "c")?;
            q.push(" GROUP BY w");
            for r in q.query().fetch_all(&self.pool).await? {
                let Some(w) = r.opt_uuid("w")? else { continue };
                let row = rows.entry(w).or_insert_with(|| TeamRow { worker_id: w, ..Default::default() });
                let n = r.int("n")?;
                match what {
                    "open" => row.open_cases = n,
                    "visits" => row.overdue_visits = n,
                    "tasks" => row.overdue_tasks = n,
                    _ => row.pending_approvals = n,
                }
            }
        }
        for u in self.users(Some(actor.org_id)).await? {
            if let Some(row) = rows.get_mut(&u.id) {
                row.worker_name = u.display_name.clone();
            }
        }
        let mut out: Vec<TeamRow> = rows.into_values().collect();
        out.sort_by(|a, b| {
            (b.overdue_visits + b.overdue_tasks).cmp(&(a.overdue_visits + a.overdue_tasks)).then(a.worker_name.cmp(&b.worker_name))
        });
        Ok(out)
    }
}

fn due_item(r: &sqlx::any::AnyRow, what: &str, khmer: bool) -> Result<DueItem, StoreError> {
    Ok(DueItem {
        child_id: r.uuid("child_id")?,
        case_number: r.text("case_number")?,
        child_name: name_of(r, khmer)?,
        what: what.to_string(),
        title: r.opt_text("title")?,
        due_on: r.opt_text("due_on")?.unwrap_or_default(),
    })
}

/// `FROM … WHERE` joining children to one of their event tables (`table` with `alias`), ready
/// for `AND …`. A caseload, team or organisation walks its own children and looks each one's
/// events up by child (`CROSS JOIN` fixes that order in SQLite); walking the events first
/// visited every open visit or case in the country to keep a worker's few (1.9 s for a
/// worker's home page at a million children with 400,000 cases). Only the whole country
/// (`wide`) starts from the events.
fn from_children(table: &str, alias: &str, wide: bool) -> String {
    if wide {
        format!("{table} JOIN children c ON c.id = {alias}.child_id WHERE 1 = 1")
    } else {
        format!("children c CROSS JOIN {table} WHERE {alias}.child_id = c.id")
    }
}
