//! Where a backup or restore keeps its clear-text copy of the database while it works: a
//! directory of its own, created owner-only (0700) beside the backup (or the restored database,
//! so the final rename stays on one file system), every file in it owner-only (0600), removed on
//! every way out — success, error or panic (`Drop`). Only a killed process leaves one behind;
//! `sweep` removes such leftovers (and those of versions that wrote beside the backup), but never
//! a directory whose process still holds its lock.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The name every work directory starts with (hidden, and recognisable by `sweep`).
const PREFIX: &str = ".krousar-work-";
/// The file in a work directory that its process holds locked while it works.
const LOCK: &str = "lock";

pub(crate) struct WorkDir {
    path: PathBuf,
    _lock: File,
}

impl WorkDir {
    /// A new, empty, owner-only directory in `parent`.
    pub(crate) fn new(parent: &Path) -> io::Result<WorkDir> {
        let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        let path = parent.join(format!("{PREFIX}{}", uuid::Builder::from_random_bytes(rand::random()).into_uuid().simple()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        // Not `recursive`: the directory must be new, never one that already existed.
        builder.create(&path)?;
        let lock = crate::private_files::create_private(&path.join(LOCK)).and_then(|f| {
            f.try_lock().map_err(io::Error::other)?;
            Ok(f)
        });
        match lock {
            Ok(f) => Ok(WorkDir { path, _lock: f }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&path);
                Err(e)
            }
        }
    }

    /// A file name inside the directory (the caller creates it with `create_private`).
    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Whether `name` is what an older Krousar left beside a backup or a restored database:
/// `NAME.part-<32 hex>`, `.snapshot-…` or `.restore-…`, with SQLite's `-wal`, `-shm` or `-journal`.
fn legacy_leftover(name: &str) -> bool {
    let name = ["-wal", "-shm", "-journal"].iter().fold(name, |n, s| n.strip_suffix(s).unwrap_or(n));
    ["part", "snapshot", "restore"].iter().any(|kind| {
        name.rsplit_once(&format!(".{kind}-")).is_some_and(|(_, id)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}

/// Whether the work directory `dir` was abandoned: its lock is free (or, made more than a
/// minute ago, it never got one).
fn abandoned(dir: &Path) -> bool {
    match std::fs::OpenOptions::new().read(true).open(dir.join(LOCK)) {
        Ok(f) => f.try_lock().is_ok(),
        Err(_) => std::fs::metadata(dir)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > std::time::Duration::from_secs(60))),
    }
}

/// Remove what interrupted backups and restores left in `dir` (a backup directory, or the
/// directory of a restored SQLite database); what was removed.
pub fn sweep(dir: &Path) -> Vec<PathBuf> {
    sweep_matching(dir, legacy_leftover)
}

/// `sweep` for the shared temporary directory, where a PostgreSQL restore works: only Krousar's
/// own work directories and the dumps older versions left there (`krousar-restore-<uuid>`).
pub(crate) fn sweep_temp() -> Vec<PathBuf> {
    sweep_matching(&std::env::temp_dir(), |name| name.strip_prefix("krousar-restore-").is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()))
}

fn sweep_matching(dir: &Path, legacy_leftover: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let (path, name) = (entry.path(), entry.file_name().to_string_lossy().into_owned());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let gone = if is_dir && name.starts_with(PREFIX) {
            abandoned(&path) && std::fs::remove_dir_all(&path).is_ok()
        } else {
            !is_dir && legacy_leftover(&name) && std::fs::remove_file(&path).is_ok()
        };
        if gone {
            removed.push(path);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_krousars_leftovers_are_recognised() {
        let id = "0190f3a1b2c34d5e8f90a1b2c3d4e5f6";
        for name in [format!("k.kbak.part-{id}"), format!("k.kbak.snapshot-{id}-wal"), format!("krousar.db.restore-{id}")] {
            assert!(legacy_leftover(&name), "{name}");
        }
        for name in ["k.kbak", "krousar.db", "notes.part-1", &format!("k.kbak.other-{id}"), &format!("k.part-{id}x")] {
            assert!(!legacy_leftover(name), "{name}");
        }
    }

    #[test]
    fn a_work_directory_is_private_gone_when_dropped_and_swept_only_when_abandoned() {
        let parent = std::env::temp_dir().join(format!("krousar-workdir-{}", uuid::Builder::from_random_bytes(rand::random()).into_uuid()));
        std::fs::create_dir_all(&parent).unwrap();
        let work = WorkDir::new(&parent).unwrap();
        let inside = work.path.clone();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&inside).unwrap().permissions().mode() & 0o777, 0o700);
        }
        assert!(sweep(&parent).is_empty(), "a directory in use is left alone");
        drop(work);
        assert!(!inside.exists());
        // A killed process's directory: its lock file is there, but nobody holds it.
        std::fs::create_dir(&inside).unwrap();
        std::fs::write(inside.join(LOCK), "").unwrap();
        assert_eq!(sweep(&parent), vec![inside.clone()]);
        std::fs::remove_dir_all(&parent).unwrap();
    }
}
