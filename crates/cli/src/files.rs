//! Where a command keeps attached files: beside an SQLite database in a files directory, and in
//! the database itself with PostgreSQL (several app servers then share nothing on disk).

use anyhow::Result;
use krousar_store::Store;
use std::path::{Path, PathBuf};

/// Attached files beside an SQLite database (`files/` next to it).
pub fn default_dir(url: &str) -> PathBuf {
    match url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p)) {
        Some(path) => Path::new(path).parent().map(|d| d.join("files")).unwrap_or_else(|| PathBuf::from("files")),
        // Where files were kept with PostgreSQL before they went into the database.
        None => PathBuf::from("krousar-files"),
    }
}

/// `store` set up to keep its files where its engine keeps them. With PostgreSQL, files the
/// directory given (`--files-dir`, `files_dir`) still holds are moved into the database first,
/// so an installation that kept them on disk loses none on upgrading; a directory only found
/// where the command happens to run is never emptied, only pointed out.
pub async fn attach(store: Store, url: &str, given: Option<PathBuf>) -> Result<Store> {
    if url.starts_with("sqlite:") {
        return Ok(store.with_files(given.unwrap_or_else(|| default_dir(url))));
    }
    let Some(dir) = given else {
        if default_dir(url).is_dir() {
            tracing::warn!(
                "./krousar-files holds attached files of an older installation: move them into the database with --files-dir krousar-files"
            );
        }
        return Ok(store);
    };
    if dir.is_dir() {
        let moved = store.move_files_into_database(&dir).await?;
        if moved > 0 {
            tracing::info!(moved, dir = %dir.display(), "attached files moved into the database");
        }
    }
    Ok(store)
}
