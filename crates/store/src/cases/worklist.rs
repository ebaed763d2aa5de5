//! What is due for a worker, a team or an organisation, and the team view: each one statement
//! (a `UNION ALL` of its parts) rather than one per kind of event, because every statement is a
//! round trip — to SQLite's connection thread or to the PostgreSQL server, which also plans
//! each one — and a supervisor's home page once made ten of them.

use super::read::{CaseSummary, DueItem, TeamRow, Worklist};
use crate::children::scope_sql;
use crate::db::{Backend, RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::Days;
use krousar_domain::policy::{decide, list_scope, Target};
use krousar_domain::{Action, Actor, ListScope};
use std::collections::BTreeMap;
use uuid::Uuid;

/// At most this many items of each kind.
const DUE_LIMIT: i64 = 100;

/// A due item as the statement hands it over: one JSON array of these (see `Backend::json_rows`).
/// Its child's name and case number are read afterwards, for the items shown only
/// (`name_due_items`): a supervisor's worklist is hundreds of items, her home page shows thirty.
const ITEM: &str = "x.what, x.child_id, x.due_on, x.title";

/// The parts of one `UNION ALL`: each `SELECT * FROM (…) AS pN`, so that each keeps its own
/// order and limit.
struct Union {
    q: Sql,
    parts: usize,
}

impl Union {
    /// `q` holds the statement so far (the `WITH` of the scope's children, if any); the parts'
    /// rows come back as one JSON text, `items` (a supervisor's worklist is hundreds of rows).
    fn new(mut q: Sql, backend: Backend) -> Union {
        q.push(&format!("SELECT {} AS items FROM (", backend.json_rows(ITEM)));
        Union { q, parts: 0 }
    }

    /// The whole statement.
    fn finish(mut self) -> Sql {
        self.q.push(") AS x");
        self.q
    }

    /// One part: `what` is a literal kind; the rows come `from` a table whose alias and columns
    /// `cols` gives, with `cond` the rest of the WHERE clause ending where its last parameter
    /// `last` goes: the first `DUE_LIMIT` by due date.
    fn due(&mut self, what: &str, cols: Cols, from: &Source, cond: &str, last: &str) {
        let Cols { alias, due_on, title } = cols;
        let q = &mut self.q;
        q.push(if self.parts == 0 { "SELECT * FROM (" } else { " UNION ALL SELECT * FROM (" });
        q.push(&format!("SELECT '{what}' AS what, {alias}.child_id AS child_id, {due_on} AS due_on, {title} AS title FROM "));
        from.push(q);
        q.push(&format!(" AND {cond}"));
        q.bind_text(last.to_string());
        q.push(&format!(" ORDER BY {due_on}")).limit(DUE_LIMIT);
        q.push(&format!(") AS p{}", self.parts));
        self.parts += 1;
    }
}

/// A part's table alias and its due date and title columns.
#[derive(Clone, Copy)]
struct Cols<'a> {
    alias: &'a str,
    due_on: &'a str,
    title: &'a str,
}

/// Where a part's rows come from.
enum Source {
    /// `FROM … WHERE …` text (see `events_of`).
    Joined(String),
    /// `table` (with its alias) where `column` is `key`, through that column's index: a user's
    /// tasks, whoever's caseload the child is in.
    Keyed { table: &'static str, column: &'static str, key: Uuid },
    /// `table` (aliased `alias`) by the organisation or teams its rows carry.
    Carried { table: &'static str, alias: &'static str, by: Carried },
}

impl Source {
    fn push(&self, q: &mut Sql) {
        match self {
            Source::Joined(text) => {
                q.push(text);
            }
            Source::Keyed { table, column, key } => {
                q.push(&format!("{table} WHERE {column} = ")).bind_text(key.to_string());
            }
            Source::Carried { table, alias, by } => {
                q.push(&format!("{table} WHERE "));
                by.push(q, alias);
            }
        }
    }
}

/// Cases, visits and approvals carry their child's organisation (moved with it on transfer)
/// and team (copied by triggers when it changes: migration 0054), so a manager's or a
/// supervisor's due items and counts are index ranges instead of a lookup for each of
/// thousands of children.
#[derive(Clone)]
enum Carried {
    Org(Uuid),
    Teams(Vec<Uuid>),
}

impl Carried {
    /// The scope as carried keys (a caseload and the whole country are not).
    fn of(scope: &ListScope) -> Option<Carried> {
        match scope {
            ListScope::Org(org) => Some(Carried::Org(*org)),
            ListScope::Teams { teams, .. } if !teams.is_empty() => Some(Carried::Teams(teams.clone())),
            _ => None,
        }
    }

