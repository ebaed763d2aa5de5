//! Where the bytes of attached files live: photos, scans, RCI documents, form answers' files,
//! finished exports and uploaded workbooks. One interface, two places:
//! - a files directory (the default with SQLite: one machine, the database file stays small);
//! - the database itself, table `stored_files` (the default with PostgreSQL), so several app
//!   servers share nothing on disk and `pg_dump` backups carry every file.
//!
//! Reads look in the database first, then in the directory: a SQLite backup carries its files
//! inside its payload (`backup::carry_files`), and a restored copy reads them from there on a
//! machine whose directory is empty. A file written in the database inside the record's own
//! transaction is kept or dropped with it; a file written to the directory is flushed before
//! its row is committed and removed if the row is not (a crash leaves an orphan, never a hole).

use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// A stored file's name: what it is and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileName {
    /// An attachment, a photo (full or small), an RCI document or a form answer's file.
    Kept(Uuid),
    /// A finished background export.
    Export(Uuid),
    /// An uploaded workbook being imported.
    Import(Uuid),
}

impl FileName {
    /// The name in `stored_files`.
    pub(crate) fn key(self) -> String {
        match self {
            FileName::Kept(id) => format!("kept/{}", id.simple()),
            FileName::Export(id) => format!("exports/{id}"),
            FileName::Import(id) => format!("imports/{id}"),
        }
    }

    /// The path under a files directory (the layout files always had there).
    pub(crate) fn path_in(self, dir: &Path) -> PathBuf {
        match self {
            FileName::Kept(id) => {
                let hex = id.simple().to_string();
                // Spread over directories by the random end of the id.
                dir.join(&hex[30..32]).join(hex)
            }
            FileName::Export(id) => dir.join("exports").join(id.to_string()),
            FileName::Import(id) => dir.join("imports").join(id.to_string()),
        }
    }

    /// The name of a file found in a files directory (`None`: not one of ours).
    pub(crate) fn from_path(dir: &Path, path: &Path) -> Option<FileName> {
        let rel = path.strip_prefix(dir).ok()?;
        let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
        match parts.as_slice() {
            ["exports", id] => Uuid::parse_str(id).ok().map(FileName::Export),
            ["imports", id] => Uuid::parse_str(id).ok().map(FileName::Import),
            [spread, hex] if hex.len() == 32 && hex.get(30..) == Some(*spread) => Uuid::parse_str(hex).ok().map(FileName::Kept),
            _ => None,
        }
    }
}

fn corrupt(name: FileName, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("file {}: {e}", name.key()))
}

impl Store {
    /// Whether files are kept in the database (no files directory).
    pub fn files_in_database(&self) -> bool {
        self.files.is_none()
    }

    /// Keep `bytes` under `name` as part of `tx` (in the database: the same transaction; in the
    /// directory: written and flushed now — `forget_file` removes it if `tx` is not committed).
    /// A name is kept once: a name already taken is refused, never replaced (an id a device or
    /// an archive chose must not overwrite another record's file).
    pub(crate) async fn put_file_in(&self, tx: &mut Tx, name: FileName, bytes: &[u8]) -> Result<(), StoreError> {
        match &self.files {
            Some(dir) => {
                let (path, bytes) = (name.path_in(dir), bytes.to_vec());
                tokio::task::spawn_blocking(move || crate::cases::attachments::write_durably(&path, &bytes))
                    .await
                    .map_err(|e| StoreError::Config(e.to_string()))?
            }
            None => {
                if !insert_new(&mut **tx, name, bytes).await? {
                    return Err(StoreError::invalid("file", "err-invalid-choice"));
                }
                Ok(())
            }
        }
    }

    /// Keep `bytes` under `name` on its own (its own transaction in the database).
    pub(crate) async fn put_file(&self, name: FileName, bytes: &[u8]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        self.put_file_in(&mut tx, name, bytes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A stored file's bytes (`None`: there is no such file).
    pub(crate) async fn get_file(&self, name: FileName) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT bytes FROM stored_files WHERE name = $1").bind(name.key()).fetch_optional(&self.pool).await?;
        if let Some(r) = row {
            return Ok(Some(sqlx::Row::try_get::<Vec<u8>, _>(&r, "bytes").map_err(|e| corrupt(name, e))?));
        }
        let Some(dir) = &self.files else { return Ok(None) };
        match tokio::fs::read(name.path_in(dir)).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(corrupt(name, e)),
        }
    }

    /// Whether a file is stored under `name`.
    pub(crate) async fn has_file(&self, name: FileName) -> Result<bool, StoreError> {
        let n =
            sqlx::query("SELECT COUNT(*) AS n FROM stored_files WHERE name = $1").bind(name.key()).fetch_one(&self.pool).await?.int("n")?;
        Ok(n > 0 || self.files.as_ref().is_some_and(|dir| name.path_in(dir).exists()))
    }

    /// Remove a file wherever it is (nothing refers to it any more). Best effort: a file left
    /// behind is an orphan, which hurts no one.
    pub(crate) async fn forget_file(&self, name: FileName) {
        let _ = sqlx::query("DELETE FROM stored_files WHERE name = $1").bind(name.key()).execute(&self.pool).await;
        if let Some(dir) = &self.files {
            let _ = tokio::fs::remove_file(name.path_in(dir)).await;
        }
    }

