//! Online backup and checked restore. A backup is one file: a magic line, a one-line JSON
//! manifest (engine, schema version, every table's row count, how the payload is sealed), then
//! the payload — a SQLite database made by `VACUUM INTO` (a consistent copy while the server
//! writes), or a `pg_dump` archive taken in the same snapshot as the counts — optionally
//! encrypted with a passphrase (`crypt`). A restore unpacks it beside the target, checks it
//! (integrity, counts against the manifest, a schema this version knows), and only then puts it
//! in place, keeping what it replaces.

pub mod crypt;
mod tables;

use crate::db::{now_text, Backend, Store};
use crate::error::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

pub use tables::{table_counts, table_digests};

const MAGIC: &str = "KROUSAR-BACKUP-1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub engine: String,
    pub created_at: String,
    pub schema_version: i64,
    pub tables: BTreeMap<String, i64>,
    pub sealing: Option<crypt::Sealing>,
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("backup: {e}"))
}

fn part_of(path: &Path, what: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{what}-{}", uuid::Uuid::now_v7().simple()));
    path.with_file_name(name)
}

async fn schema_version(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetch_one(store.pool()).await?)
}

/// Write header and payload to `out` by way of a temporary file and a rename: a backup file is
/// complete or absent.
async fn write_file(out: &Path, manifest: &Manifest, payload: PathBuf, passphrase: Option<String>) -> Result<(), StoreError> {
    let (out, manifest) = (out.to_path_buf(), manifest.clone());
    tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
        let tmp = part_of(&out, "part");
        let result = (|| {
            let mut f = std::io::BufWriter::new(crate::private_files::create_private(&tmp).map_err(io)?);
            writeln!(f, "{MAGIC}").map_err(io)?;
            writeln!(f, "{}", serde_json::to_string(&manifest).map_err(io)?).map_err(io)?;
            let from = BufReader::new(std::fs::File::open(&payload).map_err(io)?);
            match (&manifest.sealing, passphrase) {
                (Some(s), Some(p)) => crypt::encrypt(&p, s, from, &mut f)?,
                _ => {
                    std::io::copy(&mut { from }, &mut f).map_err(io)?;
                }
            }
            let f = f.into_inner().map_err(io)?;
            f.sync_all().map_err(io)?;
            std::fs::rename(&tmp, &out).map_err(io)
        })();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", payload.display()));
        }
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    })
    .await
    .map_err(io)?
}

/// Make a backup of the database `store` is connected to (at `url`) into `out`.
pub async fn create(store: &Store, url: &str, out: &Path, passphrase: Option<&str>) -> Result<Manifest, StoreError> {
    let snapshot = part_of(out, "snapshot");
    let sealing = passphrase.map(|_| crypt::new_sealing());
    let (engine, tables, version) = match store.backend {
        Backend::Sqlite => {
            // One statement, one read transaction: a consistent copy while others write.
            // An empty owner-only file to copy into (VACUUM INTO fills an empty file).
            crate::private_files::create_private(&snapshot).map_err(io)?;
            let target = snapshot.to_str().ok_or_else(|| io("path is not UTF-8"))?.replace('\'', "''");
            sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'"))).execute(store.pool()).await?;
            let copy = Store::connect(&format!("sqlite://{}", snapshot.display())).await?;
            let counted = (table_counts(&copy).await, schema_version(&copy).await);
            copy.close().await;
            let (tables, version) = (counted.0?, counted.1?);
            ("sqlite", tables, version)
        }
        Backend::Postgres => {
            // The counts and pg_dump read the same snapshot, exported from this transaction.
            let mut tx = store.pool().begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut *tx).await?;
            let tables = tables::counts_in(&mut tx, Backend::Postgres).await?;
            let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetch_one(&mut *tx).await?;
            let status = tokio::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--no-privileges", &format!("--snapshot={id}"), "--file"])
                .arg(&snapshot)
                .arg(url)
                .status()
                .await
                .map_err(|e| io(format!("pg_dump: {e}")))?;
            tx.rollback().await?;
            if !status.success() {
                return Err(io(format!("pg_dump exited with {status}")));
            }
            ("postgres", tables, version)
        }
    };
    let manifest = Manifest { engine: engine.into(), created_at: now_text(), schema_version: version, tables, sealing };
    write_file(out, &manifest, snapshot, passphrase.map(str::to_string)).await?;
    Ok(manifest)
}

/// The manifest of a backup file (nothing decrypted).
pub fn read_manifest(file: &Path) -> Result<Manifest, StoreError> {
    let mut r = BufReader::new(std::fs::File::open(file).map_err(io)?);
    read_header(&mut r)
}

fn read_header(r: &mut impl BufRead) -> Result<Manifest, StoreError> {
    let mut line = String::new();
    r.read_line(&mut line).map_err(io)?;
    if line.trim_end() != MAGIC {
        return Err(io("not a Krousar backup"));
    }
    line.clear();
    r.read_line(&mut line).map_err(io)?;
    serde_json::from_str(&line).map_err(|e| io(format!("damaged header: {e}")))
}

