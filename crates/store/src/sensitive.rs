//! Storing a child's sensitive information sealed (see `keyring.rs`): every read and every
//! change goes through the policy (`ViewSensitive`, `EditSensitive`) and is audited — the audit
//! entry names the fields changed, never their values. Also the key rotation: re-sealing
//! everything under the newest key so that an old key can be retired.

use crate::audit::{self, Entry};
use crate::children::{load, refuse};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::keyring::Keyring;
use krousar_domain::policy::{decide, Action, Actor, Target};
use krousar_domain::sensitive::SensitiveInfo;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// A child's sensitive information as one reader may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Sensitive {
    pub child_id: Uuid,
    #[serde(flatten)]
    pub info: SensitiveInfo,
    /// 0 while nothing was recorded; give it back when saving (optimistic locking).
    pub version: i64,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
    /// Whether this reader may change it.
    pub editable: bool,
}

impl Store {
    pub(crate) fn keys(&self) -> Result<&Keyring, StoreError> {
        self.keys.as_deref().ok_or_else(|| StoreError::Config("no key file for sensitive information".into()))
    }

    /// Read (and audit the reading of) a child's sensitive information. `via`: page, api.
    pub async fn view_sensitive(&self, actor: &Actor, child_id: Uuid, via: &str) -> Result<Sensitive, StoreError> {
        let mut tx = self.pool.begin().await?;
        let child = load(&mut tx, child_id).await?;
        let owner = child.owner(actor);
        if !decide(actor, Action::ViewSensitive, Target::Record(&owner)).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "child.sensitive_view", "child", child_id).await);
        }
        let (info, version, updated_at, updated_by) = read(&mut tx, self.keys()?, child_id).await?;
        tx.rollback().await?;
        let entry = Entry {
            action: "child.sensitive_view",
            record_type: "child",
            record_id: Some(child_id.to_string()),
            detail: json!({"via": via}),
        };
        self.audit_read(actor.into(), entry).await?;
        let editable = decide(actor, Action::EditSensitive, Target::Record(&owner)).allowed();
        Ok(Sensitive { child_id, info, version, updated_at, updated_by, editable })
    }

    /// Record or change it, if it is still at `expected_version` (0: nothing recorded yet).
    pub async fn update_sensitive(
        &self,
        actor: &Actor,
        child_id: Uuid,
        expected_version: i64,
        after: SensitiveInfo,
    ) -> Result<Sensitive, StoreError> {
        let keys = self.keys()?;
        let mut tx = self.write().await?;
        let child = load(&mut tx, child_id).await?;
        if !decide(actor, Action::EditSensitive, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "child.sensitive_edit", "child", child_id).await);
        }
        let (before, version, ..) = read(&mut tx, keys, child_id).await?;
        if version != expected_version {
            return Err(StoreError::Conflict { current: version });
        }
        let changed = before.changed_fields(&after);
        if !changed.is_empty() {
            write(&mut tx, keys, child_id, version, &after, Some(actor.user_id)).await?;
            audit::append(
                &mut tx,
                actor.into(),
                Entry {
                    action: "child.sensitive_update",
                    record_type: "child",
                    record_id: Some(child_id.to_string()),
                    detail: json!({"fields": changed}),
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.view_sensitive(actor, child_id, "saved").await
    }
}

type Read = (SensitiveInfo, i64, Option<String>, Option<String>);

/// The opened record (or an empty one at version 0) and who last changed it.
pub(crate) async fn read(tx: &mut Tx, keys: &Keyring, child_id: Uuid) -> Result<Read, StoreError> {
    let row = sqlx::query(
        "SELECT s.key_id, s.sealed, s.version, s.updated_at, u.display_name FROM child_sensitive s \
         LEFT JOIN users u ON u.id = s.updated_by WHERE s.child_id = $1",
    )
    .bind(child_id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else {
        return Ok((SensitiveInfo::default(), 0, None, None));
    };
    let plain = keys.open_sealed(&r.text("key_id")?, &child_id.to_string(), &r.text("sealed")?)?;
    let info = serde_json::from_slice(&plain).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((info, r.int("version")?, Some(r.text("updated_at")?), r.opt_text("display_name")?))
}

/// Seal and store `info` over version `version` (0: insert).
pub(crate) async fn write(
    tx: &mut Tx,
    keys: &Keyring,
    child_id: Uuid,
    version: i64,
    info: &SensitiveInfo,
    by: Option<Uuid>,
) -> Result<(), StoreError> {
    let plain = serde_json::to_vec(info).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (key_id, sealed) = keys.seal(&child_id.to_string(), &plain)?;
    let by = by.map(|u| u.to_string());
    if version == 0 {
        sqlx::query(
            "INSERT INTO child_sensitive (child_id, key_id, sealed, version, updated_by, updated_at) VALUES ($1, $2, $3, 1, $4, $5)",
        )
        .bind(child_id.to_string())
        .bind(key_id)
        .bind(sealed)
        .bind(by)
        .bind(now_text())
        .execute(&mut **tx)
        .await?;
    } else {
        let n = sqlx::query(
            "UPDATE child_sensitive SET key_id = $1, sealed = $2, version = version + 1, updated_by = $3, updated_at = $4 \
             WHERE child_id = $5 AND version = $6",
        )
        .bind(key_id)
        .bind(sealed)
        .bind(by)
        .bind(now_text())
        .bind(child_id.to_string())
        .bind(version)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict { current: version });
        }
    }
    Ok(())
}

/// Merging two records of one child: the kept record takes the other's sensitive information
/// when it has none (re-sealed for its own id); when both have some, the other's stays with the
/// merged-away record, which is kept as history.
pub(crate) async fn take_over(tx: &mut Tx, store: &Store, keep: Uuid, other: Uuid, actor: &Actor) -> Result<bool, StoreError> {
    let exists = |id: Uuid| sqlx::query("SELECT version FROM child_sensitive WHERE child_id = $1").bind(id.to_string());
    if exists(other).fetch_optional(&mut **tx).await?.is_none() || exists(keep).fetch_optional(&mut **tx).await?.is_some() {
        return Ok(false);
    }
    let keys = store.keys()?;
    let (info, ..) = read(tx, keys, other).await?;
    write(tx, keys, keep, 0, &info, Some(actor.user_id)).await?;
    Ok(true)
}

impl Store {
    /// Before migration 0010 the note "about the disability" was kept in clear on the child.
    /// Seal each such note into the child's sensitive information and clear it; runs at every
    /// start and does nothing once they are gone. Without a key file it waits for one.
    pub async fn seal_legacy_notes(&self) -> Result<i64, StoreError> {
        let Some(keys) = self.keys.as_deref() else { return Ok(0) };
        let mut total = 0;
        loop {
            let mut tx = self.write().await?;
            let rows = sqlx::query("SELECT id, disability_note FROM children WHERE disability_note IS NOT NULL LIMIT 500")
                .fetch_all(&mut *tx)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let id = r.uuid("id")?;
                let note = r.text("disability_note")?;
                let (mut info, version, ..) = read(&mut tx, keys, id).await?;
                info.disability_detail = Some(match info.disability_detail.take() {
                    Some(d) if d != note => format!("{d}\n{note}"),
                    _ => note,
                });
                write(&mut tx, keys, id, version, &info, None).await?;
                sqlx::query("UPDATE children SET disability_note = NULL WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
            }
            total += rows.len() as i64;
            audit::append(
                &mut tx,
                crate::Who::system(),
                Entry {
                    action: "child.sensitive_sealed_legacy",
                    record_type: "child",
                    record_id: None,
                    detail: json!({"records": rows.len()}),
                },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(total)
    }
}
