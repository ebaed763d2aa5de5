//! The installation's outgoing mail server: one row, changed by the system administrator, its
//! password sealed with the key ring (`sealed.rs` lists it, so that key rotation re-seals it).

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::notify::settings::{MailSettings, Security};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde::Serialize;
use serde_json::json;

/// The row's id, and what its sealed password is sealed for.
const ROW: &str = "mail";
pub(crate) const RECORD_PREFIX: &str = "mail:";

/// The settings as the administrator's page shows them: the password only as "kept".
#[derive(Debug, Clone, Serialize)]
pub struct MailView {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub has_password: bool,
    pub from_address: String,
    pub site: String,
    pub updated_at: String,
}

/// The settings with the password opened, for the sender only: the domain's own type.
pub type MailServer = MailSettings;

fn allowed(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::ManageMail, Target::Nothing).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

impl Store {
    /// The mail settings, for the system administrator (`None` until set).
    pub async fn mail_settings(&self, actor: &Actor) -> Result<Option<MailView>, StoreError> {
        allowed(actor)?;
        let Some(s) = self.mail_server().await? else { return Ok(None) };
        let updated_at = sqlx::query("SELECT updated_at FROM notification_mail WHERE id = $1")
            .bind(ROW)
            .fetch_one(&self.pool)
            .await?
            .text("updated_at")?;
        Ok(Some(MailView {
            host: s.host,
            port: s.port,
            security: s.security,
            username: s.username,
            has_password: s.password.is_some(),
            from_address: s.from_address,
            site: s.site,
            updated_at,
        }))
    }

    /// Keep the mail settings; a `None` password keeps the one kept (if the server is the same).
    pub async fn set_mail_settings(&self, actor: &Actor, s: &MailSettings) -> Result<(), StoreError> {
        allowed(actor)?;
        let sealed = match &s.password {
            Some(p) => Some(self.keys()?.seal(&format!("{RECORD_PREFIX}{ROW}"), p.as_bytes())?),
            None => None,
        };
        let mut tx = self.write().await?;
        let before = sqlx::query("SELECT host, port, security, username, password, password_key_id FROM notification_mail WHERE id = $1")
            .bind(ROW)
            .fetch_optional(&mut *tx)
            .await?;
        // A password kept for one server is not sent to another one the form now names, nor
        // over a connection less protected, nor for another account.
        let kept = match before {
            Some(r)
                if r.text("host")? == s.host
                    && r.int("port")? == i64::from(s.port)
                    && r.text("security")? == s.security.code()
                    && r.opt_text("username")? == s.username =>
            {
                (r.opt_text("password")?, r.opt_text("password_key_id")?)
            }
            _ => (None, None),
        };
        let (password, key_id) = match sealed {
            Some((key_id, sealed)) => (Some(sealed), Some(key_id)),
            None => kept,
        };
        sqlx::query("DELETE FROM notification_mail WHERE id = $1").bind(ROW).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO notification_mail (id, host, port, security, username, password, password_key_id, from_address, site, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(ROW)
        .bind(&s.host)
        .bind(i64::from(s.port))
        .bind(s.security.code())
        .bind(&s.username)
        .bind(&password)
        .bind(&key_id)
        .bind(&s.from_address)
        .bind(&s.site)
        .bind(now_text())
        .bind(actor.user_id.to_string())
        .execute(&mut *tx)
        .await?;
        let detail = json!({"host": s.host, "port": s.port, "security": s.security.code(), "password_changed": s.password.is_some()});
        audit::append(&mut tx, actor.into(), Entry { action: "mail.settings", record_type: "installation", record_id: None, detail })
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The address people open Krousar at, as the mail settings name it (for links shown in
    /// the pages; nothing secret is opened).
    pub async fn mail_site(&self) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT site FROM notification_mail WHERE id = $1").bind(ROW).fetch_optional(&self.pool).await?;
        r.map(|r| r.text("site")).transpose()
    }

    /// The mail server to send through, password opened (`None` until one is set). For the
    /// notification sender and the administrator's test message only.
    pub async fn mail_server(&self) -> Result<Option<MailServer>, StoreError> {
        let row = sqlx::query(
            "SELECT host, port, security, username, password, password_key_id, from_address, site FROM notification_mail WHERE id = $1",
        )
        .bind(ROW)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let password = match (r.opt_text("password")?, r.opt_text("password_key_id")?) {
            (Some(sealed), Some(key_id)) if !sealed.is_empty() && !key_id.is_empty() => {
                let plain = self.keys()?.open_sealed(&key_id, &format!("{RECORD_PREFIX}{ROW}"), &sealed)?;
                Some(String::from_utf8(plain).map_err(|_| StoreError::Corrupt("mail password".into()))?)
            }
            (Some(clear), _) if !clear.is_empty() => Some(clear),
            _ => None,
        };
        let port = u16::try_from(r.int("port")?).map_err(|_| StoreError::Corrupt("notification_mail.port".into()))?;
        Ok(Some(MailServer {
            host: r.text("host")?,
            port,
            security: r.code("security", Security::parse)?,
            username: r.opt_text("username")?,
            password,
            from_address: r.text("from_address")?,
            site: r.text("site")?,
        }))
    }
}
