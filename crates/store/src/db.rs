//! The connection pool over SQLite or PostgreSQL. One code path: SQL is written once with `$n`
//! placeholders (both engines accept them) and types both engines share (TEXT, 64-bit integers).
//! The few real dialect differences live in the migrations only.

use crate::error::StoreError;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The column of `child_search` that holds `children.seq`: SQLite's FTS5 table keys it by
    /// rowid, which lets the index hand out matches in order; PostgreSQL has a plain column.
    pub fn search_key(self) -> &'static str {
        match self {
            Backend::Sqlite => "rowid",
            Backend::Postgres => "seq",
        }
    }

    /// An aggregate of the rows of a query into one JSON text, an array of `[col, …]` arrays
    /// (or NULL for no rows): many small rows cost more to hand over one by one (sqlx's SQLite
    /// connection thread sends each row on its own) than to read as one text.
    pub fn json_rows(self, columns: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_group_array(json_array({columns}))"),
            Backend::Postgres => format!("CAST(json_agg(json_build_array({columns})) AS TEXT)"),
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub backend: Backend,
    /// The gazetteer, read once into memory (see `places_cache.rs`).
    pub(crate) places: crate::places_cache::Shared,
    /// Where attached files are kept (outside the database); `None`: attachments are off.
    pub(crate) files: Option<std::sync::Arc<std::path::PathBuf>>,
    /// The keys that seal sensitive information (a file outside the database); `None`: sensitive
    /// information can be neither read nor written.
    pub(crate) keys: Option<std::sync::Arc<crate::keyring::Keyring>>,
    /// The group-commit writer of read audits (`audit_batch.rs`).
    pub(crate) read_audits: crate::audit_batch::ReadAudits,
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl Store {
    /// Connect to `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, 8).await
    }

    /// Connect with `cache_mb` of SQLite page cache per connection (a server keeps this small
    /// to stay within its memory budget; a bulk load wants much more).
    pub async fn connect_with(url: &str, cache_mb: i64) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!("unsupported database URL (use sqlite://PATH or postgres://…): {url}")));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let sqlite_file = match backend {
            Backend::Sqlite => crate::private_files::sqlite_path(&url),
            Backend::Postgres => None,
        };
        if let Some(path) = &sqlite_file {
            crate::private_files::prepare_sqlite(path).map_err(|e| StoreError::Config(format!("{}: {e}", path.display())))?;
        }
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(move |conn, _meta| {
                        Box::pin(async move {
                            conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{}", cache_mb * 1024))).await?;
                            // WAL for concurrent readers; FULL sync so an acknowledged write
                            // survives a power cut; foreign keys enforced; writers wait.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            // Read pages through a memory map rather than a read() system call
                            // each: name searches walk many index pages (measured in BENCHMARKS.md).
                            // The map covers the whole file (SQLite maps no more than the file's
                            // size); the build raises SQLite's 2 GB ceiling (.cargo/config.toml).
                            conn.execute("PRAGMA mmap_size = 274877906944").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                options
                    .max_connections(16)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // No JIT: it compiled a manager's team view for 42 ms to save
                            // nothing on queries of a few milliseconds (its cost model is
                            // for analytics); every query here is short.
                            conn.execute("SET jit = off").await?;
                            // Plan for solid-state storage (the common tuning for SSDs; the
                            // default 4.0 assumes spinning disks): with it PostgreSQL hashed all
                            // 10,000 users to name a case's 26 timeline authors (7.2 ms → 0.25).
                            conn.execute("SET random_page_cost = 1.1").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
        };
        if let Some(path) = &sqlite_file {
            crate::private_files::restrict_sqlite_companions(path).map_err(|e| StoreError::Config(format!("{}: {e}", path.display())))?;
        }
        Ok(Store { pool, backend, places: Default::default(), files: None, keys: None, read_audits: Default::default() })
    }

    /// Keep attached files under `dir` (created if missing). With several app servers, `dir`
    /// must be storage they all share.
    pub fn with_files(mut self, dir: std::path::PathBuf) -> Store {
        self.files = Some(std::sync::Arc::new(dir));
        self
    }

    /// Seal sensitive information with these keys.
    pub fn with_keys(mut self, keys: crate::keyring::Keyring) -> Store {
        self.keys = Some(std::sync::Arc::new(keys));
        self
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write. It takes the write lock at once (by touching the audit
    /// head), so concurrent writers queue instead of failing half-way, on both engines, and the
    /// audit chain has exactly one writer at a time.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// The rows of `q`, planned without parallel workers on PostgreSQL (three round trips more):
    /// for a statement of many small index ranges, where PostgreSQL planned a worker whose start
    /// cost more than the work (the team view: 5 ms for 0.6 ms). Off for every connection, the
    /// national dashboard took 17 s instead. (Tried for the duplicate check's blocking query
    /// under load: no measurable change, so it is not used there.)
    pub(crate) async fn fetch_all_serial(&self, q: &crate::sql::Sql) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(q.query().fetch_all(&self.pool).await?);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0").execute(&mut *tx).await?;
        let rows = q.query().fetch_all(&mut *tx).await?;
        tx.rollback().await?;
        Ok(rows)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Small helpers to read columns from an `AnyRow` with clear errors.
pub(crate) trait RowExt {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn uuid(&self, col: &str) -> Result<uuid::Uuid, StoreError>;
    fn opt_uuid(&self, col: &str) -> Result<Option<uuid::Uuid>, StoreError>;
    /// A `YYYY-MM-DD` column; anything else is corrupt data, named by its column, never a
    /// missing date (a schedule computed from a lost date would be wrong without a word).
    fn date(&self, col: &str) -> Result<chrono::NaiveDate, StoreError>;
    fn opt_date(&self, col: &str) -> Result<Option<chrono::NaiveDate>, StoreError>;
    /// A JSON column decoded into `T`; unreadable JSON is corrupt data, never a default.
    fn json<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<T, StoreError>;
    fn opt_json<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<Option<T>, StoreError>;
    /// A pick-list code read with its `parse`; an unknown code is corrupt data.
    fn code<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
        let s = self.text(col)?;
        parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: unknown code {s:?}")))
    }
    fn opt_code<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, StoreError> {
        match self.opt_text(col)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| StoreError::Corrupt(format!("{col}: unknown code {s:?}"))),
        }
    }
}

fn parse_date(col: &str, s: &str) -> Result<chrono::NaiveDate, StoreError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("{col}: {s:?} is not a date ({e})")))
}

