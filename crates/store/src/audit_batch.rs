//! Group commit for the audit entries of reads. Every opened record is audited before the page
//! is answered, and on SQLite each audit was its own write transaction with its own fsync: under
//! sixteen readers, the record page queued behind those (p95 196 ms). Reads now hand their entry
//! to one writer task, which appends every entry waiting at that moment in one transaction — one
//! fsync for many — and only then lets each reader answer. Nothing is answered unaudited.

use crate::audit::{self, Entry, Who};
use crate::db::Store;
use crate::error::StoreError;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, OnceCell};

/// Entries appended in one transaction at most.
const BATCH: usize = 256;

pub(crate) struct Pending {
    who: Who,
    action: &'static str,
    record_type: &'static str,
    record_id: Option<String>,
    detail: serde_json::Value,
    done: oneshot::Sender<Result<(), String>>,
}

/// The writer of one store (started on first use).
pub(crate) type ReadAudits = Arc<OnceCell<mpsc::Sender<Pending>>>;

fn start(store: Store) -> mpsc::Sender<Pending> {
    let (tx, mut rx) = mpsc::channel::<Pending>(4 * BATCH);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
            let started = std::time::Instant::now();
            let size = batch.len();
            let result = async {
                // Its first statement moves the audit head, which takes the write lock (as
                // `Store::write` does with a statement of its own: one round trip fewer here).
                let mut t = store.pool().begin().await?;
                let entries = batch
                    .iter()
                    .map(|p| {
                        let e = Entry {
                            action: p.action,
                            record_type: p.record_type,
                            record_id: p.record_id.clone(),
                            detail: p.detail.clone(),
                        };
                        (p.who, e)
                    })
                    .collect();
                audit::append_all(&mut t, entries).await?;
                t.commit().await?;
                Ok::<(), StoreError>(())
            }
            .await
            .map_err(|e| e.to_string());
            metrics::histogram!("krousar_audit_batch_seconds").record(started.elapsed().as_secs_f64());
            metrics::counter!("krousar_audit_batch_entries_total").increment(size as u64);
            for p in batch {
                let _ = p.done.send(result.clone());
            }
        }
    });
    tx
}

impl Store {
    /// Audit a read, durably, before the caller answers.
    pub(crate) async fn audit_read(&self, who: Who, e: Entry<'static>) -> Result<(), StoreError> {
        let writer = self
            .read_audits
            .get_or_init(|| async {
                // The writer's own copy of the store has no writer of its own: no cycle keeps it alive.
                start(Store { read_audits: Default::default(), ..self.clone() })
            })
            .await;
        let (done, answer) = oneshot::channel();
        let p = Pending { who, action: e.action, record_type: e.record_type, record_id: e.record_id, detail: e.detail, done };
        writer.send(p).await.map_err(|_| StoreError::Config("the audit writer stopped".into()))?;
        answer.await.map_err(|_| StoreError::Config("the audit writer stopped".into()))?.map_err(StoreError::Config)
    }

    /// Audit what a list or a search showed: one entry per request (never one per row) with the
    /// filters asked and the ids of the records answered, so that an investigator can tell who
    /// saw a child's record in a list as well as who opened it. Every list of children or
    /// households goes through here (`list_children`, `list_households`).
    pub(crate) async fn audit_list(
        &self,
        who: Who,
        action: &'static str,
        record_type: &'static str,
        filters: serde_json::Value,
        ids: Vec<String>,
    ) -> Result<(), StoreError> {
        let detail = serde_json::json!({"filters": filters, "rows": ids.len(), "ids": ids});
        self.audit_read(who, Entry { action, record_type, record_id: None, detail }).await
    }
}
