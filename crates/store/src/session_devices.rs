//! Sessions and the devices they work for, and ending sessions before their timeout. A session
//! is tagged with its device when the device is enrolled from it, when it syncs as the device,
//! or when someone signs in on a browser that carries the device; revoking the device (a lost
//! phone) then ends those sessions at once instead of leaving them open for hours.
//! "Sign out everywhere" ends every session of one person.

use crate::audit::{self, Entry, Who};
use crate::db::{Store, Tx};
use crate::error::StoreError;
use crate::sessions::Session;
use serde_json::json;
use uuid::Uuid;

impl Store {
    /// Tag `session` with `device`, if the device is its user's and not revoked (anything else
    /// is left as it is). Written only when the tag changes: sync calls ask every time. Under
    /// the write lock, so a revocation running at the same time either sees the tag or makes
    /// the device unusable first.
    pub async fn tag_session_device(&self, session: &Session, device: Uuid) -> Result<(), StoreError> {
        if session.device_id == Some(device) {
            return Ok(());
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE sessions SET device_id = $1 WHERE id_hash = $2 AND EXISTS \
             (SELECT 1 FROM devices d WHERE d.id = $1 AND d.user_id = sessions.user_id AND d.revoked_at IS NULL)",
        )
        .bind(device.to_string())
        .bind(&session.id_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sign out of one session: it ends, and so do notices pushed to the device it worked for
    /// (a shared phone tells the next person nothing of the one who signed out, even where the
    /// browser keeps its subscription).
    pub async fn sign_out_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "DELETE FROM notification_push_subscriptions WHERE device_id IN \
             (SELECT device_id FROM sessions WHERE id_hash = $1 AND device_id IS NOT NULL)",
        )
        .bind(id_hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sign out everywhere: end every session of `user` (the current one too, when it is theirs).
    /// Audited with how many ended; returns that number.
    pub async fn end_user_sessions(&self, who: Who, user: Uuid) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.to_string()).execute(&mut *tx).await?.rows_affected();
        audit::append(
            &mut tx,
            who,
            Entry { action: "user.sessions_end", record_type: "user", record_id: Some(user.to_string()), detail: json!({"sessions": n}) },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// End the sessions tagged with a device being revoked, in the revocation's transaction.
pub(crate) async fn end_device_sessions(tx: &mut Tx, device: Uuid) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE device_id = $1").bind(device.to_string()).execute(&mut **tx).await?.rows_affected())
}
