//! Second-step (TOTP) secrets, sealed with the key file like sensitive information
//! (`keyring.rs`): the database and every backup hold only the sealed secret and the id of the
//! key that sealed it, so a copy of either, even with a phone, does not give the codes. The
//! secret is opened only to check a code. Key rotation re-seals them with everything else, and
//! a key is not retired while a secret is still sealed with it (`sealed.rs`).

use crate::accounts::User;
use crate::audit::{self, Entry, Who};
use crate::db::Store;
use crate::error::StoreError;
use serde_json::json;
use uuid::Uuid;

/// A user's second-step secret as stored. `key_id` is `None` only for a secret an older
/// version kept in clear and not yet sealed (`Store::seal_clear_values` does it at start).
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
}
