//! Every value the key ring seals (`keyring.rs`), described once: children's sensitive
//! information, devices' data keys (current and, during a rotation after a password reset, the
//! previous one) and users' second-step secrets. From this one list come the count of records
//! each key seals (`krousar keys status`, and the refusal to retire a key in use), the re-sealing
//! of `krousar keys rotate`, the sealing at start of values an older version kept in clear, and
//! the check a restore makes that every key a backup needs is in the key file.

use crate::audit::{self, Entry, Who};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use serde_json::json;
use sqlx::AssertSqlSafe;
use std::collections::BTreeMap;

/// A column of sealed values with the column naming the key that sealed each.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    /// The row's id.
    pub id: &'static str,
    /// The sealed value.
    pub value: &'static str,
    /// The key's id. Empty or NULL beside a value: kept in clear by an older version (sealed
    /// at the next start). Beside no value: nothing sealed (a revoked device's destroyed key).
    pub key_id: &'static str,
    /// What each value is sealed for (its associated data) is this prefix and the row's id, so
    /// that a sealed value moved to another row, or another kind of row, does not open.
    pub record_prefix: &'static str,
    /// How the audit names these values.
    pub what: &'static str,
}

impl SealedColumn {
    pub fn record(&self, id: &str) -> String {
        format!("{}{id}", self.record_prefix)
    }

    /// Rows holding a value sealed with a key.
    fn sealed(&self) -> String {
        let (v, k) = (self.value, self.key_id);
        format!("{v} IS NOT NULL AND {v} <> '' AND {k} IS NOT NULL AND {k} <> ''")
    }

    /// Rows holding a value kept in clear.
    fn clear(&self) -> String {
        let (v, k) = (self.value, self.key_id);
        format!("{v} IS NOT NULL AND {v} <> '' AND ({k} IS NULL OR {k} = '')")
    }
}

pub const SEALED: &[SealedColumn] = &[
    SealedColumn { table: "child_sensitive", id: "child_id", value: "sealed", key_id: "key_id", record_prefix: "", what: "records" },
    SealedColumn { table: "devices", id: "id", value: "data_key", key_id: "key_id", record_prefix: "device:", what: "device_keys" },
    SealedColumn {
        table: "devices",
        id: "id",
        value: "previous_key",
        key_id: "previous_key_id",
        record_prefix: "device:",
        what: "device_keys",
    },
    SealedColumn {
        table: "users",
        id: "id",
        value: "totp_secret",
        key_id: "totp_key_id",
        record_prefix: "user-totp:",
        what: "totp_secrets",
    },
    SealedColumn {
        table: "notification_mail",
        id: "id",
        value: "password",
        key_id: "password_key_id",
        record_prefix: crate::notifications::mail::RECORD_PREFIX,
        what: "mail_passwords",
    },
    SealedColumn {
        table: "notification_push_keys",
        id: "id",
        value: "private_key",
        key_id: "private_key_id",
        record_prefix: crate::notifications::push::RECORD_PREFIX,
        what: "push_keys",
    },
];

/// Rows are re-sealed in batches, each one transaction with its audit entry.
const BATCH: i64 = 500;

impl Store {
    /// How many values each key seals, over every sealed column, by key id.
    pub async fn sealed_by_key(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut out: BTreeMap<String, i64> = BTreeMap::new();
        for c in SEALED {
            let sql =
                format!("SELECT {k} AS key_id, COUNT(*) AS n FROM {t} WHERE {w} GROUP BY {k}", k = c.key_id, t = c.table, w = c.sealed());
            for r in sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.pool).await? {
                *out.entry(r.text("key_id")?).or_insert(0) += r.int("n")?;
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Re-seal with the current key every value sealed with an older one. Returns how many.
    pub async fn reseal_all(&self) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        let mut total = 0;
        for c in SEALED {
            loop {
                let current = keys.current_id()?;
                let mut tx = self.write().await?;
                let sql = format!(
                    "SELECT {id} AS id, {k} AS key_id, {v} AS value FROM {t} WHERE {w} AND {k} <> $1 LIMIT {BATCH}",
                    id = c.id,
                    k = c.key_id,
                    v = c.value,
                    t = c.table,
                    w = c.sealed()
                );
                let rows = sqlx::query(AssertSqlSafe(sql)).bind(&current).fetch_all(&mut *tx).await?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    let id = r.text("id")?;
                    let plain = keys.open_sealed(&r.text("key_id")?, &c.record(&id), &r.text("value")?)?;
                    let (key_id, sealed) = keys.seal(&c.record(&id), &plain)?;
                    write(&mut tx, c, &id, &key_id, &sealed).await?;
                }
                total += rows.len() as i64;
                let entry =
                    Entry { action: "keys.reseal", record_type: "key", record_id: Some(current), detail: json!({c.what: rows.len()}) };
                audit::append(&mut tx, Who::system(), entry).await?;
                tx.commit().await?;
            }
        }
        Ok(total)
    }

    /// Seal every value an older version kept in clear (once: a second call finds nothing).
    /// Without a key file nothing can be sealed, and nothing is. Returns how many were sealed.
    pub async fn seal_clear_values(&self) -> Result<i64, StoreError> {
        let Some(keys) = self.keys.as_deref() else { return Ok(0) };
        let mut total = 0;
        for c in SEALED {
            loop {
                let mut tx = self.write().await?;
                let sql = format!(
                    "SELECT {id} AS id, {v} AS value FROM {t} WHERE {w} LIMIT {BATCH}",
                    id = c.id,
                    v = c.value,
                    t = c.table,
                    w = c.clear()
                );
                let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    let id = r.text("id")?;
                    let (key_id, sealed) = keys.seal(&c.record(&id), r.text("value")?.as_bytes())?;
                    write(&mut tx, c, &id, &key_id, &sealed).await?;
                }
                total += rows.len() as i64;
                let entry = Entry { action: "keys.seal_clear", record_type: c.table, record_id: None, detail: json!({c.what: rows.len()}) };
                audit::append(&mut tx, Who::system(), entry).await?;
                tx.commit().await?;
            }
        }
        Ok(total)
    }
}

async fn write(tx: &mut crate::db::Tx, c: &SealedColumn, id: &str, key_id: &str, sealed: &str) -> Result<(), StoreError> {
    let sql = format!("UPDATE {t} SET {v} = $1, {k} = $2 WHERE {i} = $3", t = c.table, v = c.value, k = c.key_id, i = c.id);
    sqlx::query(AssertSqlSafe(sql)).bind(sealed).bind(key_id).bind(id).execute(&mut **tx).await?;
    Ok(())
}
