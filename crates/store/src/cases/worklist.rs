//! What is due for a worker, a team or an organisation, and the team view: each one statement
//! (a `UNION ALL` of its parts) rather than one per kind of event, because every statement is a
//! round trip — to SQLite's connection thread or to the PostgreSQL server, which also plans
//! each one — and a supervisor's home page once made ten of them.

use super::read::{CaseSummary, DueItem, TeamRow, Worklist};
use crate::children::{self, scope_sql};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::{Days, NaiveDate};
use krousar_domain::policy::list_scope;
use krousar_domain::{Action, Actor, ListScope, Role};
use std::collections::BTreeMap;
use uuid::Uuid;

/// At most this many items of each kind.
const DUE_LIMIT: i64 = 100;

const CHILD_COLS: &str = "c.id AS child_id, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin";
/// What `mine` keeps of each child for the worklist.
const CHILD_SOURCE: &str = "c.id, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin";

/// The parts of one `UNION ALL`: each `SELECT * FROM (…) AS pN`, so that each keeps its own
/// order and limit.
struct Union {
    q: Sql,
    parts: usize,
}

impl Union {
    /// `q` holds the statement so far (the `WITH` of the scope's children, if any).
    fn new(q: Sql) -> Union {
        Union { q, parts: 0 }
    }

    /// One part: `what` is a literal kind, `cols` the columns, `from` where the rows come from,
    /// `cond` the rest of the WHERE clause ending where its last parameter `last` goes; the part
    /// ends ordered by `order` and limited.
    fn due(&mut self, what: &str, cols: &str, from: &Source, cond: &str, last: &str, order: &str) {
        let q = &mut self.q;
        q.push(if self.parts == 0 { "SELECT * FROM (" } else { " UNION ALL SELECT * FROM (" });
        q.push(&format!("SELECT '{what}' AS what, {cols} FROM "));
        match from {
            Source::Joined(text) => q.push(text),
            Source::OrgCases(org) => q.push("cases k JOIN children c ON c.id = k.child_id WHERE k.org_id = ").bind_text(org.to_string()),
            Source::TasksOf(owner) => {
                q.push("case_tasks t JOIN children c ON c.id = t.child_id WHERE t.owner_id = ").bind_text(owner.to_string())
            }
        };
        q.push(&format!(" AND {cond}"));
        q.bind_text(last.to_string());
        q.push(&format!(" ORDER BY {order}")).limit(DUE_LIMIT);
        q.push(&format!(") AS p{}", self.parts));
        self.parts += 1;
    }
}

/// Where a part's rows come from.
enum Source {
    /// `FROM … WHERE …` text (see `events_of`).
    Joined(String),
    /// An organisation's cases through their organisation's due-date indexes (a case carries
    /// its child's organisation, moved with it on transfer): a manager's due reassessments are
    /// an index range instead of a lookup for each of 5,000 children.
    OrgCases(Uuid),
    /// A user's tasks, whoever's caseload the child is in.
    TasksOf(Uuid),
}

/// `WITH mine AS MATERIALIZED (…)`: the children of a scope (a caseload with the cases shared
/// with its worker, a team, an organisation), read once through their index and then walked by
/// every part of the statement, each looking its events up by child. PostgreSQL otherwise
/// planned "open visits due" from its due-date index across the whole country and dropped
/// those of other organisations (3.5 s for a manager's home page); SQLite read the scope's
/// children once per part. `columns` are read from `children c`.
fn with_mine(scope: &ListScope, columns: &str) -> Result<Sql, StoreError> {
    let mut q = Sql::new(&format!("WITH mine AS MATERIALIZED (SELECT {columns} FROM children c WHERE 1 = 1"));
    scope_sql(&mut q, scope.clone(), "c")?;
    // A worker's own caseload, then the cases they share as second worker: two index ranges
    // (an OR of the two would make SQLite scan a large caseload).
    if let ListScope::Own(user) = scope {
        q.push(&format!(" UNION ALL SELECT {columns} FROM children c WHERE c.co_worker_id = ")).bind_text(user.to_string());
    }
    q.push(") ");
    Ok(q)
}