/// Unpack the payload of `file` to `to`, decrypting it when it is sealed.
pub(super) async fn unpack_payload(file: &Path, to: &Path, passphrase: Option<&str>) -> Result<Manifest, StoreError> {
    let (file, to, passphrase) = (file.to_path_buf(), to.to_path_buf(), passphrase.map(str::to_string));
    tokio::task::spawn_blocking(move || -> Result<Manifest, StoreError> {
        let mut r = BufReader::new(std::fs::File::open(&file).map_err(io)?);
        let m = read_header(&mut r)?;
        let mut w = std::io::BufWriter::new(crate::private_files::create_private(&to).map_err(io)?);
        match (&m.sealing, passphrase) {
            (Some(s), Some(p)) => crypt::decrypt(&p, s, r, &mut w)?,
            (Some(_), None) => return Err(io("this backup is encrypted: give its passphrase")),
            (None, _) => {
                std::io::copy(&mut r.take(u64::MAX), &mut w).map_err(io)?;
            }
        }
        w.into_inner().map_err(io)?.sync_all().map_err(io)?;
        Ok(m)
    })
    .await
    .map_err(io)?
}

/// Check a restored copy against its manifest.
pub(super) async fn check_copy(copy: &Store, m: &Manifest) -> Result<(), StoreError> {
    let known = crate::migrate::MIGRATIONS.iter().map(|x| x.version).max().unwrap_or(0);
    if m.schema_version > known {
        return Err(io(format!("the backup is from a newer Krousar (schema {} > {known})", m.schema_version)));
    }
    if copy.backend == Backend::Sqlite {
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(copy.pool()).await?;
        if ok != "ok" {
            return Err(io(format!("integrity check failed: {ok}")));
        }
    }
    let counts = table_counts(copy).await?;
    if counts != m.tables {
        return Err(io("the restored tables do not hold the rows the backup recorded"));
    }
    Ok(())
}

/// Restore `file` into the database at `target` (which the servers must have stopped using),
/// or only check it (`check_only`). The replaced SQLite file is kept beside it; a replaced
/// PostgreSQL database is kept under another name. Returns the manifest and what was kept.
pub async fn restore(
    file: &Path,
    target: &str,
    passphrase: Option<&str>,
    check_only: bool,
) -> Result<(Manifest, Option<String>), StoreError> {
    let m = read_manifest(file)?;
    let is_sqlite = target.starts_with("sqlite:");
    if (m.engine == "sqlite") != is_sqlite {
        return Err(io(format!("a {} backup cannot be restored into this database", m.engine)));
    }
    if is_sqlite {
        let path = PathBuf::from(target.trim_start_matches("sqlite://").trim_start_matches("sqlite:").split('?').next().unwrap_or(""));
        let tmp = part_of(&path, "restore");
        let result = async {
            unpack_payload(file, &tmp, passphrase).await?;
            let copy = Store::connect(&format!("sqlite://{}", tmp.display())).await?;
            let checked = check_copy(&copy, &m).await;
            // Fold the copy's journal back in, so that the file alone is the database.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(copy.pool()).await;
            copy.close().await;
            checked
        }
        .await;
        let cleanup = |p: &Path| {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        };
        if let Err(e) = result {
            cleanup(&tmp);
            return Err(e);
        }
        if check_only {
            cleanup(&tmp);
            return Ok((m, None));
        }
        let mut kept = None;
        if path.exists() {
            let aside = format!("{}.before-restore-{}", path.display(), chrono::Utc::now().format("%Y%m%d-%H%M%S"));
            for suffix in ["", "-wal", "-shm"] {
                let from = format!("{}{suffix}", path.display());
                if Path::new(&from).exists() {
                    std::fs::rename(&from, format!("{aside}{suffix}")).map_err(io)?;
                }
            }
            kept = Some(aside);
        }
        let _ = std::fs::remove_file(format!("{}-shm", tmp.display()));
        std::fs::rename(&tmp, &path).map_err(io)?;
        return Ok((m, kept));
    }
    tables::restore_postgres(file, target, passphrase, &m, check_only).await.map(|kept| (m, kept))
}

impl Store {
    /// Whether this server takes the scheduled backup now: at most one server per interval,
    /// whichever updates the shared mark first.
    pub async fn take_backup_turn(&self, every: chrono::Duration) -> Result<bool, StoreError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ('backup_turn', '') ON CONFLICT (key) DO NOTHING")
            .execute(self.pool())
            .await?;
        // A little early, so that the same server's own timer is never refused by its last mark.
        let cutoff = crate::db::time_text(chrono::Utc::now() - every + chrono::Duration::minutes(5));
        let done = sqlx::query("UPDATE settings SET value = $1 WHERE key = 'backup_turn' AND value < $2")
            .bind(now_text())
            .bind(cutoff)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