fn parse_json<T: serde::de::DeserializeOwned>(col: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| {
        let head: String = s.chars().take(80).collect();
        StoreError::Corrupt(format!("{col}: {e} in {head:?}"))
    })
}

impl RowExt for AnyRow {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        Ok(sqlx::Row::try_get::<String, _>(self, col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::Row::try_get::<Option<String>, _>(self, col)?)
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        Ok(sqlx::Row::try_get::<i64, _>(self, col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::Row::try_get::<Option<i64>, _>(self, col)?)
    }
    fn uuid(&self, col: &str) -> Result<uuid::Uuid, StoreError> {
        let s = self.text(col)?;
        uuid::Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
    }
    fn opt_uuid(&self, col: &str) -> Result<Option<uuid::Uuid>, StoreError> {
        match self.opt_text(col)? {
            None => Ok(None),
            Some(s) => uuid::Uuid::parse_str(&s).map(Some).map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))),
        }
    }
    fn date(&self, col: &str) -> Result<chrono::NaiveDate, StoreError> {
        parse_date(col, &self.text(col)?)
    }
    fn opt_date(&self, col: &str) -> Result<Option<chrono::NaiveDate>, StoreError> {
        self.opt_text(col)?.map(|s| parse_date(col, &s)).transpose()
    }
    fn json<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<T, StoreError> {
        parse_json(col, &self.text(col)?)
    }
    fn opt_json<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<Option<T>, StoreError> {
        self.opt_text(col)?.map(|s| parse_json(col, &s)).transpose()
    }
}

/// The current time as stored: UTC, fixed width, so text order is time order on both engines.
pub fn now_text() -> String {
    time_text(chrono::Utc::now())
}

/// A stored time read back (`None` for text that is not one).
pub fn parse_time(stored: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(stored).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// A time in the stored format.
pub fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
