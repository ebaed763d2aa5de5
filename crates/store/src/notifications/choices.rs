//! Who hears of what by which channel: a person's own choices and e-mail address, and an
//! organisation's defaults and quiet hours. Each change is one audited write.

use crate::audit::{self, Entry};
use crate::db::{RowExt, Store, Tx};
use crate::error::StoreError;
use krousar_domain::notify::choices::{from_text, resolve, to_text, Channels};
use krousar_domain::notify::quiet::QuietHours;
use krousar_domain::notify::Event;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A table of choices, event by event.
pub type Table = BTreeMap<Event, Channels>;

/// What a person sees on their choices page.
#[derive(Debug, Clone, Serialize)]
pub struct MyChoices {
    pub email: Option<String>,
    /// The channels each event goes by for them now.
    pub table: Table,
    /// Whether they chose for themselves (else their organisation's defaults apply).
    pub own: bool,
}

/// An organisation's defaults and quiet hours.
#[derive(Debug, Clone, Serialize)]
pub struct OrgChoices {
    pub table: Table,
    /// (start, end) as "HH:MM", Cambodia's time.
    pub quiet: Option<(String, String)>,
}

async fn stored(tx: &mut Tx, kind: &str, owner: Uuid) -> Result<BTreeMap<Event, Channels>, StoreError> {
    let rows = sqlx::query("SELECT event, channels FROM notification_choices WHERE owner_kind = $1 AND owner_id = $2")
        .bind(kind)
        .bind(owner.to_string())
        .fetch_all(&mut **tx)
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let event = r.code("event", Event::parse)?;
        let text = r.text("channels")?;
        out.insert(event, from_text(&text).ok_or_else(|| StoreError::Corrupt(format!("notification_choices.channels {text:?}")))?);
    }
    Ok(out)
}

async fn replace(tx: &mut Tx, kind: &str, owner: Uuid, table: &Table) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM notification_choices WHERE owner_kind = $1 AND owner_id = $2")
        .bind(kind)
        .bind(owner.to_string())
        .execute(&mut **tx)
        .await?;
    for (event, channels) in table {
        sqlx::query("INSERT INTO notification_choices (owner_kind, owner_id, event, channels) VALUES ($1, $2, $3, $4)")
            .bind(kind)
            .bind(owner.to_string())
            .bind(event.code())
            .bind(to_text(channels))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn effective(mine: &BTreeMap<Event, Channels>, org: &BTreeMap<Event, Channels>) -> Table {
    Event::ALL.into_iter().map(|e| (e, resolve(e, mine.get(&e), org.get(&e)))).collect()
}

impl Store {
    /// The actor's own choices and address.
    pub async fn my_notice_choices(&self, actor: &Actor) -> Result<MyChoices, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mine = stored(&mut tx, "user", actor.user_id).await?;
        let org = stored(&mut tx, "org", actor.org_id).await?;
        let email = sqlx::query("SELECT email FROM notification_addresses WHERE user_id = $1")
            .bind(actor.user_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.text("email"))
            .transpose()?;
        Ok(MyChoices { email, table: effective(&mine, &org), own: !mine.is_empty() })
    }

    /// Keep the actor's choices (`None`: follow the organisation's again) and address.
    pub async fn set_my_notice_choices(&self, actor: &Actor, email: Option<&str>, table: Option<&Table>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        match table {
            Some(t) => replace(&mut tx, "user", actor.user_id, t).await?,
            None => replace(&mut tx, "user", actor.user_id, &Table::new()).await?,
        }
        sqlx::query("DELETE FROM notification_addresses WHERE user_id = $1").bind(actor.user_id.to_string()).execute(&mut *tx).await?;
        if let Some(email) = email {
            sqlx::query("INSERT INTO notification_addresses (user_id, email) VALUES ($1, $2)")
                .bind(actor.user_id.to_string())
                .bind(email)
                .execute(&mut *tx)
                .await?;
        }
        let detail = json!({"email": email.is_some(), "own": table.is_some()});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "notify.choices", record_type: "user", record_id: Some(actor.user_id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    fn may_manage_notices(actor: &Actor, org: Uuid) -> Result<(), StoreError> {
        if decide(actor, Action::ManageNotifications, Target::Organisation(org)).allowed() {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// An organisation's defaults and quiet hours.
    pub async fn org_notice_choices(&self, actor: &Actor, org: Uuid) -> Result<OrgChoices, StoreError> {
        Self::may_manage_notices(actor, org)?;
        let mut tx = self.pool.begin().await?;
        let org_table = stored(&mut tx, "org", org).await?;
        let quiet = sqlx::query("SELECT starts, ends FROM notification_quiet WHERE org_id = $1")
            .bind(org.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| Ok::<_, StoreError>((r.text("starts")?, r.text("ends")?)))
            .transpose()?;
        Ok(OrgChoices { table: effective(&BTreeMap::new(), &org_table), quiet })
    }

    /// Keep an organisation's defaults and quiet hours (`None`: none).
    pub async fn set_org_notice_choices(
        &self,
        actor: &Actor,
        org: Uuid,
        table: &Table,
        quiet: Option<QuietHours>,
    ) -> Result<(), StoreError> {
        Self::may_manage_notices(actor, org)?;
        let mut tx = self.write().await?;
        replace(&mut tx, "org", org, table).await?;
        sqlx::query("DELETE FROM notification_quiet WHERE org_id = $1").bind(org.to_string()).execute(&mut *tx).await?;
        let hours = quiet.map(|q| (q.start.format("%H:%M").to_string(), q.end.format("%H:%M").to_string()));
        if let Some((s, e)) = &hours {
            sqlx::query("INSERT INTO notification_quiet (org_id, starts, ends) VALUES ($1, $2, $3)")
                .bind(org.to_string())
                .bind(s)
                .bind(e)
                .execute(&mut *tx)
                .await?;
        }
        let detail = json!({"quiet": hours, "events": table.iter().map(|(e, c)| (e.code(), to_text(c))).collect::<BTreeMap<_, _>>()});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "notify.org_choices", record_type: "organisation", record_id: Some(org.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
