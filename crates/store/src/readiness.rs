//! Whether this server can serve: the database answers, its schema is the one this binary
//! migrates to, and the key ring that seals sensitive information is loaded (`/readyz`).

use crate::db::Store;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Readiness {
    pub database: bool,
    /// The schema's version, and the one this binary expects.
    pub schema: Option<i64>,
    pub expected_schema: i64,
    pub keys: bool,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database && self.schema == Some(self.expected_schema) && self.keys
    }
}

impl Store {
    pub async fn readiness(&self) -> Readiness {
        let expected_schema = crate::migrate::latest();
        let schema = match self.pool.acquire().await {
            Ok(mut conn) => crate::migrate::schema_version(&mut conn, self.backend).await.ok(),
            Err(_) => None,
        };
        Readiness { database: schema.is_some(), schema, expected_schema, keys: self.keys().is_ok() }
    }
}

impl Store {
    /// The background queues by state, for `/metrics`: (queue, state, how many).
    pub async fn queue_sizes(&self) -> Result<Vec<(&'static str, String, i64)>, crate::error::StoreError> {
        use crate::db::RowExt;
        let mut out = Vec::new();
        for (queue, table) in
            [("notice_deliveries", "notification_deliveries"), ("import_jobs", "import_jobs"), ("export_jobs", "export_jobs")]
        {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT state, COUNT(*) AS n FROM {table} GROUP BY state")))
                .fetch_all(&self.pool)
                .await?;
            for r in rows {
                out.push((queue, r.text("state")?, r.int("n")?));
            }
        }
        Ok(out)
    }
}
