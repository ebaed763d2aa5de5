//! The sign-in lockout, counted atomically. Every check of a password or of a two-step code first
//! reserves an attempt: one statement raises the account's count (and the pending session's, for
//! a code) before anything is verified. Parallel guesses therefore never pass more checks than
//! the limit, a locked account is refused before any check, and only a completed sign-in (or a
//! correct password where no second step follows) puts the count back to nothing.

use crate::accounts::User;
use crate::audit::{self, Entry, Who};
use crate::db::{now_text, time_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::sessions::Session;
use serde_json::json;

/// How many failures lock an account, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Lockout {
    pub max_failures: i64,
    pub lock_minutes: i64,
}

/// Wrong two-step codes after which a pending session ends (the password must be given again).
pub const MAX_CODE_FAILURES: i64 = 5;

/// The answer to a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Check the secret; this is the account's `n`th attempt since its count was last cleared.
    Check(i64),
    /// Locked (now, or by this very attempt): refuse without checking anything.
    Locked,
}

impl Store {
    /// Reserve one attempt on `user`'s account before checking a password or code.
    pub async fn reserve_attempt(&self, user: &User, limits: Lockout) -> Result<Attempt, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1 \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING failed_logins",
        )
        .bind(user.id.to_string())
        .bind(now_text())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(Attempt::Locked);
        };
        let n = row.int("failed_logins")?;
        if n > limits.max_failures {
            // The limit was reached by attempts still being checked: this one locks.
            lock(&mut tx, user, n, limits).await?;
            tx.commit().await?;
            return Ok(Attempt::Locked);
        }
        tx.commit().await?;
        Ok(Attempt::Check(n))
    }

    /// The reserved attempt `n` failed: audit it, and lock the account when it was the last allowed.
    pub async fn attempt_failed(&self, user: &User, n: i64, limits: Lockout) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        metrics::counter!("krousar_sign_in_failures_total").increment(1);
        if n >= limits.max_failures {
            metrics::counter!("krousar_sign_in_lockouts_total").increment(1);
            lock(&mut tx, user, n, limits).await?;
        } else {
            audit::append(
                &mut tx,
                who(user),
                Entry { action: "auth.failure", record_type: "user", record_id: Some(user.id.to_string()), detail: json!({"failures": n}) },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A password was right where no sign-in follows (enrolling a device): clear the count.
    pub async fn attempt_succeeded(&self, user: &User) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Reserve one code check on a pending session. `None`: the session is gone or has used its
    /// checks (it is ended); `Some(n)`: this is its `n`th code.
    pub async fn reserve_code(&self, session: &Session) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "UPDATE sessions SET second_factor_failures = second_factor_failures + 1 \
             WHERE id_hash = $1 AND second_factor_pending = 1 RETURNING second_factor_failures",
        )
        .bind(&session.id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let n = row.map(|r| r.int("second_factor_failures")).transpose()?;
        match n {
            Some(n) if n <= MAX_CODE_FAILURES => Ok(Some(n)),
            Some(_) => {
                self.end_session_hash(&session.id_hash).await?;
                Ok(None)
            }
            None => Ok(None),
        }
    }
}

fn who(user: &User) -> Who {
    Who { actor_id: Some(user.id), org_id: Some(user.org_id), device: None }
}

/// Lock the account for the configured time; its count starts again when the lock ends.
async fn lock(tx: &mut Tx, user: &User, n: i64, limits: Lockout) -> Result<(), StoreError> {
    let until = time_text(chrono::Utc::now() + chrono::Duration::minutes(limits.lock_minutes));
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2")
        .bind(&until)
        .bind(user.id.to_string())
        .execute(&mut **tx)
        .await?;
    audit::append(
        tx,
        who(user),
        Entry { action: "auth.locked", record_type: "user", record_id: Some(user.id.to_string()), detail: json!({"failures": n}) },
    )
    .await?;
    Ok(())
}
