//! Schema migrations: each engine's folder (`migrations/sqlite`, `migrations/postgres`) run by
//! sqlx's migrator, embedded in the binary. The migrator checksums what it applied (an edited
//! migration is refused, not silently skipped), runs each one in a transaction, and on
//! PostgreSQL holds an advisory lock while it works, so several app servers may start at once.
//! The two folders hold the same versions under the same names (checked at start and by a
//! test); `tests/schema_parity.rs` compares the schemas they produce, column by column.

use crate::db::{Backend, Store};
use crate::error::StoreError;
use sqlx::migrate::Migrator;
use sqlx::AnyConnection;

pub static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The table in which releases before the switch to sqlx's migrator kept what they applied.
const OLD_TABLE: &str = "schema_migrations";

/// The migrator for an engine.
pub fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// The newest schema version this build knows.
pub fn latest() -> i64 {
    SQLITE.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Both folders list the same versions under the same names.
pub fn folders_agree() -> Result<(), String> {
    let list = |m: &Migrator| m.iter().map(|x| (x.version, x.description.to_string())).collect::<Vec<_>>();
    let (s, p) = (list(&SQLITE), list(&POSTGRES));
    if s != p {
        return Err(format!("the SQLite and PostgreSQL migration folders differ: {s:?} against {p:?}"));
    }
    Ok(())
}

async fn table_exists(conn: &mut AnyConnection, backend: Backend, table: &str) -> Result<bool, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1",
    };
    let n: i64 = sqlx::query_scalar(sql).bind(table).fetch_one(&mut *conn).await?;
    Ok(n > 0)
}

/// The schema version a database is at (0 for an empty one): the newest migration applied,
/// read from sqlx's table or, for a copy made by an older release, from the old one.
pub async fn schema_version(conn: &mut AnyConnection, backend: Backend) -> Result<i64, StoreError> {
    let sql = if table_exists(conn, backend, "_sqlx_migrations").await? {
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success"
    } else if table_exists(conn, backend, OLD_TABLE).await? {
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"
    } else {
        return Ok(0);
    };
    Ok(sqlx::query_scalar(sql).fetch_one(&mut *conn).await?)
}

impl Store {
    /// Apply every migration not yet applied; answers the versions applied now. Safe to run
    /// from several servers at once on PostgreSQL (the migrator's advisory lock).
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        folders_agree().map_err(StoreError::Config)?;
        let migrator = migrator(self.backend);
        let mut conn = self.pool.acquire().await?;
        let before = self.adopt_old_table(&mut conn).await?;
        migrator.run(&mut *conn).await.map_err(|e| StoreError::Config(format!("migration: {e}")))?;
        let after = schema_version(&mut conn, self.backend).await?;
        Ok(migrator.iter().map(|m| m.version).filter(|v| *v > before && *v <= after).collect())
    }

    /// A database made before the switch has its versions in `schema_migrations`: record them
    /// as applied in sqlx's table (without running them again), once. Answers the version the
    /// database was at.
    async fn adopt_old_table(&self, conn: &mut AnyConnection) -> Result<i64, StoreError> {
        let version = schema_version(conn, self.backend).await?;
        if table_exists(conn, self.backend, "_sqlx_migrations").await? || !table_exists(conn, self.backend, OLD_TABLE).await? {
            return Ok(version);
        }
        // Every version up to the newest recorded must be there: a gap means a hand-edited
        // table, and marking the missing one applied would hide a missing part of the schema.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations").fetch_one(&mut *conn).await?;
        if n != version {
            return Err(StoreError::Corrupt(format!(
                "schema_migrations records {n} migrations up to version {version}: some are missing; restore a backup"
            )));
        }
        migrator(self.backend).skip(&mut *conn, Some(version)).await.map_err(|e| StoreError::Config(format!("migration: {e}")))?;
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_folders_hold_the_same_numbered_migrations() {
        folders_agree().unwrap();
        for (i, m) in SQLITE.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migration {} is out of order", m.description);
        }
        assert!(latest() >= 37);
    }
}
