//! The daily digest of overdue work: once a day (from `DIGEST_HOUR` in Cambodia), each person
//! with overdue visits, tasks or case deadlines gets one notice that counts them. One server
//! makes it (the day's run is claimed; a run whose server stopped is taken over after its
//! claim lapses), and a person's digest is keyed by the day, so a run taken over adds nothing
//! twice.

use super::notify;
use crate::db::{time_text, RowExt, Store};
use crate::error::StoreError;
use chrono::{DateTime, Duration, Timelike, Utc};
use krousar_domain::context::cambodia_day;
use krousar_domain::notify::{Event, Notice};

/// The hour (Cambodia's) from which the day's digest is made.
pub const DIGEST_HOUR: u32 = 7;
const CLAIM_MINUTES: i64 = 10;

impl Store {
    /// One person's digest: counted from their worklist, given once for the day.
    async fn digest_for(&self, id: uuid::Uuid, now: DateTime<Utc>, day: &str, key: &str) -> Result<usize, StoreError> {
        let user = self.user(id).await?;
        let actor = user.actor().at(now);
        let overdue = self.worklist_unnamed(&actor).await?.due.iter().filter(|d| d.due_on.as_str() < day).count();
        if overdue == 0 {
            return Ok(0);
        }
        let count = i64::try_from(overdue).unwrap_or(i64::MAX);
        let mut tx = self.write().await?;
        let n = notify(&mut tx, &[user.id], &Notice { event: Event::Overdue, count, link: "/".into() }, Some(key), now).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Make the day's overdue digest if it is time and no server has; returns how many people
    /// were given one (`None`: not this server's to make now).
    pub async fn overdue_digest(&self, now: DateTime<Utc>) -> Result<Option<usize>, StoreError> {
        let local = now + Duration::hours(7);
        if local.hour() < DIGEST_HOUR {
            return Ok(None);
        }
        let today = cambodia_day(now);
        let day = today.to_string();
        let until = time_text(now + Duration::minutes(CLAIM_MINUTES));
        let claimed = sqlx::query(
            "INSERT INTO notification_runs (kind, day, claimed_until) VALUES ('overdue', $1, $2) ON CONFLICT (kind, day) DO NOTHING",
        )
        .bind(&day)
        .bind(&until)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1
            || sqlx::query(
                "UPDATE notification_runs SET claimed_until = $1 WHERE kind = 'overdue' AND day = $2 AND finished_at IS NULL AND claimed_until < $3",
            )
            .bind(&until)
            .bind(&day)
            .bind(time_text(now))
            .execute(&self.pool)
            .await?
            .rows_affected()
                == 1;
        if !claimed {
            return Ok(None);
        }
        // Who holds cases or tasks is the policy's to say (`holds_tasks`), not a list here.
        let people: Vec<_> = sqlx::query("SELECT id, role FROM users WHERE disabled = 0 ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .filter(|r| r.code("role", krousar_domain::Role::parse).is_ok_and(krousar_domain::policy::holds_tasks))
            .collect();
        let key = format!("overdue:{day}");
        let mut given = 0;
        for (i, p) in people.iter().enumerate() {
            // A long run keeps its claim, so that no other server starts the same work.
            if i % 200 == 199 {
                sqlx::query("UPDATE notification_runs SET claimed_until = $1 WHERE kind = 'overdue' AND day = $2")
                    .bind(time_text(chrono::Utc::now().max(now) + Duration::minutes(CLAIM_MINUTES)))
                    .bind(&day)
                    .execute(&self.pool)
                    .await?;
            }
            // One person's problem (a record that cannot be read) is logged and skipped: it must
            // not keep everyone after them from their digest.
            match self.digest_for(p.uuid("id")?, now, &day, &key).await {
                Ok(n) => given += n,
                Err(e) => tracing::warn!(error = %e, "overdue digest skipped for one person"),
            }
        }
        sqlx::query("UPDATE notification_runs SET finished_at = $1 WHERE kind = 'overdue' AND day = $2")
            .bind(time_text(now))
            .bind(&day)
            .execute(&self.pool)
            .await?;
        Ok(Some(given))
    }
}