    /// A kept file's bytes, refused if they no longer match the hash taken when it was stored.
    pub(crate) async fn read_checked(&self, id: Uuid, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let name = FileName::Kept(id);
        let bytes = self.get_file(name).await?.ok_or_else(|| corrupt(name, "missing"))?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(corrupt(name, "does not match its hash"));
        }
        Ok(bytes)
    }

    /// Copy every file of a files directory into the database and remove it from the
    /// directory (a PostgreSQL installation that kept its files on disk before). Safe to run
    /// again, and from several servers at once: a file already there is left as it is.
    /// Returns how many files were moved.
    pub async fn move_files_into_database(&self, dir: &Path) -> Result<u64, StoreError> {
        let mut moved = 0;
        for path in files_under(dir) {
            let Some(name) = FileName::from_path(dir, &path) else { continue };
            let bytes = tokio::fs::read(&path).await.map_err(|e| corrupt(name, e))?;
            insert_new(&self.pool, name, &bytes).await?;
            // Removed only once the database holds the same bytes.
            if self.get_file_in_database(name).await?.as_deref() == Some(&bytes[..]) {
                let _ = tokio::fs::remove_file(&path).await;
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// Copy the kept files of this server's files directory into `into` (the copy a SQLite
    /// backup is made of), so that the backup carries them and a restored copy reads them from
    /// its database on a machine whose directory is empty. Returns how many were copied.
    pub(crate) async fn carry_files(&self, into: &Store) -> Result<u64, StoreError> {
        let mut tx = into.pool.begin().await?;
        let n = self.carry_files_in(&mut tx).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// `carry_files` into another database's transaction.
    pub(crate) async fn carry_files_in(&self, tx: &mut Tx) -> Result<u64, StoreError> {
        let Some(dir) = &self.files else { return Ok(0) };
        let mut n = 0;
        for path in files_under(dir) {
            // Finished exports and uploaded workbooks live a day: a backup leaves them out.
            let Some(name @ FileName::Kept(_)) = FileName::from_path(dir, &path) else { continue };
            let bytes = tokio::fs::read(&path).await.map_err(|e| corrupt(name, e))?;
            insert_new(&mut **tx, name, &bytes).await?;
            n += 1;
        }
        Ok(n)
    }

    async fn get_file_in_database(&self, name: FileName) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT bytes FROM stored_files WHERE name = $1").bind(name.key()).fetch_optional(&self.pool).await?;
        row.map(|r| sqlx::Row::try_get::<Vec<u8>, _>(&r, "bytes").map_err(|e| corrupt(name, e))).transpose()
    }
}

/// Store `bytes` under `name` in the database unless the name is taken (then nothing is
/// written); whether they were stored.
async fn insert_new<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(db: E, name: FileName, bytes: &[u8]) -> Result<bool, StoreError> {
    let done =
        sqlx::query("INSERT INTO stored_files (name, bytes, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING")
            .bind(name.key())
            .bind(bytes.to_vec())
            .bind(bytes.len() as i64)
            .bind(now_text())
            .execute(db)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Every file under `dir`, at any depth (none if it does not exist).
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => todo.push(e.path()),
                Ok(t) if t.is_file() => out.push(e.path()),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::FileName;
    use crate::db::Store;
    use std::path::Path;
    use uuid::Uuid;

    /// A name is kept once, in the database and in a directory: a second file under a taken
    /// name (an id a device or an archive chose) is refused and the first is unchanged.
    #[tokio::test]
    async fn a_taken_name_is_refused_not_replaced() {
        let dir = std::env::temp_dir().join(format!("krousar-stored-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("s.db").display());
        let in_db = Store::connect(&url).await.unwrap();
        in_db.migrate().await.unwrap();
        let on_disk = Store::connect(&url).await.unwrap().with_files(dir.join("files"));
        for store in [&in_db, &on_disk] {
            let name = FileName::Kept(Uuid::now_v7());
            store.put_file(name, b"the birth certificate").await.unwrap();
            assert!(store.put_file(name, b"something else").await.is_err(), "a taken name is refused");
            assert_eq!(store.get_file(name).await.unwrap().as_deref(), Some(&b"the birth certificate"[..]));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_path_names_its_file_and_nothing_else() {
        let dir = Path::new("/srv/files");
        let id = Uuid::now_v7();
        for name in [FileName::Kept(id), FileName::Export(id), FileName::Import(id)] {
            assert_eq!(FileName::from_path(dir, &name.path_in(dir)), Some(name));
        }
        let hex = id.simple().to_string();
        let wrong = if &hex[30..] == "00" { "01" } else { "00" };
        assert_eq!(FileName::from_path(dir, &dir.join(wrong).join(&hex)), None, "a file in the wrong spread directory");
        assert_eq!(FileName::from_path(dir, &dir.join("sync-partial").join(&hex)), None);
        assert_eq!(FileName::from_path(dir, &dir.join(&hex[30..]).join(format!("{hex}.part"))), None);
        assert_eq!(FileName::from_path(dir, Path::new("/elsewhere/x")), None);
    }
}
