//! Web push's stored half: the installation's VAPID key pair (made once by the first server
//! that needs it; its private half sealed with the key ring, listed in `sealed.rs` so that key
//! rotation re-seals it), and each device's subscription. A device has at most one; a
//! subscription ends with its device (revoked), its owner's account (disabled), a push service
//! that says it is gone, or its owner turning it off.

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::{new_id, Actor};
use serde_json::json;
use uuid::Uuid;

const ROW: &str = "vapid";
pub(crate) const RECORD_PREFIX: &str = "push-key:";

/// A device's subscription, as the sender needs it.
#[derive(Debug, Clone)]
pub struct PushTarget {
    pub id: Uuid,
    pub endpoint: String,
    /// The browser's public key and its authentication secret (base64url, as it gave them).
    pub p256dh: String,
    pub auth: String,
}

impl Store {
    /// The VAPID key pair: (public key as base64url, private key bytes). Made by `make` the
    /// first time (one server's insert wins; every server then reads the same pair).
    pub async fn push_key(&self, make: impl FnOnce() -> (String, Vec<u8>)) -> Result<(String, Vec<u8>), StoreError> {
        if let Some(k) = self.stored_push_key().await? {
            return Ok(k);
        }
        let (public, private) = make();
        let (key_id, sealed) = self.keys()?.seal(&format!("{RECORD_PREFIX}{ROW}"), &private)?;
        sqlx::query(
            "INSERT INTO notification_push_keys (id, public_key, private_key, private_key_id, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(ROW)
        .bind(&public)
        .bind(sealed)
        .bind(key_id)
        .bind(now_text())
        .execute(&self.pool)
        .await?;
        self.stored_push_key().await?.ok_or_else(|| StoreError::Corrupt("the push key was not kept".into()))
    }

    async fn stored_push_key(&self) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let Some(r) = sqlx::query("SELECT public_key, private_key, private_key_id FROM notification_push_keys WHERE id = $1")
            .bind(ROW)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let key_id = r.opt_text("private_key_id")?.unwrap_or_default();
        let private = self.keys()?.open_sealed(&key_id, &format!("{RECORD_PREFIX}{ROW}"), &r.text("private_key")?)?;
        Ok(Some((r.text("public_key")?, private)))
    }

    /// Turn push on for `device` (the actor's, proved by the caller): its subscription replaces
    /// any the device had, and the same endpoint held by another device (a browser that was
    /// enrolled again). `host` is the push service's, for the audit.
    pub async fn subscribe_push(
        &self,
        actor: &Actor,
        device: Uuid,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        host: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let owned = sqlx::query("SELECT 1 AS one FROM devices WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(device.to_string())
            .bind(actor.user_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if owned.is_none() {
            return Err(StoreError::Forbidden);
        }
        sqlx::query("DELETE FROM notification_push_subscriptions WHERE device_id = $1 OR endpoint = $2")
            .bind(device.to_string())
            .bind(endpoint)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO notification_push_subscriptions (id, user_id, device_id, endpoint, p256dh, auth, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id().to_string())
        .bind(actor.user_id.to_string())
        .bind(device.to_string())
        .bind(endpoint)
        .bind(p256dh)
        .bind(auth)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "push.subscribe",
                record_type: "device",
                record_id: Some(device.to_string()),
                detail: json!({"service": host}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turn push off for the actor's `device`.
    pub async fn unsubscribe_push(&self, actor: &Actor, device: Uuid) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM notification_push_subscriptions WHERE device_id = $1 AND user_id = $2")
            .bind(device.to_string())
            .bind(actor.user_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            audit::append(
                &mut tx,
                actor.into(),
                Entry { action: "push.unsubscribe", record_type: "device", record_id: Some(device.to_string()), detail: json!({}) },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether push is on for the actor's `device`.
    pub async fn push_on(&self, actor: &Actor, device: Uuid) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT 1 AS one FROM notification_push_subscriptions WHERE device_id = $1 AND user_id = $2")
            .bind(device.to_string())
            .bind(actor.user_id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// The subscriptions of `user`'s devices still in use.
    pub async fn push_targets(&self, user: Uuid) -> Result<Vec<PushTarget>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.endpoint, s.p256dh, s.auth FROM notification_push_subscriptions s JOIN devices d ON d.id = s.device_id \
             JOIN users u ON u.id = s.user_id WHERE s.user_id = $1 AND d.revoked_at IS NULL AND u.disabled = 0 ORDER BY s.created_at",
        )
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(PushTarget { id: r.uuid("id")?, endpoint: r.text("endpoint")?, p256dh: r.text("p256dh")?, auth: r.text("auth")? }))
            .collect()
    }

    /// The push service took a message for this subscription (`gone`: it says the subscription
    /// no longer exists, so it is forgotten).
    pub async fn push_answered(&self, id: Uuid, gone: bool) -> Result<(), StoreError> {
        let sql = if gone {
            "DELETE FROM notification_push_subscriptions WHERE id = $1"
        } else {
            "UPDATE notification_push_subscriptions SET last_sent_at = $2 WHERE id = $1"
        };
        let mut q = sqlx::query(sql).bind(id.to_string());
        if !gone {
            q = q.bind(now_text());
        }
        q.execute(&self.pool).await?;
        Ok(())
    }
}

/// Forget the subscriptions of a device (revoked) or of a user (account disabled), in the
/// transaction that ends them.
pub(crate) async fn end_subscriptions(tx: &mut crate::db::Tx, column: &'static str, id: Uuid) -> Result<u64, StoreError> {
    let sql = match column {
        "device_id" => "DELETE FROM notification_push_subscriptions WHERE device_id = $1",
        _ => "DELETE FROM notification_push_subscriptions WHERE user_id = $1",
    };
    Ok(sqlx::query(sql).bind(id.to_string()).execute(&mut **tx).await?.rows_affected())
}
