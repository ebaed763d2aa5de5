//! A device's proof of being itself and the keys of its copy.
//!
//! A browser names its device (an id) and proves it with a secret the device made when it was
//! enrolled and never shows anyone: only its hash is kept here, so another browser of the same
//! user cannot sync as the phone, and a database leak gives no device's secret. The data key
//! that encrypts the copy is sealed with the key ring (a database or backup leak plus a phone
//! does not give the copy), released only when the owner's password is typed on the device, and
//! rotated when the password is reset: the previous key stays, sealed, until the device has
//! re-sealed its copy with the new one, so nothing waiting to be sent is lost, and the old
//! password's wrapping on the phone then opens nothing.

use super::devices::{device, Device, COLUMNS, FROM};
use crate::accounts::User;
use crate::audit::{self, Entry, Who};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::keyring::Keyring;
use crate::sessions::{random_secret, secret_hash};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde_json::json;
use sha2::Digest;
use uuid::Uuid;

/// The shortest and longest device secret accepted (the app sends 43 characters).
const SECRET_LEN: std::ops::RangeInclusive<usize> = 32..=200;

/// The keys a device needs to open its copy: the current one and, after a rotation it has not
/// yet finished, the one its copy is still sealed with.
#[derive(Debug, Clone)]
pub struct DeviceKeys {
    pub key: String,
    pub previous: Option<String>,
}

/// A device a browser named and proved to be.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub device: Device,
    pub owner: User,
    /// Enrolled by an older version, before devices had secrets: the first secret presented
    /// with the owner's password becomes its own.
    adopt: bool,
}

impl Claimed {
    /// Whether the browser proved it is the device with the device's own secret (false only for
    /// a device enrolled by an older version, until its first unlock).
    pub fn proved(&self) -> bool {
        !self.adopt
    }
}

/// What a device learns when its owner unlocks it.
#[derive(Debug, Clone)]
pub struct Unlocked {
    pub keys: DeviceKeys,
    /// When the owner's password last changed ('' if never): a wrapping made before is stale.
    pub password_epoch: String,
}

/// The authenticated-data label of a device's sealed keys: a sealed key moved to another
/// device's row does not open.
fn record(id: Uuid) -> String {
    format!("device:{id}")
}

