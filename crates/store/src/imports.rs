//! Workbook imports on the database's side: what the dry run needs to know (the organisation's
//! users, every username, the IDs earlier imports brought in, the gazetteer), the check of each
//! new child against the children already registered (the duplicate engine of registration),
//! and writing a checked plan — all of it in one transaction, audited, or nothing.

use crate::audit::{self, Entry};
use crate::bulk::Placed;
use crate::bulk_cases::{BulkCase, BulkEntry};
use crate::bulk_rows::{insert_rows, opt_text, text};
use crate::cases::Case;
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::sql::Value;
use krousar_domain::case::stage::Stage;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use krousar_import::check::{Worker, KIND_CHILD, KIND_HOUSEHOLD, KIND_STAFF};
use krousar_import::places::{PlaceEntry, Places};
use krousar_import::report::{At, Problems, Severity};
use krousar_import::{KnownUser, Plan, Report};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Children looked up at once among those already registered.
const DUPLICATE_LOOKUPS: usize = 8;
/// Children written per statement (and per progress step).
const CHUNK: usize = 5_000;
/// An account made by an import has no password until an administrator sets one: no hash
/// parses as this, so no sign-in can succeed.
pub const NO_PASSWORD: &str = "!imported";

/// What the database knows that a dry run needs.
pub struct Known {
    pub users: Vec<KnownUser>,
    pub usernames: HashSet<String>,
    pub imported: HashSet<(String, String)>,
    pub places: Places,
}

