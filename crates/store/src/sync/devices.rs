//! Enrolled devices: a user's phone or laptop that carries cases offline. Each has a key that
//! encrypts what it holds, kept here and handed only to its own user's signed-in sessions, so
//! revoking a device (a lost phone) leaves its copy unreadable once it next asks, and refuses
//! anything it sends.

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::sessions::secret_hash;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Device {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_name: String,
    pub org_id: Uuid,
    pub name: String,
    pub created_at: String,
    pub last_sync_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Notices are pushed to it (its owner turned them on there).
    pub pushes: bool,
}

impl Device {
    pub fn revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

pub(super) const COLUMNS: &str =
    "d.id, d.user_id, u.display_name AS user_name, d.org_id, d.name, d.created_at, d.last_sync_at, d.revoked_at, \
     (SELECT COUNT(*) FROM notification_push_subscriptions s WHERE s.device_id = d.id) AS pushes";
pub(super) const FROM: &str = "FROM devices d JOIN users u ON u.id = d.user_id";

pub(super) fn device(r: &sqlx::any::AnyRow) -> Result<Device, StoreError> {
    Ok(Device {
        id: r.uuid("id")?,
        user_id: r.uuid("user_id")?,
        user_name: r.text("user_name")?,
        org_id: r.uuid("org_id")?,
        name: r.text("name")?,
        created_at: r.text("created_at")?,
        last_sync_at: r.opt_text("last_sync_at")?,
        revoked_at: r.opt_text("revoked_at")?,
        pushes: r.int("pushes")? > 0,
    })
}

/// A device's name as its user typed it ("Sokha's phone"): one line, at most 60 characters.
fn clean_name(raw: &str) -> String {
    let one_line: String = raw.chars().filter(|c| !c.is_control()).collect();
    let trimmed = one_line.trim();
    let name: String = trimmed.chars().take(60).collect();
    if name.is_empty() {
        "—".into()
    } else {
        name
    }
}

impl Store {
    /// Enrol a device for the actor, which proves itself from now on with `secret` (made by the
    /// device; only its hash is kept). Returns it and the key that encrypts its copy.
    pub async fn enrol_device(&self, actor: &Actor, name: &str, secret: &str) -> Result<(Device, String), StoreError> {
        if !decide(actor, Action::WorkOffline, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        if !super::device_keys::valid_secret(secret) {
            return Err(StoreError::invalid("secret", "err-invalid"));
        }
        let id = new_id();
        let (key, key_id, sealed) = super::device_keys::new_key(self.keys()?, id)?;
        let name = clean_name(name);
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO devices (id, user_id, org_id, name, data_key, key_id, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(actor.user_id.to_string())
        .bind(actor.org_id.to_string())
        .bind(&name)
        .bind(&sealed)
        .bind(&key_id)
        .bind(secret_hash(secret))
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "device.enrol", record_type: "device", record_id: Some(id.to_string()), detail: json!({"name": name}) },
        )
        .await?;
        tx.commit().await?;
        Ok((self.device(id).await?, key))
    }

    async fn device(&self, id: Uuid) -> Result<Device, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {FROM} WHERE d.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        device(&row)
    }

    /// The actor's devices, newest first.
    pub async fn my_devices(&self, actor: &Actor) -> Result<Vec<Device>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {FROM} WHERE d.user_id = $1 ORDER BY d.created_at DESC")))
            .bind(actor.user_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(device).collect()
    }

    /// Every device of the organisation, for its administrator, newest first.
    pub async fn org_devices(&self, actor: &Actor, org: Uuid) -> Result<Vec<Device>, StoreError> {
        if !decide(actor, Action::ManageDevices, Target::Organisation(org)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE d.org_id = $1 ORDER BY d.revoked_at IS NOT NULL, d.created_at DESC LIMIT 1000"
        )))
        .bind(org.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(device).collect()
    }

    /// One person's devices, for an administrator of their organisation (the user's admin page).
    pub async fn user_devices(&self, actor: &Actor, org: Uuid, user: Uuid) -> Result<Vec<Device>, StoreError> {
        if !decide(actor, Action::ManageDevices, Target::Organisation(org)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE d.org_id = $1 AND d.user_id = $2 ORDER BY d.revoked_at IS NOT NULL, d.created_at DESC"
        )))
        .bind(org.to_string())
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(device).collect()
    }

    /// Revoke a device: its user may (a phone given back), and so may the organisation's
    /// administrator (a lost one). Its key is destroyed with it.
    pub async fn revoke_device(&self, actor: &Actor, id: Uuid) -> Result<Device, StoreError> {
        let d = self.device(id).await?;
        let own = d.user_id == actor.user_id;
        // Another organisation's device is answered as one that does not exist, as its
        // accounts are (`managed_user`).
        if !own && d.org_id != actor.org_id && !decide(actor, Action::ManageDevices, Target::Organisation(d.org_id)).allowed() {
            return Err(StoreError::NotFound);
        }
        if !own {
            // An administrator revokes the devices of the accounts they may manage: never a
            // system administrator's from an organisation's administrator.
            let role = self.user(d.user_id).await?.role;
            let account = Target::Account(krousar_domain::policy::Account { org_id: d.org_id, role });
            if !decide(actor, Action::ManageDevices, Target::Organisation(d.org_id)).allowed()
                || !decide(actor, Action::ManageUsers, account).allowed()
            {
                return Err(StoreError::Forbidden);
            }
        }
        if d.revoked() {
            return Ok(d);
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE devices SET revoked_at = $1, revoked_by = $2, data_key = '', key_id = '', previous_key = NULL, previous_key_id = NULL WHERE id = $3",
        )
        .bind(now_text())
        .bind(actor.user_id.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        // The phone's web sessions end with it (issue 20): not at their timeout, hours later.
        let sessions = crate::session_devices::end_device_sessions(&mut tx, id).await?;
        // Its push subscription ends with it: a lost phone is told nothing more.
        crate::notifications::push::end_subscriptions(&mut tx, "device_id", id).await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "device.revoke",
                record_type: "device",
                record_id: Some(id.to_string()),
                detail: json!({"user": d.user_id, "name": d.name, "sessions_ended": sessions}),
            },
        )
        .await?;
        tx.commit().await?;
        self.device(id).await
    }

    /// The device brought its copy up to date, or sent changes, now. Written at most once a
    /// minute (as a session's activity is): a write per download would queue behind every
    /// other write on SQLite, for a time the Devices page shows to the day.
    pub async fn device_synced(&self, d: &Device) -> Result<(), StoreError> {
        let now = chrono::Utc::now();
        let recent = d.last_sync_at.as_deref().and_then(crate::db::parse_time).is_some_and(|t| now - t < chrono::Duration::seconds(60));
        if !recent {
            sqlx::query("UPDATE devices SET last_sync_at = $1 WHERE id = $2")
                .bind(crate::db::time_text(now))
                .bind(d.id.to_string())
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn device_names_are_one_short_line() {
        assert_eq!(super::clean_name("  Sokha's phone\n<script>  "), "Sokha's phone<script>");
        assert_eq!(super::clean_name(""), "—");
        assert_eq!(super::clean_name(&"ក".repeat(100)).chars().count(), 60);
    }
}
