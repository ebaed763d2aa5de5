//! Online backup and checked restore. A backup is one file: a magic line, a one-line JSON
//! manifest (engine, schema version, installation id, every table's row count, how the payload
//! is sealed), then the payload — a SQLite database made by `VACUUM INTO` (a consistent copy
//! while the server writes) with the files directory's attached files added to its
//! `stored_files`, or a `pg_dump` archive (attached files are in the database there) taken in the same snapshot as the counts —
//! optionally encrypted with a passphrase (`crypt`), which then also authenticates the header
//! (its digest is every chunk's associated data). A clear backup's header is not authenticated.
//!
//! The clear copy of the database exists only inside a private work directory (`workdir`:
//! 0700, files 0600, removed on every way out; a killed run's is swept by the next one).
//! A restore unpacks the payload there, checks it (integrity, counts against the manifest, a
//! schema this version knows, the installation, the keys of its sealed records — `checks`),
//! and only then puts it in place, keeping what it replaces.

mod checks;
pub mod crypt;
mod tables;
mod workdir;

use crate::db::{now_text, Backend, Store};
use crate::error::StoreError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

pub use checks::{sealed_columns, sealed_key_ids, RestoreOptions};
pub use tables::{table_counts, table_digests};
pub use workdir::sweep as sweep_leftovers;
use workdir::WorkDir;

/// The format written now: the header is authenticated when the payload is encrypted.
const MAGIC: &str = "KROUSAR-BACKUP-2";
/// The format before (header never authenticated, no installation id): still restored.
const MAGIC_1: &str = "KROUSAR-BACKUP-1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub engine: String,
    pub created_at: String,
    pub schema_version: i64,
    /// The installation the database is (`None`: a database from before installation ids).
    #[serde(default)]
    pub installation_id: Option<String>,
    pub tables: BTreeMap<String, i64>,
    pub sealing: Option<crypt::Sealing>,
}

/// How far a backup's header can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// Encrypted: the header is bound to the encryption; any change is refused.
    Authenticated,
    /// Not encrypted: anyone who could change the file could have changed the header.
    NotAuthenticated,
    /// The format before this one: its header is not authenticated, even when encrypted.
    OldFormat,
}

/// What a restore (or its check) found, and what it kept.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    pub header: Header,
    /// Where what was replaced is kept.
    pub kept: Option<String>,
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("backup: {e}"))
}

async fn schema_version(store: &Store) -> Result<i64, StoreError> {
    let mut conn = store.pool().acquire().await?;
    crate::migrate::schema_version(&mut conn, store.backend).await
}

/// The associated data of every encrypted chunk: the digest of the header, byte for byte.
fn header_aad(header: &str) -> Vec<u8> {
    Sha256::digest(header.as_bytes()).to_vec()
}

/// Write header and payload to `out` by way of a file in the work directory and a rename: a
/// backup file is complete or absent.
async fn write_file(
    work: &WorkDir,
    out: &Path,
    manifest: &Manifest,
    payload: PathBuf,
    passphrase: Option<String>,
) -> Result<(), StoreError> {
    let (out, manifest, tmp) = (out.to_path_buf(), manifest.clone(), work.file("part"));
    tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
        let header = format!("{MAGIC}\n{}\n", serde_json::to_string(&manifest).map_err(io)?);
        let mut f = std::io::BufWriter::new(crate::private_files::create_private(&tmp).map_err(io)?);
        f.write_all(header.as_bytes()).map_err(io)?;
        let from = BufReader::new(std::fs::File::open(&payload).map_err(io)?);
        match (&manifest.sealing, passphrase) {
            (Some(s), Some(p)) => crypt::encrypt(&p, s, &header_aad(&header), from, &mut f)?,
            _ => {
                std::io::copy(&mut { from }, &mut f).map_err(io)?;
            }
        }
        let f = f.into_inner().map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &out).map_err(io)
    })
    .await
    .map_err(io)?
}

