//! Which installation a database is: a random id made once, at the first start after migration
//! 0035, and kept for good. A backup records it, so that a restore can refuse to put one
//! installation's records over another's by mistake.

use crate::db::{now_text, Backend, Store};
use crate::error::StoreError;

/// Whether `table` (and, when given, its `column`) exists in this database: a restore reads
/// copies made by older versions, which lack newer tables and columns.
pub(crate) async fn has_column(store: &Store, table: &str, column: Option<&str>) -> Result<bool, StoreError> {
    let n: i64 =
        match (store.backend, column) {
            (Backend::Sqlite, None) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1")
                    .bind(table)
                    .fetch_one(store.pool())
                    .await?
            }
            (Backend::Sqlite, Some(c)) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2")
                    .bind(table)
                    .bind(c)
                    .fetch_one(store.pool())
                    .await?
            }
            (Backend::Postgres, None) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1")
                    .bind(table)
                    .fetch_one(store.pool())
                    .await?
            }
            (Backend::Postgres, Some(c)) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2",
            )
            .bind(table)
            .bind(c)
            .fetch_one(store.pool())
            .await?,
        };
    Ok(n > 0)
}

impl Store {
    /// Give this database its installation id if it has none yet (several servers starting at
    /// once agree: the first insert wins, the others do nothing).
    pub async fn ensure_installation_id(&self) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO installation (id, installation_id, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(uuid::Builder::from_random_bytes(rand::random()).into_uuid().to_string())
            .bind(now_text())
            .execute(self.pool())
            .await?;
        Ok(sqlx::query_scalar("SELECT installation_id FROM installation WHERE id = 1").fetch_one(self.pool()).await?)
    }

    /// This database's installation id; `None` when it has none (made before migration 0035,
    /// or never started since).
    pub async fn installation_id(&self) -> Result<Option<String>, StoreError> {
        if !has_column(self, "installation", None).await? {
            return Ok(None);
        }
        Ok(sqlx::query_scalar("SELECT installation_id FROM installation WHERE id = 1").fetch_optional(self.pool()).await?)
    }
}