/// A secret the device made: printable ASCII of a sensible length.
pub(crate) fn valid_secret(s: &str) -> bool {
    SECRET_LEN.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

fn same_secret(presented: &str, hash: &str) -> bool {
    let mine = secret_hash(presented);
    mine.len() == hash.len() && mine.bytes().zip(hash.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new data key for device `id`, sealed: (clear key, key id, sealed key).
pub(crate) fn new_key(keys: &Keyring, id: Uuid) -> Result<(String, String, String), StoreError> {
    let key = random_secret();
    let (key_id, sealed) = keys.seal(&record(id), key.as_bytes())?;
    Ok((key, key_id, sealed))
}

/// What a device sends to show it holds `key`: SHA-256 of a label and the key, hex. Not the
/// key's own SHA-256, which is the AES key the app derives from it.
pub fn rekey_proof(key: &str) -> String {
    hex::encode(sha2::Sha256::digest(format!("krousar-rekeyed:{key}").as_bytes()))
}

fn open_key(keys: &Keyring, id: Uuid, key_id: &str, sealed: &str) -> Result<String, StoreError> {
    if key_id.is_empty() {
        // Kept in clear by an older version; sealed at the next start.
        return Ok(sealed.to_string());
    }
    String::from_utf8(keys.open_sealed(key_id, &record(id), sealed)?).map_err(|_| StoreError::Corrupt(format!("key of device {id}")))
}

impl Store {
    /// The device `id`, if the browser's `secret` proves it is that device. A device unknown or
    /// not proved is "not yours" (locked, kept); a revoked device, or one whose owner's account
    /// is disabled, is revoked (wiped).
    pub async fn claim_device(&self, id: Uuid, secret: &str) -> Result<Claimed, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS}, d.secret_hash AS secret_hash {FROM} WHERE d.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::DeviceNotYours)?;
        let device = device(&row)?;
        let hash = row.text("secret_hash")?;
        let adopt = hash.is_empty();
        if !adopt && !same_secret(secret, &hash) {
            return Err(StoreError::DeviceNotYours);
        }
        if device.revoked() {
            return Err(StoreError::DeviceRevoked);
        }
        let owner = self.user(device.user_id).await?;
        if owner.disabled {
            return Err(StoreError::DeviceRevoked);
        }
        Ok(Claimed { device, owner, adopt })
    }

    /// The device a sync call names, for the signed-in `actor`: it must be proved, theirs, and
    /// they must still be allowed to work offline.
    pub async fn device_for(&self, actor: &Actor, id: Uuid, secret: &str) -> Result<Device, StoreError> {
        let c = self.claim_device(id, secret).await?;
        if c.adopt || c.device.user_id != actor.user_id {
            // Another person signed in on the owner's browser, or a secret not yet taken.
            return Err(StoreError::DeviceNotYours);
        }
        if !decide(actor, Action::WorkOffline, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::DeviceRevoked);
        }
        Ok(c.device)
    }

    /// The owner typed their password on the device (checked by the caller, with the sign-in
    /// lockout): release its keys and say when the password last changed. Audited.
    pub async fn unlock_device(&self, c: &Claimed, secret: &str) -> Result<Unlocked, StoreError> {
        let owner = c.owner.actor();
        if !decide(&owner, Action::WorkOffline, Target::Organisation(owner.org_id)).allowed() {
            return Err(StoreError::DeviceRevoked);
        }
        let id = c.device.id;
        let mut tx = self.write().await?;
        if c.adopt {
            if !valid_secret(secret) {
                return Err(StoreError::DeviceNotYours);
            }
            let n = sqlx::query("UPDATE devices SET secret_hash = $1 WHERE id = $2 AND secret_hash = ''")
                .bind(secret_hash(secret))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::DeviceNotYours);
            }
        }
        sqlx::query("UPDATE devices SET unlocked_at = $1 WHERE id = $2").bind(now_text()).bind(id.to_string()).execute(&mut *tx).await?;
        let row = sqlx::query(
            "SELECT d.data_key, d.key_id, d.previous_key, d.previous_key_id, COALESCE(u.password_changed_at, '') AS epoch \
             FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = $1 AND d.revoked_at IS NULL",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::DeviceRevoked)?;
        let keys = self.keys()?;
        let key = open_key(keys, id, &row.text("key_id")?, &row.text("data_key")?)?;
        let previous = match (row.opt_text("previous_key")?, row.opt_text("previous_key_id")?) {
            (Some(sealed), Some(key_id)) => Some(open_key(keys, id, &key_id, &sealed)?),
            _ => None,
        };
        audit::append(
            &mut tx,
            Who { actor_id: Some(c.owner.id), org_id: Some(c.owner.org_id), device: None },
            Entry {
                action: "device.unlock",
                record_type: "device",
                record_id: Some(id.to_string()),
                detail: json!({"adopted_secret": c.adopt, "rotation_pending": previous.is_some()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Unlocked { keys: DeviceKeys { key, previous }, password_epoch: row.text("epoch")? })
    }

    /// The device re-sealed its copy with its new key: the previous one is destroyed. The
    /// device proves it holds the current key (`key_hash`: `rekey_proof` of it), which only an
    /// unlock with the owner's password gives: the secret alone (a copied profile) cannot
    /// destroy the key the owner's unsent work is sealed with.
    pub async fn device_rekeyed(&self, c: &Claimed, key_hash: &str) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT data_key, key_id FROM devices WHERE id = $1 AND revoked_at IS NULL")
            .bind(c.device.id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::DeviceRevoked)?;
        let key = open_key(self.keys()?, c.device.id, &row.text("key_id")?, &row.text("data_key")?)?;
        let mine = rekey_proof(&key);
        let same = mine.len() == key_hash.len() && mine.bytes().zip(key_hash.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if !same {
            return Err(StoreError::DeviceNotYours);
        }
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE devices SET previous_key = NULL, previous_key_id = NULL WHERE id = $1 AND previous_key IS NOT NULL")
            .bind(c.device.id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            let who = Who { actor_id: Some(c.owner.id), org_id: Some(c.owner.org_id), device: None };
            let entry =
                Entry { action: "device.rekeyed", record_type: "device", record_id: Some(c.device.id.to_string()), detail: json!({}) };
            audit::append(&mut tx, who, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// When the user's password last changed ('' if never).
    pub async fn password_epoch(&self, user: Uuid) -> Result<String, StoreError> {
        let row = sqlx::query("SELECT COALESCE(password_changed_at, '') AS epoch FROM users WHERE id = $1")
            .bind(user.to_string())
            .fetch_one(&self.pool)
            .await?;
        row.text("epoch")
    }
}

/// A password was reset: give each of the user's devices a new data key, keeping the one its
/// copy is sealed with until the device has re-sealed it, and mark the time, so a wrapping made
/// with the old password is known to be stale. Part of the reset's transaction.
pub(crate) async fn rotate_for_password_change(tx: &mut Tx, keys: Option<&Keyring>, user: Uuid) -> Result<usize, StoreError> {
    sqlx::query("UPDATE users SET password_changed_at = $1 WHERE id = $2")
        .bind(now_text())
        .bind(user.to_string())
        .execute(&mut **tx)
        .await?;
    // A device whose last rotation it has not finished keeps its keys: its copy may be sealed
    // with either, and a third key would strand one of them. Rotating again would protect
    // nothing more: every online unlock replaces the phone's wrapping with one made with the
    // password just typed, and a device that has not been online since has the old wrapping
    // whatever the server does.
    let rows = sqlx::query("SELECT id FROM devices WHERE user_id = $1 AND revoked_at IS NULL AND previous_key IS NULL")
        .bind(user.to_string())
        .fetch_all(&mut **tx)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let keys = keys.ok_or_else(|| StoreError::Config("no key file for device keys".into()))?;
    for r in &rows {
        let id = r.uuid("id")?;
        let (_, key_id, sealed) = new_key(keys, id)?;
        sqlx::query("UPDATE devices SET previous_key = data_key, previous_key_id = key_id, data_key = $1, key_id = $2 WHERE id = $3")
            .bind(sealed)
            .bind(key_id)
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_checked_by_their_hash() {
        let s = "a".repeat(43);
        let h = crate::sessions::secret_hash(&s);
        assert!(super::same_secret(&s, &h));
        assert!(!super::same_secret(&"b".repeat(43), &h));
        assert!(!super::same_secret("", &h));
        assert!(super::valid_secret(&s));
        assert!(!super::valid_secret("short"));
        assert!(!super::valid_secret(&format!("{} {}", "a".repeat(20), "b".repeat(20))));
    }
}