/// The directory a file is in ("." for a bare name).
fn parent_of(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Make a backup of the database `store` is connected to (at `url`) into `out`.
pub async fn create(store: &Store, url: &str, out: &Path, passphrase: Option<&str>) -> Result<Manifest, StoreError> {
    // The clear copy lives in a private directory that goes away whatever happens below.
    let work = WorkDir::new(parent_of(out)).map_err(|e| io(format!("cannot make a private directory beside {}: {e}", out.display())))?;
    let snapshot = work.file("payload");
    // An empty owner-only file to copy into (VACUUM INTO fills an empty file; pg_dump keeps
    // the mode of a file it overwrites).
    crate::private_files::create_private(&snapshot).map_err(io)?;
    let sealing = passphrase.map(|_| crypt::new_sealing());
    let installation_id = store.installation_id().await?;
    let (engine, tables, version) = match store.backend {
        Backend::Sqlite => {
            // One statement, one read transaction: a consistent copy while others write.
            let target = snapshot.to_str().ok_or_else(|| io("path is not UTF-8"))?.replace('\'', "''");
            sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'"))).execute(store.pool()).await?;
            let copy = Store::connect(&format!("sqlite://{}", snapshot.display())).await?;
            // The files directory goes into the copy: a backup is the whole installation.
            let carried = store.carry_files(&copy).await;
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(copy.pool()).await;
            let counted = (carried, table_counts(&copy).await, schema_version(&copy).await);
            copy.close().await;
            counted.0?;
            let (tables, version) = (counted.1?, counted.2?);
            ("sqlite", tables, version)
        }
        Backend::Postgres => {
            // The counts and pg_dump read the same snapshot, exported from this transaction.
            let mut tx = store.pool().begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut *tx).await?;
            let tables = tables::counts_in(&mut tx, Backend::Postgres).await?;
            let version = crate::migrate::schema_version(&mut tx, Backend::Postgres).await?;
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
    let manifest = Manifest { engine: engine.into(), created_at: now_text(), schema_version: version, installation_id, tables, sealing };
    write_file(&work, out, &manifest, snapshot, passphrase.map(str::to_string)).await?;
    Ok(manifest)
}

/// The manifest of a backup file (nothing decrypted, nothing authenticated).
pub fn read_manifest(file: &Path) -> Result<Manifest, StoreError> {
    let mut r = BufReader::new(std::fs::File::open(file).map_err(io)?);
    Ok(read_header(&mut r)?.0)
}

/// The longest manifest line read (a few hundred tables' counts fit many times over).
const MAX_HEADER: u64 = 1024 * 1024;

/// The manifest, the header's exact text, and how far it can be trusted.
fn read_header(r: &mut impl BufRead) -> Result<(Manifest, String, Header), StoreError> {
    // Lines read with a bound: a file that is not a backup (or an edited one) cannot make the
    // reader hold gigabytes looking for a line's end.
    let mut magic = String::new();
    (&mut *r).take(64).read_line(&mut magic).map_err(io)?;
    let old = match magic.trim_end() {
        MAGIC => false,
        MAGIC_1 => true,
        _ => return Err(io("not a Krousar backup")),
    };
    let mut line = String::new();
    (&mut *r).take(MAX_HEADER).read_line(&mut line).map_err(io)?;
    if !line.ends_with('\n') {
        return Err(io("damaged header: too long"));
    }
    let m: Manifest = serde_json::from_str(&line).map_err(|e| io(format!("damaged header: {e}")))?;
    let header = match (old, &m.sealing) {
        (true, _) => Header::OldFormat,
        (false, Some(_)) => Header::Authenticated,
        (false, None) => Header::NotAuthenticated,
    };
    Ok((m, format!("{magic}{line}"), header))
}

/// Unpack the payload of `file` to `to`, decrypting (and so authenticating) it when sealed.
pub(super) async fn unpack_payload(file: &Path, to: &Path, passphrase: Option<&str>) -> Result<Manifest, StoreError> {
    let (file, to, passphrase) = (file.to_path_buf(), to.to_path_buf(), passphrase.map(str::to_string));
    tokio::task::spawn_blocking(move || -> Result<Manifest, StoreError> {
        let mut r = BufReader::new(std::fs::File::open(&file).map_err(io)?);
        let (m, header, kind) = read_header(&mut r)?;
        // The old format bound nothing but the payload to its key.
        let aad = if kind == Header::OldFormat { Vec::new() } else { header_aad(&header) };
        let mut w = std::io::BufWriter::new(crate::private_files::create_private(&to).map_err(io)?);
        match (&m.sealing, passphrase) {
            (Some(s), Some(p)) => crypt::decrypt(&p, s, &aad, r, &mut w)?,
            (Some(_), None) => return Err(io("this backup is encrypted: give its passphrase")),
            (None, Some(_)) => return Err(not_sealed()),
            (None, None) => {
                std::io::copy(&mut r.take(u64::MAX), &mut w).map_err(io)?;
            }
        }
        w.into_inner().map_err(io)?.sync_all().map_err(io)?;
        Ok(m)
    })
    .await
    .map_err(io)?
}

fn not_sealed() -> StoreError {
    io("a passphrase was given, but this backup is not encrypted: it may not be the backup you meant (anyone can write \
        a clear one). Nothing was replaced. If you trust it, restore it without a passphrase (no --passphrase-file, \
        no KROUSAR_BACKUP_PASSPHRASE_FILE).")
}

/// Check a restored copy against its manifest.
pub(super) async fn check_copy(copy: &Store, m: &Manifest) -> Result<(), StoreError> {
    let known = crate::migrate::latest();
    if m.schema_version > known {
        return Err(io(format!("the backup is from a newer Krousar (schema {} > {known})", m.schema_version)));
    }
    if schema_version(copy).await? != m.schema_version {
        return Err(io("the backup's header names another schema than its contents"));
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

/// The installation id of the SQLite database at `path`, if there is one.
async fn sqlite_installation(path: &Path) -> Result<Option<String>, StoreError> {
    if !path.exists() {
        return Ok(None);
    }
    let db = Store::connect(&format!("sqlite://{}", path.display())).await?;
    let id = db.installation_id().await;
    db.close().await;
    id
}

/// Restore `file` into the database at `target` (which the servers must have stopped using),
/// or only check it (`o.check_only`). Every check is made on an unpacked copy before anything
/// is replaced. The replaced SQLite file is kept beside it; a replaced PostgreSQL database is
/// kept under another name.
pub async fn restore(file: &Path, target: &str, o: &RestoreOptions) -> Result<Restored, StoreError> {
    let (m, _, header) = read_header(&mut BufReader::new(std::fs::File::open(file).map_err(io)?))?;
    let is_sqlite = target.starts_with("sqlite:");
    if (m.engine == "sqlite") != is_sqlite {
        return Err(io(format!("a {} backup cannot be restored into this database", m.engine)));
    }
    match (&m.sealing, &o.passphrase) {
        (None, Some(_)) => return Err(not_sealed()),
        (Some(_), None) => return Err(io("this backup is encrypted: give its passphrase")),
        _ => {}
    }
    if !is_sqlite {
        let kept = tables::restore_postgres(file, target, &m, o).await?;
        return Ok(Restored { manifest: m, header, kept });
    }
    let path = PathBuf::from(target.trim_start_matches("sqlite://").trim_start_matches("sqlite:").split('?').next().unwrap_or(""));
    let dir = parent_of(&path);
    if !o.check_only {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let _ = workdir::sweep(dir);
    // Beside the target, so the checked copy is renamed into place on the same file system
    // (a check of a target whose directory does not exist yet works in the temporary directory).
    let temp = std::env::temp_dir();
    let at = if dir.exists() { dir } else { temp.as_path() };
    let work = WorkDir::new(at).map_err(|e| io(format!("cannot make a private directory in {}: {e}", at.display())))?;
    let tmp = work.file("restored.db");
    unpack_payload(file, &tmp, o.passphrase.as_deref()).await?;
    let target_id = sqlite_installation(&path).await?;
    let copy = Store::connect(&format!("sqlite://{}", tmp.display())).await?;
    let checked = checks::verify(&copy, &m, target_id.as_deref(), o).await;
    // Fold the copy's journal back in, so that the file alone is the database.
    let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(copy.pool()).await;
    copy.close().await;
    checked?;
    if o.check_only {
        return Ok(Restored { manifest: m, header, kept: None });
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
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(Restored { manifest: m, header, kept })
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
