//! Large exports prepared in the background: a job records who asked, how far it has come and
//! how it ended, so that any app server can show its progress. The file is made in memory and
//! stored with the job's end (`stored_files`): it is there complete, or not at all. Only the person
//! who asked may fetch it; files are removed a day later. A job whose server stopped (no
//! heartbeat for two minutes) is reported as interrupted, never as finished.

use crate::audit::{self, Entry};
use crate::db::{now_text, time_text, RowExt, Store};
use crate::error::StoreError;
use crate::stored_files::FileName;
use krousar_domain::Actor;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// The format of a job that makes an organisation's archive.
pub const ARCHIVE: &str = "archive";
/// Exports are kept this long after they finish.
const KEEP_HOURS: i64 = 24;
/// A running job not heard from for this long has stopped.
const STALE_SECONDS: i64 = 120;

#[derive(Debug, Clone, Serialize)]
pub struct ExportJob {
    pub id: Uuid,
    pub format: String,
    /// running, done, failed or interrupted.
    pub state: String,
    pub total: i64,
    pub done: i64,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

const COLUMNS: &str = "id, format, state, total, done, error, created_at, finished_at, heartbeat";

/// A job's state as it stands: a running job whose server has not been heard from for
/// `stale_seconds` stopped with that server (background exports and imports alike).
pub(crate) fn live_state(r: &sqlx::any::AnyRow, stale_seconds: i64) -> Result<String, StoreError> {
    let state = r.text("state")?;
    let stale = time_text(chrono::Utc::now() - chrono::Duration::seconds(stale_seconds));
    Ok(if state == "running" && r.text("heartbeat")? < stale { "interrupted".into() } else { state })
}

/// Mark a background job failed with the start of its error (exports and imports alike).
/// Whoever started it is told.
pub(crate) async fn fail_job(store: &Store, table: &'static str, id: Uuid, error: &str) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET state = 'failed', error = $1, finished_at = $2 WHERE id = $3")))
        .bind(error.chars().take(200).collect::<String>())
        .bind(now_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let link = if table == "export_jobs" { format!("/exports/{id}") } else { format!("/admin/import/{id}") };
    crate::notifications::tell_job_ended(store, table, id, link).await;
    Ok(())
}

fn job(r: &sqlx::any::AnyRow) -> Result<ExportJob, StoreError> {
    let state = live_state(r, STALE_SECONDS)?;
    Ok(ExportJob {
        id: r.uuid("id")?,
        format: r.text("format")?,
        state,
        total: r.int("total")?,
        done: r.int("done")?,
        error: r.opt_text("error")?,
        created_at: r.text("created_at")?,
        finished_at: r.opt_text("finished_at")?,
    })
}

impl Store {
    pub async fn start_export_job(&self, actor: &Actor, format: &str, total: i64) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let now = now_text();
        sqlx::query(
            "INSERT INTO export_jobs (id, org_id, user_id, format, state, total, done, created_at, heartbeat) VALUES ($1, $2, $3, $4, 'running', $5, 0, $6, $7)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(actor.user_id.to_string())
        .bind(format.to_string())
        .bind(total)
        .bind(now.clone())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn export_progress(&self, id: Uuid, done: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE export_jobs SET done = $1, heartbeat = $2 WHERE id = $3 AND state = 'running'")
            .bind(done)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Write the finished file and mark the job done, audited (as `action`) like any export.
    pub async fn finish_export_job(
        &self,
        actor: &Actor,
        id: Uuid,
        bytes: Vec<u8>,
        rows: i64,
        what: serde_json::Value,
        action: Option<&'static str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        self.put_file_in(&mut tx, FileName::Export(id), &bytes).await?;
        sqlx::query("UPDATE export_jobs SET state = 'done', done = $1, total = $1, finished_at = $2, heartbeat = $2 WHERE id = $3")
            .bind(rows)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        // An archive audited itself as it was made; a list export is audited here.
        if let Some(action) = action {
            let detail = json!({"rows": rows, "export": what, "job": id, "background": true});
            audit::append(&mut tx, actor.into(), Entry { action, record_type: "child", record_id: None, detail }).await?;
        }
        tx.commit().await?;
        crate::notifications::tell_job_ended(self, "export_jobs", id, format!("/exports/{id}")).await;
        Ok(())
    }

    pub async fn fail_export_job(&self, id: Uuid, error: &str) -> Result<(), StoreError> {
        fail_job(self, "export_jobs", id, error).await
    }

    /// One of the user's own jobs (another's is not found).
    pub async fn export_job(&self, actor: &Actor, id: Uuid) -> Result<ExportJob, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM export_jobs WHERE id = $1 AND user_id = $2")))
            .bind(id.to_string())
            .bind(actor.user_id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        job(&row)
    }

    /// Finished exports and uploaded workbooks a day old, with their files, of everyone (a
    /// file of children's details is not kept, nor carried by every backup, because its owner
    /// never came back): run by every server's upkeep.
    pub async fn sweep_old_job_files(&self) -> Result<(), StoreError> {
        self.sweep_exports(None).await?;
        crate::import_jobs::sweep_imports(self, None).await
    }

    /// Exports a day old (of `user`, or of everyone) and their files.
    async fn sweep_exports(&self, user: Option<Uuid>) -> Result<(), StoreError> {
        let cutoff = time_text(chrono::Utc::now() - chrono::Duration::hours(KEEP_HOURS));
        let mut q = crate::sql::Sql::new("SELECT id FROM export_jobs WHERE created_at < ");
        q.bind_text(cutoff);
        if let Some(u) = user {
            q.push(" AND user_id = ").bind_text(u.to_string());
        }
        for r in q.query().fetch_all(&self.pool).await? {
            let id = r.uuid("id")?;
            self.forget_file(FileName::Export(id)).await;
            sqlx::query("DELETE FROM export_jobs WHERE id = $1").bind(id.to_string()).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// The user's jobs of the last day, newest first; older files are removed on the way.
    pub async fn export_jobs(&self, actor: &Actor) -> Result<Vec<ExportJob>, StoreError> {
        self.sweep_exports(Some(actor.user_id)).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM export_jobs WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20"
        )))
        .bind(actor.user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job).collect()
    }

    /// The finished file of one of the user's own jobs, audited.
    pub async fn export_file(&self, actor: &Actor, id: Uuid) -> Result<(ExportJob, Vec<u8>), StoreError> {
        let j = self.export_job(actor, id).await?;
        if j.state != "done" {
            return Err(StoreError::NotFound);
        }
        let bytes = self.get_file(FileName::Export(id)).await?.ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: if j.format == ARCHIVE { "org.archive_download" } else { "children.export_download" },
                record_type: if j.format == ARCHIVE { "organisation" } else { "child" },
                record_id: None,
                detail: json!({"job": id}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((j, bytes))
    }
}
