//! Sign-in sessions and API tokens. Only SHA-256 hashes of the secrets are stored: a copy of the
//! database does not let anyone sign in.

use crate::accounts::{user_from, User, USER_COLUMNS, USER_FROM};
use crate::audit::{self, Entry, Who};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::new_id;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const SESSION_COLUMNS: &str = "s.id_hash, s.user_id, s.csrf, s.created_at, s.last_seen_at, s.second_factor_pending, s.device_id, \
    (SELECT COUNT(*) FROM notifications n WHERE n.user_id = s.user_id AND n.read_at IS NULL) AS unread_notices";

fn session_from(r: &sqlx::any::AnyRow) -> Result<Session, StoreError> {
    Ok(Session {
        id_hash: r.text("id_hash")?,
        user_id: r.uuid("user_id")?,
        csrf: r.text("csrf")?,
        created_at: r.text("created_at")?,
        last_seen_at: r.text("last_seen_at")?,
        second_factor_pending: r.int("second_factor_pending")? != 0,
        device_id: r.opt_uuid("device_id")?,
        unread_notices: r.int("unread_notices")?,
    })
}

pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: Uuid,
    pub csrf: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// Password accepted, second factor still to come: no access yet.
    pub second_factor_pending: bool,
    /// The enrolled device this session works for, if known (`session_devices.rs`): revoking
    /// the device ends the session.
    pub device_id: Option<Uuid>,
    /// The user's unread notices when the session was read (the number beside the bell),
    /// read with the session in its one query.
    pub unread_notices: i64,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub id: Uuid,
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl Store {
    /// Start a session after a correct password: audits the sign-in, and clears the failure count
    /// unless a second step is still due.
    /// Returns the secret for the cookie. A new secret each time (rotation at login).
    pub async fn start_session(&self, user: &User, second_factor_pending: bool) -> Result<(String, Session), StoreError> {
        let secret = random_secret();
        let now = now_text();
        let session = Session {
            id_hash: secret_hash(&secret),
            user_id: user.id,
            csrf: random_secret(),
            created_at: now.clone(),
            last_seen_at: now.clone(),
            second_factor_pending,
            device_id: None,
            unread_notices: 0,
        };
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, second_factor_pending) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&session.id_hash)
            .bind(user.id.to_string())
            .bind(&session.csrf)
            .bind(&now)
            .bind(&now)
            .bind(second_factor_pending as i64)
            .execute(&mut *tx)
            .await?;
        if !second_factor_pending {
            // Only a completed sign-in clears the count: a right password followed by wrong
            // codes keeps counting towards the lock (sign_in_guard.rs).
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        let action = if second_factor_pending { "auth.password_ok" } else { "auth.login" };
        audit::append(
            &mut tx,
            Who { actor_id: Some(user.id), org_id: Some(user.org_id), device: None },
            Entry { action, record_type: "user", record_id: Some(user.id.to_string()), detail: json!({}) },
        )
        .await?;
        tx.commit().await?;
        Ok((secret, session))
    }

    /// The second factor was accepted: the session becomes a full one, under a new secret.
    pub async fn complete_second_factor(&self, old: &Session, user: &User) -> Result<(String, Session), StoreError> {
        self.end_session_hash(&old.id_hash).await?;
        self.start_session(user, false).await
    }

    /// A session and its user in one query: every page asks, and each query is a round trip
    /// to the database's thread (SQLite) or server (PostgreSQL).
    pub async fn session_caller(&self, secret: &str) -> Result<Option<(Session, User)>, StoreError> {
        let sql =
            format!("SELECT {SESSION_COLUMNS}, {USER_COLUMNS} FROM {USER_FROM} JOIN sessions s ON s.user_id = u.id WHERE s.id_hash = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(secret_hash(secret)).fetch_optional(&self.pool).await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some((session_from(&r)?, self.with_teams(user_from(&r)?).await?)))
    }

    /// The user behind an API token that is not revoked, in one query (every API request asks).
    pub async fn token_caller(&self, secret: &str) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM {USER_FROM} JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(secret_hash(secret)).fetch_optional(&self.pool).await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some(self.with_teams(user_from(&r)?).await?))
    }

    /// Mark activity for the idle timeout. Bookkeeping, not a record change: not audited.
    pub async fn touch_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now_text()).bind(id_hash).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn end_session_hash(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// Remove sessions not seen for `idle_minutes`; returns how many.
    pub async fn purge_idle_sessions(&self, idle_minutes: i64) -> Result<u64, StoreError> {
        let before = crate::db::time_text(chrono::Utc::now() - chrono::Duration::minutes(idle_minutes));
        Ok(sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1").bind(before).execute(&self.pool).await?.rows_affected())
    }

    /// A new API token for `user`; the secret is returned once and never stored.
    pub async fn create_token(&self, who: Who, user: &User, label: &str) -> Result<String, StoreError> {
        let secret = format!("krt_{}", random_secret());
        let id = new_id();
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(user.id.to_string())
            .bind(secret_hash(&secret))
            .bind(label)
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            who,
            Entry {
                action: "token.create",
                record_type: "api_token",
                record_id: Some(id.to_string()),
                detail: json!({"user": user.id, "label": label}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    pub async fn tokens(&self, user: Uuid) -> Result<Vec<Token>, StoreError> {
        let rows = sqlx::query("SELECT id, label, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC")
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Token {
                    id: r.uuid("id")?,
                    label: r.text("label")?,
                    created_at: r.text("created_at")?,
                    revoked_at: r.opt_text("revoked_at")?,
                })
            })
            .collect()
    }

    pub async fn revoke_token(&self, who: Who, user: Uuid, token: Uuid) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now_text())
            .bind(token.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            who,
            Entry { action: "token.revoke", record_type: "api_token", record_id: Some(token.to_string()), detail: json!({}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
