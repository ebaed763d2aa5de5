//! `krousar backup`, `krousar restore` and the scheduled backup of `krousar serve`
//! (`krousar_store::backup` does the work). The passphrase comes from a file, never from the
//! command line, where other users of the machine could read it (and a file others can read is
//! warned about). Each backup first sweeps what interrupted ones left in its directory.

use anyhow::{bail, Context, Result};
use clap::Args;
use krousar_store::backup::{self, Header, Manifest, RestoreOptions};
use krousar_store::Store;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (written whole, then renamed into place), or — with `--keep`, or
    /// a path ending in `/` — a directory to write `krousar-DATE-TIME.kbak` into (a daily timer's).
    pub out: PathBuf,
    /// Write into the directory OUT and keep only the newest this many backups in it.
    #[arg(long)]
    pub keep: Option<usize>,
    /// Encrypt with the passphrase in this file (its first line).
    #[arg(long, env = "KROUSAR_BACKUP_PASSPHRASE_FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The server's files directory (as `serve --files-dir`): its attached files go into the
    /// backup. Default: `files` beside the SQLite database.
    #[arg(long, env = "KROUSAR_FILES_DIR")]
    pub files_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    /// The passphrase of an encrypted backup, in this file.
    #[arg(long, env = "KROUSAR_BACKUP_PASSPHRASE_FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Only check the backup (unpack, integrity, row counts, installation, keys); replace nothing.
    #[arg(long)]
    pub check: bool,
    /// Restore a backup of another installation over this one's database (refused otherwise).
    #[arg(long)]
    pub other_installation: bool,
}

/// The scheduled backups of `krousar serve`.
#[derive(Args, Clone)]
pub struct ScheduleArgs {
    /// Make a backup into this directory every `--backup-hours` while serving.
    #[arg(long, env = "KROUSAR_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    #[arg(long, env = "KROUSAR_BACKUP_HOURS", default_value_t = 24)]
    pub backup_hours: u64,
    /// How many scheduled backups to keep (the oldest are removed).
    #[arg(long, env = "KROUSAR_BACKUP_KEEP", default_value_t = 7)]
    pub backup_keep: usize,
    #[arg(long, env = "KROUSAR_BACKUP_PASSPHRASE_FILE")]
    pub backup_passphrase_file: Option<PathBuf>,
}

fn passphrase(file: &Option<PathBuf>) -> Result<Option<String>> {
    let Some(f) = file else { return Ok(None) };
    warn_if_readable(f);
    let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
    let p = text.lines().next().unwrap_or("").to_string();
    if p.chars().count() < 12 {
        bail!("the passphrase must have at least 12 characters");
    }
    Ok(Some(p))
}

/// A passphrase file other users of the machine can read gives them every backup.
fn warn_if_readable(f: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Readable by everyone, or writable by the group: warned. Read by the group alone is how
        // a root-owned secret is given to the service's own group (the package's 0440
        // root:krousar), so it is not.
        if std::fs::metadata(f).is_ok_and(|m| m.permissions().mode() & 0o027 != 0) {
            tracing::warn!(
                "the passphrase file {} can be read by other users of this machine, and with it every backup: run `chmod 600 {}`",
                f.display(),
                f.display()
            );
        }
    }
}

/// Remove what interrupted backups left in `dir`, saying so.
fn sweep(dir: &Path) {
    for p in backup::sweep_leftovers(dir) {
        tracing::warn!("removed {}, left by an interrupted backup or restore", p.display());
    }
}

fn describe(m: &Manifest) -> String {
    let rows: i64 = m.tables.values().sum();
    let children = m.tables.get("children").copied().unwrap_or(0);
    format!(
        "{} backup of {}, schema {}, {} tables, {rows} rows ({children} children){}",
        m.engine,
        m.created_at,
        m.schema_version,
        m.tables.len(),
        if m.sealing.is_some() { ", encrypted" } else { "" }
    ) + &m.installation_id.as_ref().map(|id| format!(", installation {id}")).unwrap_or_default()
}

