//! The key file that seals sensitive information, and the `krousar keys` commands: where it is
//! by default, creating it on first start, rotating to a new key and retiring old ones.

use anyhow::{bail, Result};
use clap::Subcommand;
use krousar_store::keyring::Keyring;
use krousar_store::Store;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Show the key file, its keys and how many records each one seals.
    Status,
    /// Add a new key (every server sharing the file uses it at once) and re-seal every record
    /// with it. Old keys stay in the file until retired.
    Rotate,
    /// Remove an old key from the file; refused while any record is still sealed with it.
    Retire { id: String },
}

/// The key file beside an SQLite database (not inside it), or ./krousar.keys for PostgreSQL.
pub fn default_key_file(url: &str) -> PathBuf {
    match url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p)) {
        Some(path) => Path::new(path).parent().map(|d| d.join("krousar.keys")).unwrap_or_else(|| PathBuf::from("krousar.keys")),
        None => PathBuf::from("krousar.keys"),
    }
}

/// Open the key file for a server, creating it with a first key on a new installation, and
/// seal whatever an older Krousar kept in clear.
pub async fn attach(store: Store, path: &Path) -> Result<Store> {
    let (keys, created) = Keyring::open_or_create(path)?;
    if created {
        tracing::warn!("created the key file {} for sensitive information: back it up apart from the database", path.display());
    }
    let store = store.with_keys(keys);
    // Device keys and second-step secrets an older version kept in clear.
    let sealed = store.seal_clear_values().await?;
    if sealed > 0 {
        tracing::info!("sealed {sealed} device keys and second-step secrets kept in clear by an older version");
    }
    let sealed = store.seal_legacy_notes().await?;
    if sealed > 0 {
        tracing::info!("sealed {sealed} disability notes kept in clear by an older version");
    }
    Ok(store)
}

pub async fn run(store: Store, path: &Path, command: KeysCommand) -> Result<()> {
    let keys = Keyring::open(path)?;
    let store = store.with_keys(Keyring::open(path)?);
    match command {
        KeysCommand::Status => {
            println!("key file {}", path.display());
            let used = store.sealed_by_key().await?;
            let current = keys.current_id()?;
            for id in keys.ids()? {
                let n = used.iter().find(|(k, _)| *k == id).map(|(_, n)| *n).unwrap_or(0);
                println!("{id}\t{n} records{}", if id == current { "\t(current)" } else { "" });
            }
            for (id, n) in used.iter().filter(|(k, _)| !keys.ids().unwrap_or_default().contains(k)) {
                println!("{id}\t{n} records\tMISSING from the key file: these cannot be read");
            }
        }
        KeysCommand::Rotate => {
            let id = keys.add_key()?;
            let n = store.reseal_all().await?;
            println!("new key {id}; re-sealed {n} records. Old keys can now be retired (krousar keys retire ID).");
        }
        KeysCommand::Retire { id } => {
            let used = store.sealed_by_key().await?;
            if let Some((_, n)) = used.iter().find(|(k, n)| *k == id && *n > 0) {
                bail!("{n} records are still sealed with {id}: run `krousar keys rotate` first");
            }
            keys.remove_key(&id)?;
            println!("retired {id}");
        }
    }
    Ok(())
}
