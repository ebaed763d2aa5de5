//! Second-step (TOTP) secrets, sealed with the key file like sensitive information
//! (`keyring.rs`): the database and every backup hold only the sealed secret and the id of the
//! key that sealed it, so a copy of either, even with a phone, does not give the codes. The
//! secret is opened only to check a code. Key rotation re-seals them with everything else, and
//! a key is not retired while a secret is still sealed with it (`sensitive.rs`).

use crate::accounts::User;
use crate::audit::{self, Entry, Who};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use serde_json::json;
use uuid::Uuid;

/// A user's second-step secret as stored. `key_id` is `None` only for a secret an older
/// version kept in clear and not yet sealed (`seal_clear_totp_secrets` does it at start).
#[derive(Debug, Clone)]
pub struct SealedTotp {
    pub key_id: Option<String>,
    pub sealed: String,
}

/// What a secret is sealed for: the user, under a name of its own, so that a sealed value moved
/// onto another user, or onto a child's sensitive record, does not open.
fn record(user: Uuid) -> String {
    format!("user-totp:{user}")
}

impl User {
    /// Whether two-step sign-in is set up.
    pub fn totp_on(&self) -> bool {
        self.totp.is_some()
    }
}

impl Store {
    /// Turn two-step sign-in on (with `secret`, base32, sealed before it is written) or off.
    pub async fn set_user_totp(&self, who: Who, id: Uuid, secret: Option<&str>) -> Result<(), StoreError> {
        let sealed = match secret {
            Some(s) => Some(self.keys()?.seal(&record(id), s.as_bytes())?),
            None => None,
        };
        let (key_id, sealed) = sealed.unzip();
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET totp_secret = $1, totp_key_id = $2 WHERE id = $3")
            .bind(sealed)
            .bind(key_id)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            who,
            Entry {
                action: "user.totp",
                record_type: "user",
                record_id: Some(id.to_string()),
                detail: json!({"enabled": secret.is_some()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user's secret, opened to check a code (`None` when two-step sign-in is off).
    pub fn user_totp_secret(&self, user: &User) -> Result<Option<String>, StoreError> {
        let Some(t) = &user.totp else { return Ok(None) };
        let Some(key_id) = &t.key_id else { return Ok(Some(t.sealed.clone())) };
        let plain = self.keys()?.open_sealed(key_id, &record(user.id), &t.sealed)?;
        String::from_utf8(plain).map(Some).map_err(|_| StoreError::Corrupt(format!("second-step secret of {}", user.id)))
    }

    /// Seal every secret an older version kept in clear (once: afterwards none is left, and a
    /// second call finds nothing). Each batch is one transaction with its audit entry. Returns
    /// how many were sealed.
    pub async fn seal_clear_totp_secrets(&self) -> Result<i64, StoreError> {
        let Some(keys) = self.keys.as_deref() else { return Ok(0) };
        let mut total = 0;
        loop {
            let mut tx = self.write().await?;
            let rows = sqlx::query("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL AND totp_key_id IS NULL LIMIT 500")
                .fetch_all(&mut *tx)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let id = r.uuid("id")?;
                let (key_id, sealed) = keys.seal(&record(id), r.text("totp_secret")?.as_bytes())?;
                sqlx::query("UPDATE users SET totp_secret = $1, totp_key_id = $2 WHERE id = $3")
                    .bind(sealed)
                    .bind(key_id)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            total += rows.len() as i64;
            audit::append(
                &mut tx,
                Who::system(),
                Entry { action: "user.totp_sealed_legacy", record_type: "user", record_id: None, detail: json!({"users": rows.len()}) },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(total)
    }

    /// How many second-step secrets each key seals.
    pub(crate) async fn totp_sealed_by_key(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT totp_key_id, COUNT(*) AS n FROM users WHERE totp_key_id IS NOT NULL GROUP BY totp_key_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.text("totp_key_id")?, r.int("n")?))).collect()
    }

    /// Re-seal with the current key every secret sealed with an older one, in batches (each one
    /// transaction with its audit entry). Returns how many.
    pub(crate) async fn reseal_totp(&self) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        let mut total = 0;
        loop {
            let current = keys.current_id()?;
            let mut tx = self.write().await?;
            let rows = sqlx::query("SELECT id, totp_key_id, totp_secret FROM users WHERE totp_key_id <> $1 LIMIT 500")
                .bind(&current)
                .fetch_all(&mut *tx)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let id = r.uuid("id")?;
                let plain = keys.open_sealed(&r.text("totp_key_id")?, &record(id), &r.text("totp_secret")?)?;
                let (key_id, sealed) = keys.seal(&record(id), &plain)?;
                sqlx::query("UPDATE users SET totp_secret = $1, totp_key_id = $2 WHERE id = $3")
                    .bind(sealed)
                    .bind(key_id)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            total += rows.len() as i64;
            audit::append(
                &mut tx,
                Who::system(),
                Entry { action: "keys.reseal", record_type: "key", record_id: Some(current), detail: json!({"totp_secrets": rows.len()}) },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(total)
    }
}