    /// `alias.org_id = …`, or `alias.team_id` in the teams.
    fn push(&self, q: &mut Sql, alias: &str) {
        match self {
            Carried::Org(org) => {
                q.push(&format!("{alias}.org_id = ")).bind_text(org.to_string());
            }
            // By team alone: team ids are unique and the policy took them from the actor's
            // organisation, and a team's own indexes are ordered by due date (with the
            // organisation as well, PostgreSQL planned a bitmap AND of the two and a sort).
            Carried::Teams(teams) => {
                if let [one] = teams.as_slice() {
                    q.push(&format!("{alias}.team_id = ")).bind_text(one.to_string());
                } else {
                    q.push(&format!("{alias}.team_id IN ("));
                    for (i, t) in teams.iter().enumerate() {
                        q.push(if i == 0 { "" } else { ", " }).bind_text(t.to_string());
                    }
                    q.push(")");
                }
            }
        }
    }
}

/// `WITH mine AS MATERIALIZED (…)`: the ids (and `columns`, from `children c`) of a scope's
/// children — a caseload with the cases shared with its worker, or a team — read once through
/// their index (`children_scope_ids` holds a team's without reading their rows) and then walked
/// by every part of the statement, each looking its events up by child. PostgreSQL otherwise
/// planned "open visits due" from its due-date index across the whole country; SQLite read the
/// scope's children once per part.
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

/// A follow-up visit still owed: not made, and its case open. A closed case keeps its missed
/// visits as its record shows them, but they are no one's work any more (the worklist, the team
/// view and the quality page say the same).
macro_rules! visit_owed {
    () => {
        "EXISTS (SELECT 1 FROM cases kv WHERE kv.child_id = f.child_id AND kv.closed_on IS NULL) AND f.done_on IS NULL AND f.due_on "
    };
}

impl Store {
    /// What the actor must do up to a week from their day (overdue included), their cases by stage
    /// and risk, and — for supervisors and managers — requests waiting for their decision; every
    /// item with its child's name (in Khmer or Latin letters) and case number.
    pub async fn worklist(&self, actor: &Actor, khmer: bool) -> Result<Worklist, StoreError> {
        let mut w = self.worklist_unnamed(actor).await?;
        let mut all: Vec<&mut DueItem> = w.due.iter_mut().chain(w.pending_approvals.iter_mut()).collect();
        self.name_due_items(&mut all, khmer).await?;
        Ok(w)
    }

