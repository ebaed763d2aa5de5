//! Files that hold the records — the SQLite database with its WAL and shared-memory files,
//! backups, archives — are readable by the server's user only (0600, like the key file),
//! whatever the umask of whoever started the server.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Create (or truncate) `path` for writing, readable and writable by its owner only.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let f = opts.open(path)?;
    // An existing file keeps its old mode through `open`: set it.
    restrict(path)?;
    Ok(f)
}

/// Make an existing file owner-only.
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// The database file named by a `sqlite:` URL (`None` for an in-memory database).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Before SQLite opens the file: create it owner-only if it is missing (SQLite gives its WAL and
/// shared-memory files the database file's mode), else make it owner-only.
pub fn prepare_sqlite(path: &Path) -> io::Result<()> {
    if path.exists() {
        restrict(path)
    } else {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        create_private(path).map(|_| ())
    }
}

/// After opening: the WAL and shared-memory files of a database made before this rule.
pub fn restrict_sqlite_companions(path: &Path) -> io::Result<()> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            restrict(&p)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite:///var/k/k.db?mode=rwc"), Some(PathBuf::from("/var/k/k.db")));
        assert_eq!(sqlite_path("sqlite://k.db"), Some(PathBuf::from("k.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }
}
