//! Imports started from the pages: the uploaded workbook kept in the files directory, a job
//! that records which step it is at (check, then import), how far it has come and how it
//! ended, and the report. Only the administrator who uploaded may see it. A job whose server
//! stopped (no heartbeat for ten minutes: one transaction may take a while) is reported as
//! interrupted; an import is one transaction, so an interrupted one wrote nothing.

use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::export_jobs::live_state;
use crate::imports::allowed;
use crate::stored_files::FileName;
use krousar_domain::{new_id, Actor};
use krousar_import::Report;
use uuid::Uuid;

const STALE_SECONDS: i64 = 600;
/// A checked workbook waits this long to be imported; then its upload is removed.
const KEEP_HOURS: i64 = 24;

#[derive(Debug, Clone)]
pub struct ImportJob {
    pub id: Uuid,
    pub file_name: String,
    /// "check" or "apply".
    pub phase: String,
    /// running, done, failed or interrupted.
    pub state: String,
    pub accept_fixes: bool,
    pub total: i64,
    pub done: i64,
    pub report: Option<Report>,
    pub import_id: Option<Uuid>,
    pub error: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "id, file_name, phase, state, accept_fixes, total, done, report, import_id, error, created_at, heartbeat";

fn job(r: &sqlx::any::AnyRow) -> Result<ImportJob, StoreError> {
    let report = match r.opt_text("report")? {
        Some(t) => Some(serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string()))?),
        None => None,
    };
    Ok(ImportJob {
        id: r.uuid("id")?,
        file_name: r.text("file_name")?,
        phase: r.text("phase")?,
        state: live_state(r, STALE_SECONDS)?,
        accept_fixes: r.int("accept_fixes")? != 0,
        total: r.int("total")?,
        done: r.int("done")?,
        report,
        import_id: r.opt_uuid("import_id")?,
        error: r.opt_text("error")?,
        created_at: r.text("created_at")?,
    })
}

impl Store {
    /// Keep an uploaded workbook and start checking it.
    pub async fn start_import_job(&self, actor: &Actor, file_name: &str, bytes: Vec<u8>) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        let id = new_id();
        self.put_file(FileName::Import(id), &bytes).await?;
        let name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
        let now = now_text();
        sqlx::query(
            "INSERT INTO import_jobs (id, org_id, user_id, file_name, phase, state, created_at, heartbeat) VALUES ($1, $2, $3, $4, 'check', 'running', $5, $5)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(actor.user_id.to_string())
        .bind(name)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The uploaded workbook of one of the user's jobs.
    pub async fn import_upload(&self, actor: &Actor, id: Uuid) -> Result<Vec<u8>, StoreError> {
        self.import_job(actor, id).await?;
        self.get_file(FileName::Import(id)).await?.ok_or(StoreError::NotFound)
    }

    pub async fn import_progress(&self, id: Uuid, done: i64, total: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE import_jobs SET done = $1, total = $2, heartbeat = $3 WHERE id = $4 AND state = 'running'")
            .bind(done)
            .bind(total)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The check is done: its report, kept for the page and for the import.
    pub async fn finish_import_check(&self, id: Uuid, report: &Report) -> Result<(), StoreError> {
        let text = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE import_jobs SET state = 'done', report = $1, done = total, finished_at = $2, heartbeat = $2 WHERE id = $3")
            .bind(text)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        crate::notifications::tell_job_ended(self, "import_jobs", id, format!("/admin/import/{id}")).await;
        Ok(())
    }

    /// Start importing a checked workbook: only once, only after a check that finished.
    pub async fn start_import_apply(&self, actor: &Actor, id: Uuid, accept_fixes: bool) -> Result<(), StoreError> {
        allowed(actor)?;
        let j = self.import_job(actor, id).await?;
        let importable = j.report.as_ref().is_some_and(|r| r.importable(accept_fixes));
        if j.phase != "check" || j.state != "done" || !importable {
            return Err(StoreError::invalid("file", "err-import-not-ready"));
        }
        if !self.has_file(FileName::Import(id)).await? {
            return Err(StoreError::invalid("file", "err-import-expired"));
        }
        let n = sqlx::query(
            "UPDATE import_jobs SET phase = 'apply', state = 'running', accept_fixes = $1, done = 0, heartbeat = $2, finished_at = NULL \
             WHERE id = $3 AND phase = 'check' AND state = 'done'",
        )
        .bind(i64::from(accept_fixes))
        .bind(now_text())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::invalid("file", "err-import-not-ready"));
        }
        Ok(())
    }

    /// The import is written: its id and the report of the final check. The upload goes.
    pub async fn finish_import_apply(&self, id: Uuid, import_id: Uuid, report: &Report) -> Result<(), StoreError> {
        let text = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE import_jobs SET state = 'done', import_id = $1, report = $2, done = total, finished_at = $3, heartbeat = $3 WHERE id = $4",
        )
        .bind(import_id.to_string())
        .bind(text)
        .bind(now_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        crate::notifications::tell_job_ended(self, "import_jobs", id, format!("/admin/import/{id}")).await;
        self.forget_file(FileName::Import(id)).await;
        Ok(())
    }

    pub async fn fail_import_job(&self, id: Uuid, error: &str) -> Result<(), StoreError> {
        crate::export_jobs::fail_job(self, "import_jobs", id, error).await
    }

    /// One of the user's own jobs (another's is not found).
    pub async fn import_job(&self, actor: &Actor, id: Uuid) -> Result<ImportJob, StoreError> {
        allowed(actor)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM import_jobs WHERE id = $1 AND user_id = $2")))
            .bind(id.to_string())
            .bind(actor.user_id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        job(&row)
    }

    /// The user's latest jobs, newest first. Uploads a day old that were never imported are
    /// removed on the way (a workbook holds children's names; it is not kept for nothing).
    pub async fn import_jobs(&self, actor: &Actor) -> Result<Vec<ImportJob>, StoreError> {
        allowed(actor)?;
        sweep_imports(self, Some(actor.user_id)).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM import_jobs WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20"
        )))
        .bind(actor.user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job).collect()
    }
}

/// Uploads a day old that are not being imported (of `user`, or of everyone): their files go.
pub(crate) async fn sweep_imports(store: &Store, user: Option<Uuid>) -> Result<(), StoreError> {
    let cutoff = crate::db::time_text(chrono::Utc::now() - chrono::Duration::hours(KEEP_HOURS));
    let mut q = crate::sql::Sql::new("SELECT id FROM import_jobs WHERE state <> 'running' AND created_at < ");
    q.bind_text(cutoff);
    if let Some(u) = user {
        q.push(" AND user_id = ").bind_text(u.to_string());
    }
    for r in q.query().fetch_all(&store.pool).await? {
        store.forget_file(FileName::Import(r.uuid("id")?)).await;
    }
    Ok(())
}