/// Imports, import jobs and the organisation's archive: its administrators only.
pub(crate) fn allowed(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::ImportRecords, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

/// How far a long step has come: (done, total). Shared with the thread that checks rows.
pub type Progress = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

impl Store {
    /// The dry run, as the CLI and the pages make it: read the workbook, check every row (on a
    /// blocking thread: it is all computation), and, if asked, look for each new child among
    /// the children already registered. A workbook that cannot be read is an invalid `file`
    /// with the reason's message key.
    pub async fn check_workbook(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: std::sync::Arc<Vec<u8>>,
        accept_fixes: bool,
        duplicates: bool,
        progress: Progress,
    ) -> Result<(Plan, Report), StoreError> {
        let started = std::time::Instant::now();
        let known = self.import_known(actor).await?;
        let today = krousar_domain::today();
        let (name, tick) = (file_name.to_string(), progress.clone());
        let checked = tokio::task::spawn_blocking(move || {
            let workbook = krousar_import::read(&name, &bytes).map_err(|e| StoreError::invalid("file", e.key()))?;
            let ctx = krousar_import::Context {
                today,
                places: &known.places,
                users: &known.users,
                usernames: &known.usernames,
                imported: &known.imported,
                accept_fixes,
            };
            Ok::<_, StoreError>(krousar_import::check(&name, &bytes, &workbook, &ctx, &mut |d, t| tick(d, t)))
        })
        .await
        .map_err(|e| StoreError::Config(e.to_string()))?;
        let (plan, mut report) = checked?;
        let checked_in = started.elapsed();
        if duplicates {
            self.import_duplicates(actor, &plan, &mut report, &mut |d, t| progress(d, t)).await?;
        }
        tracing::info!(
            file = file_name,
            rows = report.rows_read,
            checked_ms = checked_in.as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "workbook checked"
        );
        Ok((plan, report))
    }

    pub async fn import_known(&self, actor: &Actor) -> Result<Known, StoreError> {
        allowed(actor)?;
        let org = actor.org_id.to_string();
        let keys =
            sqlx::query("SELECT kind, external_id, record_id FROM import_keys WHERE org_id = $1").bind(&org).fetch_all(&self.pool).await?;
        let mut imported = HashSet::with_capacity(keys.len());
        let mut staff_ids: HashMap<String, String> = HashMap::new();
        for r in &keys {
            let (kind, ext) = (r.text("kind")?, r.text("external_id")?);
            if kind == KIND_STAFF {
                staff_ids.insert(r.text("record_id")?, ext.clone());
            }
            imported.insert((kind, ext));
        }
        let rows = sqlx::query("SELECT id, username, display_name FROM users WHERE org_id = $1").bind(&org).fetch_all(&self.pool).await?;
        let users = rows
            .iter()
            .map(|r| {
                let id = r.text("id")?;
                Ok(KnownUser {
                    id: Uuid::parse_str(&id).map_err(|_| StoreError::Corrupt("user id".into()))?,
                    username: r.text("username")?,
                    display_name: r.text("display_name")?,
                    external_id: staff_ids.get(&id).cloned(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let usernames = sqlx::query_scalar::<_, String>("SELECT username FROM users").fetch_all(&self.pool).await?.into_iter().collect();
        let snapshot = self.places().await?;
        // Places in use (not retired): those listed under a parent.
        let entries = snapshot
            .children
            .values()
            .flatten()
            .filter_map(|code| snapshot.by_code.get(code))
            .map(|l| PlaceEntry { code: l.code.clone(), name_km: l.name_km.clone(), name_latin: l.name_latin.clone() })
            .collect();
        Ok(Known { users, usernames, imported, places: Places::with_index(entries, snapshot.index.clone()) })
    }

    /// Add to the report each new child who may already be registered (in this organisation:
    /// which record; elsewhere: only that another organisation knows the child). Audited, as
    /// the duplicate check at registration is: it can reveal that a child is known elsewhere.
    pub async fn import_duplicates(
        &self,
        actor: &Actor,
        plan: &Plan,
        report: &mut Report,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<(), StoreError> {
        allowed(actor)?;
        let mut problems = Problems::default();
        let mut elsewhere = 0;
        // Several children at a time, over the pool's connections: each look-up is a few small
        // queries, and waiting for each in turn cost more than running them.
        let mut best = Vec::with_capacity(plan.children.len());
        for (n, chunk) in plan.children.chunks(DUPLICATE_LOOKUPS).enumerate() {
            if n % (500 / DUPLICATE_LOOKUPS) == 0 {
                progress(n * DUPLICATE_LOOKUPS, plan.children.len());
            }
            let found = futures_util::future::try_join_all(chunk.iter().map(|c| self.candidates(&c.fields, None, actor.org_id))).await?;
            best.extend(chunk.iter().zip(found.into_iter().map(|f| f.into_iter().next())));
        }
        for (child, found) in best {
            let Some((score, found)) = found else { continue };
            let what = if found.org_id == actor.org_id {
                sqlx::query("SELECT case_number FROM children WHERE id = $1")
                    .bind(found.id.to_string())
                    .fetch_one(&self.pool)
                    .await?
                    .text("case_number")?
            } else {
                elsewhere += 1;
                String::new()
            };
            let at = At { sheet: child.sheet.clone(), row: child.row, column: String::new() };
            let key = if what.is_empty() { "imp-duplicate-elsewhere" } else { "imp-duplicate-existing" };
            // Another organisation's match carries no score (issue 19).
            let score = if what.is_empty() { String::new() } else { format!("{:.0}", score.score * 100.0) };
            problems
                .push(
                    Severity::Warning,
                    &at,
                    child.fields.given_name_latin.clone().or(child.fields.given_name_km.clone()).unwrap_or_default(),
                    key,
                )
                .arg("record", what)
                .arg("score", score);
        }
        progress(plan.children.len(), plan.children.len());
        let found = problems.list.len();
        report.problems.extend(problems.list);
        report.sort();
        let detail =
            json!({"file": report.file_name, "children": plan.children.len(), "possible_duplicates": found, "other_orgs": elsewhere});
        self.audit_read(actor.into(), Entry { action: "import.check", record_type: "import", record_id: None, detail }).await?;
        Ok(())
    }

    /// Write a checked plan in one transaction: accounts, households, children with their
    /// workers, households and cases, the import keys that make a second run create nothing,
    /// and one audit entry for the file. Returns the import's id.
    pub async fn import_plan(
        &self,
        actor: &Actor,
        plan: &Plan,
        report: &Report,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        // Each account the file makes is one the importer may make by hand: the policy's
        // `ManageUsers` on that role, not only the importer's reading of role names.
        let account = |role| Target::Account(krousar_domain::policy::Account { org_id: actor.org_id, role });
        if plan.staff.iter().any(|s| !decide(actor, Action::ManageUsers, account(s.role)).allowed()) {
            return Err(StoreError::Forbidden);
        }
        let (org, now, import_id) = (actor.org_id.to_string(), now_text(), new_id());
        let total = plan.staff.len() + plan.households.len() + plan.children.len();
        let mut load = self.bulk_load().await?;
        sqlx::query(
            "INSERT INTO imports (id, org_id, user_id, file_name, file_sha256, layout, counts, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(import_id.to_string())
        .bind(&org)
        .bind(actor.user_id.to_string())
        .bind(&report.file_name)
        .bind(&report.file_sha256)
        .bind(&report.layout)
        .bind(serde_json::to_string(&report.counts).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(&now)
        .execute(&mut *load.tx)
        .await?;
        let mut keys: Vec<Vec<Value>> = Vec::new();
        let mut key = |kind: &str, ext: &str, id: Uuid, extra: &serde_json::Map<String, serde_json::Value>| {
            let extra = (!extra.is_empty()).then(|| serde_json::Value::Object(extra.clone()).to_string());
            keys.push(vec![
                text(org.clone()),
                text(kind.to_string()),
                text(ext.to_string()),
                text(id.to_string()),
                text(import_id.to_string()),
                opt_text(extra),
            ]);
        };

        // Accounts, without a password.
        let mut staff: HashMap<&str, Uuid> = HashMap::new();
        let rows: Vec<Vec<Value>> = plan
            .staff
            .iter()
            .map(|s| {
                let id = new_id();
                staff.insert(&s.external_id, id);
                key(KIND_STAFF, &s.external_id, id, &s.extra);
                vec![
                    text(id.to_string()),
                    text(org.clone()),
                    text(s.username.clone()),
                    text(s.display_name.clone()),
                    text(s.role.as_str().to_string()),
                    text(NO_PASSWORD.to_string()),
                    text("km".to_string()),
                    text(now.clone()),
                ]
            })
            .collect();
        let columns = ["id", "org_id", "username", "display_name", "role", "password_hash", "locale", "created_at"];
        insert_rows(&mut load.tx, load.backend, "users", &columns, &rows).await.map_err(|e| e.unique_as("username"))?;
        progress(plan.staff.len(), total);

        // Households.
        let placed: Vec<_> = plan.households.iter().map(|h| (&h.fields, h.area_code.as_deref())).collect();
        let ids = load.households_placed(actor, &placed).await?;
        let mut households: HashMap<String, Uuid> = HashMap::new();
        for (h, id) in plan.households.iter().zip(ids) {
            households.insert(h.external_id.clone(), id);
            key(KIND_HOUSEHOLD, &h.external_id, id, &h.extra);
        }
        // Households of earlier imports that children of this file name.
        for ext in
            plan.children.iter().filter_map(|c| c.household.as_ref()).filter(|e| !households.contains_key(*e)).collect::<HashSet<_>>()
        {
            let r = sqlx::query("SELECT record_id FROM import_keys WHERE org_id = $1 AND kind = $2 AND external_id = $3")
                .bind(&org)
                .bind(KIND_HOUSEHOLD)
                .bind(ext)
                .fetch_optional(&mut *load.tx)
                .await?;
            if let Some(r) = r {
                households.insert(ext.clone(), r.uuid("record_id")?);
            }
        }
        let mut done = plan.staff.len() + plan.households.len();
        progress(done, total);

        // Children, their households and cases, a chunk at a time.
        let teams: HashMap<Uuid, Option<Uuid>> = sqlx::query("SELECT id, team_id FROM users WHERE org_id = $1")
            .bind(&org)
            .fetch_all(&mut *load.tx)
            .await?
            .iter()
            .map(|r| Ok((r.uuid("id")?, r.opt_uuid("team_id")?)))
            .collect::<Result<_, StoreError>>()?;
        for chunk in plan.children.chunks(CHUNK) {
            let placed: Vec<Placed> = chunk
                .iter()
                .map(|c| Placed {
                    fields: &c.fields,
                    worker: match &c.worker {
                        Worker::Nobody => None,
                        Worker::Existing(id) => Some((*id, teams.get(id).copied().flatten())),
                        Worker::Imported(ext) => staff.get(ext.as_str()).map(|id| (*id, None)),
                    },
                    area_code: c.area_code.as_deref(),
                })
                .collect();
            let ids = load.children_placed(actor, &placed).await?;
            let mut links = Vec::new();
            let mut cases = Vec::new();
            for (c, id) in chunk.iter().zip(&ids) {
                key(KIND_CHILD, &c.external_id, *id, &c.extra);
                if let Some(h) = c.household.as_ref().and_then(|e| households.get(e)) {
                    links.push(vec![text(h.to_string()), text(id.to_string())]);
                }
                if let Some(intake) = &c.case {
                    cases.push(imported_case(actor, *id, intake));
                }
            }
            insert_rows(&mut load.tx, load.backend, "household_children", &["household_id", "child_id"], &links).await?;
            load.cases(actor, &cases).await?;
            done += chunk.len();
            progress(done, total);
        }
        let columns = ["org_id", "kind", "external_id", "record_id", "import_id", "extra"];
        for rows in keys.chunks(CHUNK) {
            insert_rows(&mut load.tx, load.backend, "import_keys", &columns, rows).await.map_err(|e| e.unique_as("external_id"))?;
        }
        // The accounts are named: they are written in bulk, without `user.create` entries of their own.
        let accounts: Vec<&str> = plan.staff.iter().map(|s| s.username.as_str()).collect();
        let detail = json!({"file": report.file_name, "sha256": report.file_sha256, "layout": report.layout, "counts": report.counts, "accounts": accounts});
        audit::append(
            &mut load.tx,
            actor.into(),
            Entry { action: "import.apply", record_type: "import", record_id: Some(import_id.to_string()), detail },
        )
        .await?;
        load.commit().await?;
        tracing::info!(import = %import_id, records = total, "workbook imported");
        Ok(import_id)
    }
}

/// The case an imported row opens: its intake, as the intake form would have recorded it.
fn imported_case(actor: &Actor, child: Uuid, intake: &krousar_domain::case::entries::Intake) -> BulkCase {
    let case = Case {
        child_id: child,
        org_id: actor.org_id,
        route: intake.route,
        referral_source: intake.referral_source,
        opened_on: intake.opened_on,
        summary: intake.summary.clone(),
        immediate_safety: intake.immediate_safety.clone(),
        stage: Stage::Identified,
        risk_level: None,
        first_contact_due: None,
        first_contact_on: None,
        supervisor_id: None,
        placement_id: None,
        placement_kind: None,
        placement_started_on: None,
        follow_up_until: None,
        reassessment_due: None,
        plan_review_due: None,
        closed_on: None,
        closure_reason: None,
        facts: Default::default(),
        version: 1,
        updated_at: String::new(),
    };
    let entry = BulkEntry {
        id: new_id(),
        on: intake.opened_on,
        entry: krousar_domain::case::CaseEntry::Intake(intake.clone()),
        author: actor.user_id,
    };
    BulkCase {
        case,
        opened_by: actor.user_id,
        placement_household: None,
        entries: vec![entry],
        approvals: Vec::new(),
        tasks: Vec::new(),
        visits: Vec::new(),
    }
}