impl Store {
    /// What the actor must do up to a week from `today` (overdue included), their cases by stage
    /// and risk, and — for supervisors and managers — requests waiting for their decision.
    pub async fn worklist(&self, actor: &Actor, today: NaiveDate, khmer: bool) -> Result<Worklist, StoreError> {
        let scope = list_scope(actor, Action::ListChildren);
        if scope == ListScope::Nothing {
            return Ok(Worklist::default());
        }
        let horizon = today.checked_add_days(Days::new(7)).unwrap_or(today).to_string();
        let wide = scope == ListScope::Everything;
        let start = if wide { Sql::new("") } else { with_mine(&scope, CHILD_SOURCE)? };
        let visits = Source::Joined(events_of("mine c", "follow_up_visits f", "f", wide));
        let cases = match scope {
            ListScope::Org(org) => Source::OrgCases(org),
            _ => Source::Joined(events_of("mine c", "cases k", "k", wide)),
        };
        let mut u = Union::new(start);
        u.due(
            "visit",
            &format!("{CHILD_COLS}, f.due_on, NULL AS title"),
            &visits,
            "f.done_on IS NULL AND f.due_on <= ",
            &horizon,
            "f.due_on",
        );
        let parts = [
            ("first_contact", "k.first_contact_on IS NULL AND k.closed_on IS NULL AND k.first_contact_due <= ", "k.first_contact_due"),
            ("reassessment", "k.closed_on IS NULL AND k.reassessment_due <= ", "k.reassessment_due"),
            ("plan_review", "k.closed_on IS NULL AND k.plan_review_due <= ", "k.plan_review_due"),
        ];
        for (what, cond, due_on) in parts {
            u.due(what, &format!("{CHILD_COLS}, {due_on} AS due_on, NULL AS title"), &cases, cond, &horizon, due_on);
        }
        u.due(
            "task",
            &format!("{CHILD_COLS}, t.due_on, t.title"),
            &Source::TasksOf(actor.user_id),
            "t.done_on IS NULL AND t.due_on <= ",
            &horizon,
            "t.due_on",
        );
        if matches!(actor.role, Role::Supervisor | Role::Manager) {
            u.due(
                "approval",
                &format!("{CHILD_COLS}, a.requested_at AS due_on, a.kind AS title"),
                &Source::Joined(events_of("mine c", "case_approvals a", "a", wide)),
                "a.state = 'pending' AND a.requested_by <> ",
                &actor.user_id.to_string(),
                "a.requested_at",
            );
        }
        let (mut due, mut pending_approvals) = (Vec::new(), Vec::new());
        for r in u.q.query().fetch_all(&self.pool).await? {
            let what = r.text("what")?;
            let item = due_item(&r, &what, khmer)?;
            if what == "approval" {
                pending_approvals.push(item);
            } else {
                due.push(item);
            }
        }
        due.sort_by(|a, b| a.due_on.cmp(&b.due_on));
        pending_approvals.sort_by(|a, b| a.due_on.cmp(&b.due_on));

        let mut q = match scope {
            // An organisation's cases through their own index (see `Source::OrgCases`).
            ListScope::Org(org) => {
                let mut q = Sql::new("SELECT k.stage, k.risk_level, COUNT(*) AS n FROM cases k WHERE k.org_id = ");
                q.bind_text(org.to_string());
                q
            }
            _ => {
                let mut q = Sql::new(&format!(
                    "SELECT k.stage, k.risk_level, COUNT(*) AS n FROM {}",
                    events_of("children c", "cases k", "k", wide)
                ));
                scope_sql(&mut q, scope.clone(), "c")?;
                q
            }
        };
        q.push(" GROUP BY k.stage, k.risk_level");
        let by_stage = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(CaseSummary { stage: r.text("stage")?, risk: r.opt_text("risk_level")?, count: r.int("n")? }))
            .collect::<Result<_, StoreError>>()?;
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
    /// visits and tasks, and requests waiting for a decision — one statement, the workers'
    /// names joined in.
    pub async fn team_view(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<TeamRow>, StoreError> {
        if !matches!(actor.role, Role::Supervisor | Role::Manager) {
            return Err(StoreError::Forbidden);
        }
        let scope = list_scope(actor, Action::ListChildren);
        let today = today.to_string();
        // The scope's children once, then each count looks their events up (see `with_mine`).
        let counts: [(&str, &str, String, bool); 3] = [
            ("open", "c.assigned_worker_id", format!("{} AND k.closed_on IS NULL", events_of("mine c", "cases k", "k", false)), false),
            (
                "visits",
                "c.assigned_worker_id",
                format!("{} AND f.done_on IS NULL AND f.due_on < ", events_of("mine c", "follow_up_visits f", "f", false)),
                true,
            ),
            (
                "approvals",
                "a.requested_by",
                format!("{} AND a.state = 'pending'", events_of("mine c", "case_approvals a", "a", false)),
                false,
            ),
        ];
        let mut q = with_mine(&scope, "c.id, c.assigned_worker_id")?;
        q.push("SELECT x.what, x.w, x.n, u.display_name FROM (");
        for (i, (what, worker, from, dated)) in counts.iter().enumerate() {
            q.push(if i == 0 { "" } else { " UNION ALL " });
            q.push(&format!("SELECT '{what}' AS what, {worker} AS w, COUNT(*) AS n FROM {from}"));
            if *dated {
                q.bind_text(today.clone());
            }
            q.push(&format!(" GROUP BY {worker}"));
        }
        // Overdue tasks are their owners': those of the scope's users, through the owner index
        // (PostgreSQL joined every open task in the country to the scope's children by hash).
        q.push(
            " UNION ALL SELECT 'tasks' AS what, t.owner_id AS w, COUNT(*) AS n FROM users o CROSS JOIN case_tasks t \
                WHERE t.owner_id = o.id AND t.done_on IS NULL AND t.due_on < ",
        );
        q.bind_text(today.clone());
        match &scope {
            // A supervisor without a team: their own tasks.
            ListScope::Own(user) => {
                q.push(" AND o.id = ").bind_text(user.to_string());
            }
            other => scope_sql(&mut q, other.clone(), "o")?,
        }
        q.push(" GROUP BY t.owner_id) AS x LEFT JOIN users u ON u.id = x.w");
        let mut rows: BTreeMap<Uuid, TeamRow> = BTreeMap::new();
        for r in q.query().fetch_all(&self.pool).await? {
            let Some(w) = r.opt_uuid("w")? else { continue };
            let row = rows.entry(w).or_insert_with(|| TeamRow { worker_id: w, ..Default::default() });
            row.worker_name = r.opt_text("display_name")?.unwrap_or_default();
            let n = r.int("n")?;
            match r.text("what")?.as_str() {
                "open" => row.open_cases = n,
                "visits" => row.overdue_visits = n,
                "tasks" => row.overdue_tasks = n,
                _ => row.pending_approvals = n,
            }
        }
        let mut out: Vec<TeamRow> = rows.into_values().collect();
        out.sort_by(|a, b| {
            (b.overdue_visits + b.overdue_tasks).cmp(&(a.overdue_visits + a.overdue_tasks)).then(a.worker_name.cmp(&b.worker_name))
        });
        Ok(out)
    }
}

fn name_of(r: &sqlx::any::AnyRow, khmer: bool) -> Result<String, StoreError> {
    Ok(children::display_name(
        &r.opt_text("family_name_km")?,
        &r.opt_text("given_name_km")?,
        &r.opt_text("family_name_latin")?,
        &r.opt_text("given_name_latin")?,
        khmer,
    ))
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
/// for `AND …`. `children` is `mine c` (see `with_mine`) or `children c` with the scope added
/// after. A caseload, team or organisation walks its own children and looks each one's events
/// up by child (`CROSS JOIN` fixes that order in SQLite); walking the events first visited
/// every open visit or case in the country to keep a worker's few (1.9 s for a worker's home
/// page at a million children with 400,000 cases). Only the whole country (`wide`) starts from
/// the events.
fn events_of(children: &str, table: &str, alias: &str, wide: bool) -> String {
    if wide {
        format!("{table} JOIN children c ON c.id = {alias}.child_id WHERE 1 = 1")
    } else {
        format!("{children} CROSS JOIN {table} WHERE {alias}.child_id = c.id")
    }
}
