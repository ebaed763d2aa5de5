//! Receipts of changes received from devices. A change carries its own id, made on the device;
//! the record it makes takes that id (see `scope`), so sending a change twice cannot make it
//! twice, and the receipt answers the device the same way the second time.

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use krousar_domain::Actor;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub device_id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub child_id: Option<Uuid>,
    pub outcome: String,
}

/// One change as received.
pub struct Received<'a> {
    pub change_id: Uuid,
    pub device_id: Uuid,
    pub kind: &'a str,
    pub child_id: Option<Uuid>,
    pub recorded_at: &'a str,
    pub received_at: &'a str,
    /// `accepted` or `conflict`.
    pub outcome: &'a str,
}

impl Store {
    pub async fn sync_receipt(&self, change_id: Uuid) -> Result<Option<Receipt>, StoreError> {
        let row = sqlx::query("SELECT device_id, user_id, kind, child_id, outcome FROM sync_changes WHERE id = $1")
            .bind(change_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Receipt {
                device_id: r.uuid("device_id")?,
                user_id: r.uuid("user_id")?,
                kind: r.text("kind")?,
                child_id: r.opt_uuid("child_id")?,
                outcome: r.text("outcome")?,
            })
        })
        .transpose()
    }

    /// Keep the receipt of a change that was carried out (a second one of the same id is a
    /// retry, and changes nothing).
    pub async fn record_receipt(&self, actor: &Actor, r: Received<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sync_changes (id, device_id, user_id, kind, child_id, recorded_at, received_at, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        )
        .bind(r.change_id.to_string())
        .bind(r.device_id.to_string())
        .bind(actor.user_id.to_string())
        .bind(r.kind)
        .bind(r.child_id.map(|c| c.to_string()))
        .bind(r.recorded_at)
        .bind(r.received_at)
        .bind(r.outcome)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether a record with this id (a change's own id) was already made by the actor: the
    /// change arrived before, and its answer was lost before the receipt was kept.
    pub async fn made_by_change(&self, actor: &Actor, change_id: Uuid) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM case_entries WHERE id = $1 AND author_id = $2) \
             + (SELECT COUNT(*) FROM children WHERE id = $1 AND created_by = $2) \
             + (SELECT COUNT(*) FROM child_flags WHERE id = $1 AND raised_by = $2) AS n",
        )
        .bind(change_id.to_string())
        .bind(actor.user_id.to_string())
        .fetch_one(&self.pool)
        .await?
        .int("n")?;
        Ok(n > 0)
    }

    /// Is the id a record's already (anyone's)? A device picks a new record's id; one that is
    /// taken by another record can never be saved, so it is told so instead of to retry.
    pub async fn id_taken(&self, change_id: Uuid) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM case_entries WHERE id = $1) + (SELECT COUNT(*) FROM children WHERE id = $1) \
                 + (SELECT COUNT(*) FROM child_flags WHERE id = $1) AS n",
        )
        .bind(change_id.to_string())
        .fetch_one(&self.pool)
        .await?
        .int("n")?;
        Ok(n > 0)
    }
}
