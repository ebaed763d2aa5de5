//! What a restore checks in the unpacked copy, beyond its integrity and row counts, before it
//! replaces anything: that it is this installation's (or that the administrator said otherwise),
//! and that every sealed record in it names a key the key file still holds — a backup from
//! before a key was retired would otherwise come back with records nobody can read.

use super::{io, Manifest};
use crate::db::Store;
use crate::error::StoreError;
use crate::installation::has_column;
use std::collections::BTreeMap;

/// Every column naming the key that sealed its row: (table, key-id column), from the one list
/// of sealed values (`sealed::SEALED`); tables or columns a copy made by an older version lacks
/// are skipped.
pub fn sealed_columns() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::sealed::SEALED.iter().map(|c| (c.table, c.key_id))
}

/// How a restore is to be done.
#[derive(Debug, Default, Clone)]
pub struct RestoreOptions {
    /// The passphrase of an encrypted backup (given for a clear one: refused).
    pub passphrase: Option<String>,
    /// Only check; replace nothing.
    pub check_only: bool,
    /// The key ids of the key file the servers use; `None`: there is no key file.
    pub known_keys: Option<Vec<String>>,
    /// Where those keys are (named when one is missing).
    pub key_file: Option<std::path::PathBuf>,
    /// Restore a backup of another installation over this one's database.
    pub other_installation: bool,
}

/// The number of rows sealed with each key, over every sealed column the copy has.
pub async fn sealed_key_ids(copy: &Store) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut out = BTreeMap::new();
    for (table, column) in sealed_columns() {
        if !has_column(copy, table, Some(column)).await? {
            continue;
        }
        let sql = format!("SELECT {column}, COUNT(*) FROM {table} WHERE {column} IS NOT NULL AND {column} <> '' GROUP BY {column}");
        let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(copy.pool()).await?;
        for (id, n) in rows {
            *out.entry(id).or_insert(0) += n;
        }
    }
    Ok(out)
}

/// Refuse a copy whose sealed records name keys the key file lacks.
async fn check_keys(copy: &Store, o: &RestoreOptions) -> Result<(), StoreError> {
    let known = o.known_keys.as_deref().unwrap_or_default();
    let missing: Vec<(String, i64)> = sealed_key_ids(copy).await?.into_iter().filter(|(id, _)| !known.contains(id)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let records: i64 = missing.iter().map(|(_, n)| n).sum();
    let ids: Vec<String> = missing.iter().map(|(id, n)| format!("{id} ({n} records)")).collect();
    let name = o.key_file.as_ref().map(|f| format!(" {}", f.display())).unwrap_or_default();
    let file = if o.known_keys.is_some() { format!("the key file{name}") } else { format!("a key file (there is no{name})") };
    Err(io(format!(
        "{records} sealed records in this backup need keys that are not in {file}: {}. Nothing was replaced. \
         Restore with the key file that was in use when the backup was made (--key-file), or put those keys back into it.",
        ids.join(", ")
    )))
}

/// Refuse a copy of another installation over a database that has one, unless told to.
async fn check_installation(copy: &Store, m: &Manifest, target: Option<&str>, o: &RestoreOptions) -> Result<(), StoreError> {
    let ours = copy.installation_id().await?;
    if m.installation_id.is_some() && m.installation_id != ours {
        return Err(io("the backup's header names another installation than its contents: it was changed"));
    }
    let Some(target) = target else { return Ok(()) };
    if ours.as_deref() == Some(target) || o.other_installation {
        return Ok(());
    }
    Err(io(match ours {
        Some(id) => format!(
            "this backup is of another installation ({id}) than the database it would replace ({target}). Nothing was replaced. \
             If you mean to replace this installation's records with that one's, give --other-installation."
        ),
        None => format!(
            "this backup records no installation (made before Krousar recorded one), and the database it would replace is \
             installation {target}. Nothing was replaced. If it is a backup of this installation, give --other-installation."
        ),
    }))
}

/// Every check of a copy against the place it is to go: `target` is the installation id of
/// the database it would replace (`None`: a new database, or one that never had one).
pub(super) async fn verify(copy: &Store, m: &Manifest, target: Option<&str>, o: &RestoreOptions) -> Result<(), StoreError> {
    super::check_copy(copy, m).await?;
    check_installation(copy, m, target, o).await?;
    check_keys(copy, o).await
}
