//! A person's inbox: their own notices, newest first, read or not. Nobody reads another
//! person's notices: every statement is bound to the actor's own user id, and a notice that
//! is not theirs is "not found". Marking a notice read is the person's own bookkeeping, like
//! a session's last use, and is not audited.

use crate::db::{time_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::notify::Event;
use krousar_domain::Actor;
use serde::Serialize;
use uuid::Uuid;

/// The inbox shows this many notices.
const SHOWN: i64 = 100;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboxNotice {
    pub id: Uuid,
    pub event: Event,
    /// How many things it counts (overdue visits; 1 for most events).
    pub count: i64,
    /// Where it leads in Krousar (a path on this server).
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl Store {
    /// The actor's latest notices.
    pub async fn inbox(&self, actor: &Actor) -> Result<Vec<InboxNotice>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, event, count, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(actor.user_id.to_string())
        .bind(SHOWN)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InboxNotice {
                    id: r.uuid("id")?,
                    event: r.code("event", Event::parse)?,
                    count: r.int("count")?,
                    link: r.text("link")?,
                    created_at: r.text("created_at")?,
                    read_at: r.opt_text("read_at")?,
                })
            })
            .collect()
    }

    /// How many of the actor's notices are unread (the number beside the bell).
    pub async fn unread_notices(&self, user: Uuid) -> Result<i64, StoreError> {
        sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.to_string())
            .fetch_one(&self.pool)
            .await?
            .int("n")
    }

    /// Open one of the actor's notices: it is marked read, and its link returned.
    pub async fn open_notice(&self, actor: &Actor, id: Uuid) -> Result<String, StoreError> {
        let mut tx = self.write().await?;
        let link = sqlx::query("SELECT link FROM notifications WHERE id = $1 AND user_id = $2")
            .bind(id.to_string())
            .bind(actor.user_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .text("link")?;
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
            .bind(time_text(actor.now))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(link)
    }

    /// Mark one of the actor's notices read, or (`None`) all of them. Returns how many changed.
    pub async fn mark_notices_read(&self, actor: &Actor, id: Option<Uuid>) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let n = match id {
            Some(id) => {
                let mine = sqlx::query("SELECT 1 AS one FROM notifications WHERE id = $1 AND user_id = $2")
                    .bind(id.to_string())
                    .bind(actor.user_id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                if mine.is_none() {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
                    .bind(time_text(actor.now))
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
            None => sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(time_text(actor.now))
                .bind(actor.user_id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected(),
        };
        tx.commit().await?;
        Ok(n)
    }
}