    /// `worklist` without the children's names and case numbers: name the items shown with
    /// `name_due_items`.
    pub async fn worklist_unnamed(&self, actor: &Actor) -> Result<Worklist, StoreError> {
        let today = actor.today();
        let scope = list_scope(actor, Action::ListChildren);
        if scope == ListScope::Nothing {
            return Ok(Worklist::default());
        }
        let horizon = today.checked_add_days(Days::new(7)).unwrap_or(today).to_string();
        let wide = scope == ListScope::Everything;
        // A manager's organisation or a supervisor's teams: the keys their cases, visits and
        // approvals carry; a caseload: its children (`mine`), each one's events looked up.
        let carried = Carried::of(&scope);
        let start = if wide || carried.is_some() {
            Sql::new("")
        } else {
            // The scope's open cases once, for the three parts on cases (each walked the whole
            // scope: three times a thousand lookups for a supervisor, ~2 ms each on PostgreSQL).
            let mut q = with_mine(&scope, "c.id")?;
            q.push(
                ", open_cases AS MATERIALIZED (SELECT k.child_id, k.first_contact_on, k.closed_on, k.first_contact_due, \
                 k.reassessment_due, k.plan_review_due FROM mine c CROSS JOIN cases k WHERE k.child_id = c.id AND k.closed_on IS NULL) ",
            );
            q
        };
        let (visits, cases, approvals) = match &carried {
            Some(by) => (
                Source::Carried { table: "follow_up_visits f", alias: "f", by: by.clone() },
                Source::Carried { table: "cases k", alias: "k", by: by.clone() },
                Source::Carried { table: "case_approvals a", alias: "a", by: by.clone() },
            ),
            None => (
                Source::Joined(events_of("mine c", "follow_up_visits f", "f", wide)),
                Source::Joined(if wide { events_of("mine c", "cases k", "k", wide) } else { "open_cases k WHERE 1 = 1".into() }),
                Source::Joined(events_of("mine c", "case_approvals a", "a", wide)),
            ),
        };
        let mut u = Union::new(start, self.backend);
        u.due("visit", Cols { alias: "f", due_on: "f.due_on", title: "NULL" }, &visits, concat!(visit_owed!(), "<= "), &horizon);
        let parts = [
            ("first_contact", "k.first_contact_on IS NULL AND k.closed_on IS NULL AND k.first_contact_due <= ", "k.first_contact_due"),
            ("reassessment", "k.closed_on IS NULL AND k.reassessment_due <= ", "k.reassessment_due"),
            ("plan_review", "k.closed_on IS NULL AND k.plan_review_due <= ", "k.plan_review_due"),
        ];
        for (what, cond, due_on) in parts {
            u.due(what, Cols { alias: "k", due_on, title: "NULL" }, &cases, cond, &horizon);
        }
        let tasks = Source::Keyed { table: "case_tasks t", column: "t.owner_id", key: actor.user_id };
        u.due("task", Cols { alias: "t", due_on: "t.due_on", title: "t.title" }, &tasks, "t.done_on IS NULL AND t.due_on <= ", &horizon);
        if decide(actor, Action::ViewTeam, Target::Organisation(actor.org_id)).allowed() {
            let cond = "a.state = 'pending' AND a.requested_by <> ";
            u.due("approval", Cols { alias: "a", due_on: "a.requested_at", title: "a.kind" }, &approvals, cond, &actor.user_id.to_string());
        }
        let (mut due, mut pending_approvals) = (Vec::new(), Vec::new());
        let items = u.finish().query().fetch_one(&self.pool).await?.opt_text("items")?;
        for item in due_items(items.as_deref())? {
            if item.what == "approval" {
                pending_approvals.push(item);
            } else {
                due.push(item);
            }
        }
        due.sort_by(|a, b| a.due_on.cmp(&b.due_on));
        pending_approvals.sort_by(|a, b| a.due_on.cmp(&b.due_on));

        let mut q = match &carried {
            // An organisation's or a team's cases through their own index (`cases_org_stage`,
            // `cases_team_stage` hold the risk).
            Some(by) => {
                let mut q = Sql::new("SELECT k.stage, k.risk_level, COUNT(*) AS n FROM cases k WHERE ");
                by.push(&mut q, "k");
                q
            }
            None => {
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
    pub async fn team_view(&self, actor: &Actor) -> Result<Vec<TeamRow>, StoreError> {
        let today = actor.today();
        if !decide(actor, Action::ViewTeam, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let scope = list_scope(actor, Action::ListChildren);
        let today = today.to_string();
        // An organisation or a team: the keys its open cases, visits and approvals carry, each
        // row's child read for its worker. Otherwise (a supervisor without a team) her
        // caseload's children once, then each count looks their events up (see `with_mine`).
        let carried = Carried::of(&scope);
        // (kind, whose, table, alias, condition, ends with today's date, counted by the child's
        // worker rather than by a column of the table)
        let counts = [
            // Cases carry their child's worker (migration 0055): counted from their own index.
            ("open", "k.worker_id", "cases k", "k", "k.closed_on IS NULL", false, false),
            ("visits", "c.assigned_worker_id", "follow_up_visits f", "f", concat!(visit_owed!(), "< "), true, true),
            ("approvals", "a.requested_by", "case_approvals a", "a", "a.state = 'pending'", false, false),
        ];
        let mut q = if carried.is_some() { Sql::new("") } else { with_mine(&scope, "c.id, c.assigned_worker_id")? };
        // The workers' names one lookup each: as a join, PostgreSQL hashed all 10,000 users of the
        // nation to name a team's eight (6 of a supervisor team view's 13 ms).
        q.push("SELECT x.what, x.w, x.n, (SELECT u.display_name FROM users u WHERE u.id = x.w) AS display_name FROM (");
        for (i, (what, worker, table, alias, cond, dated, by_child)) in counts.into_iter().enumerate() {
            q.push(if i == 0 { "" } else { " UNION ALL " });
            q.push(&format!("SELECT '{what}' AS what, {worker} AS w, COUNT(*) AS n FROM "));
            match &carried {
                Some(by) if by_child => {
                    q.push(&format!("{table} CROSS JOIN children c WHERE "));
                    by.push(&mut q, alias);
                    q.push(&format!(" AND c.id = {alias}.child_id"));
                }
                Some(by) => {
                    q.push(&format!("{table} WHERE "));
                    by.push(&mut q, alias);
                }
                None => {
                    q.push(&events_of("mine c", table, alias, false));
                }
            }
            q.push(&format!(" AND {cond}"));
            if dated {
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
        q.push(" GROUP BY t.owner_id) AS x");
        // Many small index ranges: PostgreSQL planned a parallel worker for the overdue visits,
        // whose start cost 5 ms for 0.6 ms of work.
        let found = self.fetch_all_serial(&q).await?;
        let mut rows: BTreeMap<Uuid, TeamRow> = BTreeMap::new();
        for r in found {
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

/// The items of `Union`'s JSON text (arrays in `ITEM`'s order), not named yet.
fn due_items(items: Option<&str>) -> Result<Vec<DueItem>, StoreError> {
    let Some(items) = items else { return Ok(Vec::new()) };
    let rows: Vec<[Option<String>; 4]> = serde_json::from_str(items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    rows.into_iter()
        .map(|[what, child, due_on, title]| {
            let child_id = child
                .as_deref()
                .and_then(|c| Uuid::parse_str(c).ok())
                .ok_or_else(|| StoreError::Corrupt("due item without a child".into()))?;
            Ok(DueItem {
                child_id,
                case_number: String::new(),
                child_name: String::new(),
                what: what.unwrap_or_default(),
                title,
                due_on: due_on.unwrap_or_default(),
            })
        })
        .collect()
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
