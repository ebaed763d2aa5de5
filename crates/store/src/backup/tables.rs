//! Every table of the schema, counted (for a backup's manifest and a restore's check) or read
//! whole into a digest (for tests that compare a restored database with its source), and the
//! PostgreSQL side of a restore: into a new database first, renamed into place once checked.

use super::workdir::WorkDir;
use super::{io, unpack_payload, Manifest, RestoreOptions};
use crate::db::{Backend, Store};
use crate::error::StoreError;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;
use std::path::Path;

async fn names(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        Backend::Postgres => "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    };
    Ok(sqlx::query_scalar(sql).fetch_all(&mut *conn).await?)
}

/// A table name from the catalogue, quoted for SQL.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) async fn counts_in(conn: &mut AnyConnection, backend: Backend) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut out = BTreeMap::new();
    for t in names(conn, backend).await? {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", quoted(&t)))).fetch_one(&mut *conn).await?;
        out.insert(t, n);
    }
    Ok(out)
}

/// The number of rows of every table.
pub async fn table_counts(store: &Store) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    counts_in(&mut conn, store.backend).await
}

/// A digest of every table's rows (order-independent), to compare two databases.
pub async fn table_digests(store: &Store) -> Result<BTreeMap<String, String>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let mut out = BTreeMap::new();
    // sqlx's own bookkeeping holds when and how fast each migration ran (a PostgreSQL
    // timestamp the engine-neutral driver cannot read), not records.
    for t in names(&mut conn, store.backend).await?.into_iter().filter(|t| t != "_sqlx_migrations") {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {}", quoted(&t)))).fetch_all(&mut *conn).await?;
        let mut lines: Vec<String> = rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
                            format!("{v:?}")
                        } else if let Ok(v) = r.try_get::<Option<String>, _>(i) {
                            format!("{v:?}")
                        } else if let Ok(v) = r.try_get::<Option<f64>, _>(i) {
                            format!("{v:?}")
                        } else if let Ok(v) = r.try_get::<Option<Vec<u8>>, _>(i) {
                            format!("{:?}", v.map(hex::encode))
                        } else {
                            "?".into()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        lines.sort();
        let mut h = Sha256::new();
        for l in &lines {
            h.update(l.as_bytes());
            h.update(b"\n");
        }
        out.insert(t, format!("{}:{}", lines.len(), hex::encode(h.finalize())));
    }
    Ok(out)
}

/// The database name at the end of a PostgreSQL URL, and the URL with another name instead.
fn split_url(url: &str) -> Result<(String, impl Fn(&str) -> String + '_), StoreError> {
    let (head, tail) = url.rsplit_once('/').ok_or_else(|| io("no database name in the URL"))?;
    let (name, query) = match tail.split_once('?') {
        Some((n, q)) => (n, format!("?{q}")),
        None => (tail, String::new()),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(io("the database name must be letters, digits and _"));
    }
    Ok((name.to_string(), move |other: &str| format!("{head}/{other}{query}")))
}

/// The installation id of the PostgreSQL database `name`, if it exists and has one.
async fn postgres_installation(admin: &Store, name: &str, url: &str) -> Result<Option<String>, StoreError> {
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1").bind(name).fetch_one(admin.pool()).await?;
    if exists == 0 {
        return Ok(None);
    }
    let db = Store::connect(url).await?;
    let id = db.installation_id().await;
    db.close().await;
    id
}

pub(super) async fn restore_postgres(file: &Path, target: &str, m: &Manifest, o: &RestoreOptions) -> Result<Option<String>, StoreError> {
    let (name, url_of) = split_url(target)?;
    let temp = format!("{name}_restore_{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    // The clear dump only in a private directory, gone when this returns (leftovers of a
    // killed restore are swept first).
    let _ = super::workdir::sweep_temp();
    let work = WorkDir::new(&std::env::temp_dir()).map_err(|e| io(format!("cannot make a private directory: {e}")))?;
    let payload = work.file("payload");
    let admin = Store::connect(&url_of("postgres")).await?;
    let target_id = postgres_installation(&admin, &name, target).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {temp}"))).execute(admin.pool()).await?;
    let result = async {
        unpack_payload(file, &payload, o.passphrase.as_deref()).await?;
        let status = tokio::process::Command::new("pg_restore")
            .args(["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", &url_of(&temp)])
            .arg(&payload)
            .status()
            .await
            .map_err(|e| io(format!("pg_restore: {e}")))?;
        if !status.success() {
            return Err(io(format!("pg_restore exited with {status}")));
        }
        let copy = Store::connect(&url_of(&temp)).await?;
        let checked = super::checks::verify(&copy, m, target_id.as_deref(), o).await;
        copy.close().await;
        checked
    }
    .await;
    drop(work);
    let drop_temp = format!("DROP DATABASE IF EXISTS {temp}");
    if result.is_err() || o.check_only {
        let _ = sqlx::query(sqlx::AssertSqlSafe(drop_temp)).execute(admin.pool()).await;
        admin.close().await;
        return result.map(|_| None);
    }
    let kept = format!("{name}_before_restore_{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1").bind(name.clone()).fetch_one(admin.pool()).await?;
    if exists > 0 {
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} RENAME TO {kept}"))).execute(admin.pool()).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop_temp)).execute(admin.pool()).await;
            admin.close().await;
            return Err(io(format!("cannot set the database aside (stop every server using it first): {e}")));
        }
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {temp} RENAME TO {name}"))).execute(admin.pool()).await?;
    admin.close().await;
    Ok((exists > 0).then_some(kept))
}
