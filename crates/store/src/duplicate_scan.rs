//! Scanning a whole organisation for children registered twice, as a job kept in the database:
//! a supervisor or manager starts it, any app server runs it (claiming it by its heartbeat, so
//! two never run one scan and a scan left by a stopped server is carried on), in batches that
//! each commit their progress with the pairs they found. Pairs inside the organisation are shown
//! to those who may open both children; a match in another organisation is shown only as "known
//! at X", like the duplicate check at registration.

use crate::audit::{self, Entry};
use crate::children::{child_from, Child, COLUMNS};
use crate::db::{now_text, RowExt, Store};
use crate::duplicates::Found;
use crate::error::StoreError;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use krousar_match::person::Comparison;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Children checked per transaction.
const BATCH: i64 = 100;
/// A running scan whose heartbeat is older than this is taken over by another runner.
const STALE_SECONDS: i64 = 120;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scan {
    pub id: Uuid,
    pub state: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub started_by: String,
    pub total: i64,
    pub checked: i64,
}

/// One result as a viewer may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScanPair {
    pub child: Child,
    /// The other record, in the same organisation (when the viewer may open it).
    pub other: Option<Child>,
    /// Or the other organisation where a possible match is known.
    pub other_org: Option<String>,
    pub score: f64,
}

fn cutoff() -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(STALE_SECONDS)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn scan_from(r: &sqlx::any::AnyRow) -> Result<Scan, StoreError> {
    Ok(Scan {
        id: r.uuid("id")?,
        state: r.text("state")?,
        started_at: r.text("started_at")?,
        finished_at: r.opt_text("finished_at")?,
        started_by: r.opt_text("display_name")?.unwrap_or_default(),
        total: r.int("total")?,
        checked: r.int("checked")?,
    })
}

