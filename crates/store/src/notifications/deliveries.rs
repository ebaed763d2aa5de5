//! Handing queued deliveries to the sender, across several app servers: a server claims one
//! delivery with one conditional update (only one server's update finds it unclaimed) under a
//! token, sends it within `SEND_SECONDS`, and records the outcome under that token. A claim
//! lapses after `CLAIM_SECONDS`, so a delivery whose server stopped is taken up again; a
//! failure is retried later, up to `MAX_ATTEMPTS`.
//!
//! A message is sent at most once per claim. The one case where it can go twice is a server
//! that stops after the mail server took the message and before the outcome is recorded; the
//! message then carries the same `Message-ID` (the delivery's id), which mail systems use to
//! drop a duplicate.

use crate::db::{time_text, RowExt, Store};
use crate::error::StoreError;
use chrono::{DateTime, Duration, Utc};
use krousar_domain::notify::{Channel, Event, Notice};
use uuid::Uuid;

const CLAIM_SECONDS: i64 = 300;
pub const MAX_ATTEMPTS: i64 = 6;
/// A message must be handed to the mail server within this time (well within its claim).
pub const SEND_SECONDS: u64 = 60;

/// A delivery to make now.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: Uuid,
    /// The claim's own token: only it may record the outcome.
    pub token: String,
    pub notification: Uuid,
    /// Whose notice it is.
    pub user: Uuid,
    pub channel: Channel,
    pub attempts: i64,
    pub notice: Notice,
    /// The recipient's e-mail address (e-mail deliveries), and their language.
    pub email: Option<String>,
    pub locale: String,
}

/// How long to wait before the next try: 1, 4, 16, 64… minutes.
pub fn retry_after(attempts: i64) -> Duration {
    Duration::minutes(4_i64.saturating_pow(u32::try_from(attempts.clamp(0, 6)).unwrap_or(6)).min(24 * 60))
}

impl Store {
    /// Claim one delivery that is due at `now` and that nobody is making, under a token of
    /// this claim's own; `None` when there is none. Claimed one at a time, so that a claim
    /// covers one message (sent within `SEND_SECONDS`), never a batch that outlasts it.
    pub async fn claim_delivery(&self, now: DateTime<Utc>) -> Result<Option<Outgoing>, StoreError> {
        let at = time_text(now);
        let until = time_text(now + Duration::seconds(CLAIM_SECONDS));
        let candidates = sqlx::query(
            "SELECT id FROM notification_deliveries WHERE state = 'pending' AND not_before <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY not_before LIMIT 5",
        )
        .bind(&at)
        .fetch_all(&self.pool)
        .await?;
        for c in candidates {
            let id = c.text("id")?;
            let token = krousar_domain::new_id().to_string();
            let won = sqlx::query(
                "UPDATE notification_deliveries SET claimed_until = $1, claim_token = $2, attempts = attempts + 1 \
                 WHERE id = $3 AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $4)",
            )
            .bind(&until)
            .bind(&token)
            .bind(&id)
            .bind(&at)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if won != 1 {
                continue;
            }
            let r = sqlx::query(
                "SELECT d.id, d.notification_id, d.channel, d.attempts, n.event, n.count, n.link, n.user_id, a.email, u.locale \
                 FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id JOIN users u ON u.id = n.user_id \
                 LEFT JOIN notification_addresses a ON a.user_id = n.user_id WHERE d.id = $1",
            )
            .bind(&id)
            .fetch_one(&self.pool)
            .await?;
            return Ok(Some(Outgoing {
                id: r.uuid("id")?,
                token,
                notification: r.uuid("notification_id")?,
                user: r.uuid("user_id")?,
                channel: r.code("channel", Channel::parse)?,
                attempts: r.int("attempts")?,
                notice: Notice { event: r.code("event", Event::parse)?, count: r.int("count")?, link: r.text("link")? },
                email: r.opt_text("email")?,
                locale: r.text("locale")?,
            }));
        }
        Ok(None)
    }

    /// The delivery went (`Ok`), or failed with `error`: retried later, or given up after the
    /// last try. `skip` records a delivery with nowhere to go (no address, no mail server).
    /// Only the claim that holds it records its outcome: a server whose claim lapsed (another
    /// took the delivery over) changes nothing.
    pub async fn delivery_done(&self, d: &Outgoing, outcome: Result<(), String>, skip: bool, now: DateTime<Utc>) -> Result<(), StoreError> {
        let error = outcome.as_ref().err().map(|e| e.chars().take(200).collect::<String>());
        let (state, not_before) = match (&outcome, skip) {
            (Ok(()), _) => ("sent", None),
            (Err(_), true) => ("skipped", None),
            (Err(_), false) if d.attempts >= MAX_ATTEMPTS => ("failed", None),
            (Err(_), false) => ("pending", Some(time_text(now + retry_after(d.attempts)))),
        };
        sqlx::query(
            "UPDATE notification_deliveries SET state = $1, error = $2, sent_at = $3, not_before = COALESCE($4, not_before), \
             claimed_until = NULL, claim_token = NULL WHERE id = $5 AND claim_token = $6",
        )
        .bind(state)
        .bind(error)
        .bind(outcome.is_ok().then(|| time_text(now)))
        .bind(not_before)
        .bind(d.id.to_string())
        .bind(&d.token)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deliveries by state, for the administrator's page: (pending, sent, failed, skipped).
    pub async fn delivery_counts(&self, actor: &krousar_domain::Actor) -> Result<(i64, i64, i64, i64), StoreError> {
        if !krousar_domain::policy::decide(actor, krousar_domain::Action::ManageMail, krousar_domain::policy::Target::Nothing).allowed() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM notification_deliveries GROUP BY state").fetch_all(&self.pool).await?;
        let mut c = (0, 0, 0, 0);
        for r in rows {
            let n = r.int("n")?;
            match r.text("state")?.as_str() {
                "pending" => c.0 = n,
                "sent" => c.1 = n,
                "failed" => c.2 = n,
                _ => c.3 += n,
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::retry_after;

    #[test]
    fn retries_wait_longer_each_time_up_to_a_day() {
        assert_eq!(retry_after(0).num_minutes(), 1);
        assert_eq!(retry_after(1).num_minutes(), 4);
        assert_eq!(retry_after(3).num_minutes(), 64);
        assert_eq!(retry_after(6).num_minutes(), 24 * 60);
        assert_eq!(retry_after(60).num_minutes(), 24 * 60);
    }
}
