//! Questions a user may ask only so often (the duplicate check: each answer says a little about
//! children the user may not see). Counted per user and clock hour by one upsert, which the
//! database makes atomic: parallel requests and several app servers share the one count.

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use chrono::{Timelike, Utc};
use uuid::Uuid;

impl Store {
    /// Count one more `kind` question by `user` this hour; `TooMany(key)` past `per_hour`.
    pub(crate) async fn count_question(&self, user: Uuid, kind: &str, per_hour: i64, key: &'static str) -> Result<(), StoreError> {
        let now = Utc::now();
        let hour = now.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
        let window = crate::db::time_text(hour);
        let n = sqlx::query(
            "INSERT INTO rate_counts (user_id, kind, window_start, n) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (user_id, kind, window_start) DO UPDATE SET n = rate_counts.n + 1 RETURNING n",
        )
        .bind(user.to_string())
        .bind(kind)
        .bind(&window)
        .fetch_one(&self.pool)
        .await?
        .int("n")?;
        if n == 1 {
            // A new hour for this user: the hours before it are no longer needed.
            sqlx::query("DELETE FROM rate_counts WHERE user_id = $1 AND kind = $2 AND window_start < $3")
                .bind(user.to_string())
                .bind(kind)
                .bind(&window)
                .execute(&self.pool)
                .await?;
        }
        if n > per_hour {
            return Err(StoreError::TooMany(key));
        }
        Ok(())
    }
}