impl Store {
    /// Start a scan of the actor's organisation (one at a time). Returns its id; the caller
    /// hands it to `run_duplicate_scan` (or leaves it to `resume_duplicate_scans`).
    pub async fn start_duplicate_scan(&self, actor: &Actor) -> Result<Uuid, StoreError> {
        if !decide(actor, Action::ScanDuplicates, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        let org = actor.org_id.to_string();
        let running = sqlx::query("SELECT id FROM duplicate_scans WHERE org_id = $1 AND state = 'running'")
            .bind(&org)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(r) = running {
            return r.uuid("id");
        }
        let total = sqlx::query("SELECT COUNT(*) AS n FROM children WHERE org_id = $1 AND merged_into IS NULL")
            .bind(&org)
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        let id = new_id();
        let now = now_text();
        sqlx::query(
            "INSERT INTO duplicate_scans (id, org_id, started_by, started_at, state, total, heartbeat) VALUES ($1, $2, $3, $4, 'running', $5, $6)",
        )
        .bind(id.to_string())
        .bind(&org)
        .bind(actor.user_id.to_string())
        .bind(&now)
        .bind(total)
        .bind("1970-01-01T00:00:00Z")
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "duplicates.scan_started",
                record_type: "duplicate_scan",
                record_id: Some(id.to_string()),
                detail: json!({"children": total}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Take the scan if nobody is running it (its heartbeat is stale).
    async fn claim(&self, id: Uuid) -> Result<bool, StoreError> {
        let n = sqlx::query("UPDATE duplicate_scans SET heartbeat = $1 WHERE id = $2 AND state = 'running' AND heartbeat < $3")
            .bind(now_text())
            .bind(id.to_string())
            .bind(cutoff())
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Run a scan to its end from where it stopped, unless another runner holds it.
    pub async fn run_duplicate_scan(&self, id: Uuid) -> Result<(), StoreError> {
        if !self.claim(id).await? {
            return Ok(());
        }
        let result = self.scan_batches(id).await;
        if let Err(e) = &result {
            sqlx::query("UPDATE duplicate_scans SET state = 'failed', error = $1, finished_at = $2 WHERE id = $3")
                .bind(e.to_string())
                .bind(now_text())
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
        }
        result
    }

    async fn scan_batches(&self, id: Uuid) -> Result<(), StoreError> {
        let row =
            sqlx::query("SELECT org_id, last_seq FROM duplicate_scans WHERE id = $1").bind(id.to_string()).fetch_one(&self.pool).await?;
        let org = row.uuid("org_id")?;
        let mut last = row.int("last_seq")?;
        loop {
            let sql = format!(
                "SELECT {COLUMNS} FROM children c LEFT JOIN users u ON u.id = c.assigned_worker_id LEFT JOIN users u2 ON u2.id = c.co_worker_id \
                 WHERE c.org_id = $1 AND c.merged_into IS NULL AND c.seq > $2 ORDER BY c.seq LIMIT {BATCH}"
            );
            let batch: Vec<Child> = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(last)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(child_from)
                .collect::<Result<_, _>>()?;
            // Searches on two tasks, so that a small server's two cores both work.
            let half = batch.len().div_ceil(2);
            let second: Vec<Child> = batch[half..].to_vec();
            let store = self.clone();
            let other_half = tokio::spawn(async move { store.candidates_of(second).await });
            let mut found = self.candidates_of(batch[..half].to_vec()).await?;
            found.extend(other_half.await.map_err(|e| StoreError::Config(e.to_string()))??);
            let mut pairs = Vec::new();
            for (c, found) in found {
                for (cmp, other) in found {
                    let score = (cmp.score * 100.0).round() as i64;
                    if other.org_id == org {
                        let (a, b) = if c.id < other.id { (c.id, other.id) } else { (other.id, c.id) };
                        pairs.push((a, b, score, None));
                    } else {
                        pairs.push((c.id, other.id, score, Some(other.org_id)));
                    }
                }
            }
            let mut tx = self.write().await?;
            for (a, b, score, other_org) in &pairs {
                sqlx::query(
                    "INSERT INTO duplicate_scan_pairs (scan_id, child_a, child_b, score_percent, other_org) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (scan_id, child_a, child_b) DO NOTHING",
                )
                .bind(id.to_string())
                .bind(a.to_string())
                .bind(b.to_string())
                .bind(*score)
                .bind(other_org.map(|o| o.to_string()))
                .execute(&mut *tx)
                .await?;
            }
            let done = batch.len() < BATCH as usize;
            last = batch.last().map(|c| c.seq).unwrap_or(last);
            sqlx::query(
                "UPDATE duplicate_scans SET checked = checked + $1, last_seq = $2, heartbeat = $3, state = $4, finished_at = $5 WHERE id = $6",
            )
            .bind(batch.len() as i64)
            .bind(last)
            .bind(now_text())
            .bind(if done { "done" } else { "running" })
            .bind(done.then(now_text))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
            if done {
                let found = sqlx::query("SELECT COUNT(*) AS n FROM duplicate_scan_pairs WHERE scan_id = $1")
                    .bind(id.to_string())
                    .fetch_one(&mut *tx)
                    .await?
                    .int("n")?;
                audit::append(
                    &mut tx,
                    crate::Who::system(),
                    Entry {
                        action: "duplicates.scan_finished",
                        record_type: "duplicate_scan",
                        record_id: Some(id.to_string()),
                        detail: json!({"pairs": found}),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            if done {
                return Ok(());
            }
        }
    }

    async fn candidates_of(&self, children: Vec<Child>) -> Result<Vec<(Child, Vec<(Comparison, Found)>)>, StoreError> {
        let mut out = Vec::with_capacity(children.len());
        for c in children {
            let found = self.candidates(&c.fields, Some(c.id), c.org_id).await?;
            out.push((c, found));
        }
        Ok(out)
    }

    /// Carry on with scans whose runner stopped (a restarted or another server calls this).
    pub async fn resume_duplicate_scans(&self) -> Result<(), StoreError> {
        let rows = sqlx::query("SELECT id FROM duplicate_scans WHERE state = 'running' AND heartbeat < $1")
            .bind(cutoff())
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            self.run_duplicate_scan(r.uuid("id")?).await?;
        }
        Ok(())
    }

    /// The latest scan of the actor's organisation and what it found that the actor may see:
    /// pairs already merged or marked different are left out.
    pub async fn latest_duplicate_scan(&self, actor: &Actor, limit: i64) -> Result<Option<(Scan, Vec<ScanPair>)>, StoreError> {
        if !decide(actor, Action::ScanDuplicates, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let row = sqlx::query(
            "SELECT s.*, u.display_name FROM duplicate_scans s LEFT JOIN users u ON u.id = s.started_by \
             WHERE s.org_id = $1 ORDER BY s.started_at DESC LIMIT 1",
        )
        .bind(actor.org_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let scan = scan_from(&row)?;
        let rows = sqlx::query(
            "SELECT p.child_a, p.child_b, p.score_percent, p.other_org FROM duplicate_scan_pairs p \
             WHERE p.scan_id = $1 AND NOT EXISTS (SELECT 1 FROM duplicate_decisions d WHERE d.child_a = p.child_a AND d.child_b = p.child_b) \
             AND NOT EXISTS (SELECT 1 FROM duplicate_decisions d WHERE d.child_a = p.child_b AND d.child_b = p.child_a) \
             ORDER BY p.score_percent DESC, p.child_a LIMIT $2",
        )
        .bind(scan.id.to_string())
        .bind(limit * 4)
        .fetch_all(&self.pool)
        .await?;
        let orgs: HashMap<Uuid, String> = self.list_orgs().await?.into_iter().map(|o| (o.id, o.name)).collect();
        let mut out = Vec::new();
        let mut tx = self.write().await?;
        for r in rows {
            let child = crate::children::load(&mut tx, r.uuid("child_a")?).await?;
            let other = crate::children::load(&mut tx, r.uuid("child_b")?).await?;
            let sees = |c: &Child| c.merged_into.is_none() && decide(actor, Action::ViewChild, Target::Record(&c.owner(actor))).allowed();
            let other_org = r.opt_uuid("other_org")?;
            if !sees(&child) || (other_org.is_none() && !sees(&other)) || (other_org.is_some() && other.merged_into.is_some()) {
                continue;
            }
            out.push(ScanPair {
                child,
                other: other_org.is_none().then_some(other),
                other_org: other_org.map(|o| orgs.get(&o).cloned().unwrap_or_default()),
                score: r.int("score_percent")? as f64 / 100.0,
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "duplicates.scan_viewed",
                record_type: "duplicate_scan",
                record_id: Some(scan.id.to_string()),
                detail: json!({"shown": out.len()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some((scan, out)))
    }
}