fn trust(h: Header) -> &'static str {
    match h {
        Header::Authenticated => "its header is authenticated by the passphrase",
        Header::NotAuthenticated => "not encrypted: its header is NOT authenticated (whoever could change the file could change it)",
        Header::OldFormat => "an older format: its header is NOT authenticated and it records no installation",
    }
}

pub async fn backup(url: &str, a: BackupArgs) -> Result<()> {
    let pass = passphrase(&a.passphrase_file)?;
    // A directory only when asked for: a backup named like an existing directory is an error,
    // not a file put inside it.
    let into_dir = a.out.is_dir() && (a.keep.is_some() || a.out.to_string_lossy().ends_with('/'));
    let out = if into_dir { a.out.join(file_name()) } else { a.out.clone() };
    sweep(out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")));
    let store = crate::files::attach(Store::connect(url).await?, url, a.files_dir.clone()).await?;
    let m = backup::create(&store, url, &out, pass.as_deref()).await?;
    println!("{}: {}", out.display(), describe(&m));
    if let (true, Some(keep)) = (into_dir, a.keep) {
        keep_newest(&a.out, keep);
    }
    Ok(())
}

/// A backup's name in a directory of backups: sorted by name, sorted by time.
fn file_name() -> String {
    format!("krousar-{}.kbak", chrono::Utc::now().format("%Y%m%d-%H%M%S"))
}

/// Remove all but the newest `keep` (at least one) backups of `dir`.
fn keep_newest(dir: &Path, keep: usize) {
    let files = scheduled(dir);
    for old in files.iter().take(files.len().saturating_sub(keep.max(1))) {
        if let Err(e) = std::fs::remove_file(old) {
            tracing::warn!(error = %e, "could not remove the old backup {}", old.display());
        }
    }
}

/// Restore (or check) with the key ids of `key_file`, the one the servers use.
pub async fn restore(url: &str, a: RestoreArgs, key_file: &Path) -> Result<()> {
    let known_keys = if key_file.exists() {
        let keys = krousar_store::keyring::Keyring::open(key_file)?;
        Some(keys.ids()?)
    } else {
        None
    };
    let o = RestoreOptions {
        passphrase: passphrase(&a.passphrase_file)?,
        check_only: a.check,
        known_keys,
        key_file: Some(key_file.to_path_buf()),
        other_installation: a.other_installation,
    };
    let r = backup::restore(&a.file, url, &o).await?;
    if a.check {
        println!("the backup checks out: {}", describe(&r.manifest));
    } else {
        println!("restored: {}", describe(&r.manifest));
        if let Some(k) = r.kept {
            println!("what it replaced is kept as {k}");
        }
    }
    println!("{}", trust(r.header));
    Ok(())
}

/// The scheduled backup files in `dir`, oldest first.
fn scheduled(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "kbak")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Every `backup_hours`, the one server whose turn it is writes a backup and keeps the newest
/// `backup_keep`.
pub fn schedule(store: Store, url: String, s: ScheduleArgs) -> Result<()> {
    let Some(dir) = s.backup_dir.clone() else { return Ok(()) };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let pass = passphrase(&s.backup_passphrase_file)?;
    let every = std::time::Duration::from_secs(s.backup_hours.max(1) * 3600);
    tokio::spawn(async move {
        loop {
            match store.take_backup_turn(chrono::Duration::from_std(every).unwrap_or(chrono::Duration::hours(24))).await {
                Ok(true) => {
                    // The backup's chain is anchored: a checkpoint of its head outside it.
                    if let Err(e) = store.checkpoint_audit().await {
                        tracing::warn!(error = %e, "could not sign an audit checkpoint before the backup");
                    }
                    sweep(&dir);
                    let out = dir.join(file_name());
                    match backup::create(&store, &url, &out, pass.as_deref()).await {
                        Ok(m) => tracing::info!("scheduled backup {}: {}", out.display(), describe(&m)),
                        Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
                    }
                    keep_newest(&dir, s.backup_keep);
                }
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "could not check whose turn the backup is"),
            }
            tokio::time::sleep(every).await;
        }
    });
    Ok(())
}
