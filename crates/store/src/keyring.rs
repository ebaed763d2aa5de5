//! The keys that encrypt children's sensitive information, kept in a file outside the database
//! (a stolen database or backup alone reveals nothing). The file holds one key per line; the
//! last encrypts new data, older ones still decrypt until they are retired. Servers re-read the
//! file when it changes, so a rotation (`krousar keys rotate`) reaches every app server sharing
//! it without a restart.
//!
//! Sealing is XChaCha20-Poly1305 with a random 192-bit nonce (random nonces are safe at this
//! size) and the record's id as associated data, so a sealed value copied onto another child
//! does not open.

use crate::error::StoreError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

const HEADER: &str = "# Krousar keys for sensitive information. Keep this file out of the database and its backups,\n\
# back it up separately: without it the sensitive information cannot be read.\n\
# The last key encrypts new data; older keys still decrypt until `krousar keys retire`.\n";
const NONCE_LEN: usize = 24;

#[derive(Clone)]
struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
    /// A key derived from the same material for signing the audit chain's checkpoints
    /// (`audit_anchor.rs`): never the encryption key itself.
    anchor: [u8; 32],
}

type HmacSha256 = Hmac<Sha256>;

fn derive_anchor_key(material: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(material).expect("any key length");
    mac.update(b"krousar audit anchor v1");
    mac.finalize().into_bytes().into()
}

struct Loaded {
    modified: Option<Stamp>,
    keys: Vec<Key>,
}

pub struct Keyring {
    path: PathBuf,
    loaded: RwLock<Loaded>,
}

fn config(msg: String) -> StoreError {
    StoreError::Config(msg)
}

/// What tells a changed file apart: its time, size and (each write is a new file renamed into
/// place) its inode — file times can be too coarse to tell two quick writes apart.
type Stamp = (SystemTime, u64, u64);

fn modified(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    Some((m.modified().ok()?, m.len(), ino))
}

fn parse(path: &Path) -> Result<Vec<Key>, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| config(format!("cannot read key file {}: {e}", path.display())))?;
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || config(format!("key file {} line {n}: expected `ID BASE64-KEY`", path.display()));
        let (id, material) = line.split_once(' ').ok_or_else(bad)?;
        let bytes = B64.decode(material.trim()).map_err(|_| bad())?;
        if bytes.len() != 32 || id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(bad());
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| bad())?;
        keys.push(Key { id: id.to_string(), cipher, anchor: derive_anchor_key(&bytes) });
    }
    if keys.is_empty() {
        return Err(config(format!("key file {} holds no key", path.display())));
    }
    Ok(keys)
}

fn new_key_line() -> (String, String) {
    let mut material = [0u8; 32];
    rand::rng().fill_bytes(&mut material);
    let mut suffix = [0u8; 3];
    rand::rng().fill_bytes(&mut suffix);
    let id = format!("k{}-{}", chrono::Utc::now().format("%Y%m%d%H%M%S"), hex::encode(suffix));
    (id.clone(), format!("{id} {}\n", B64.encode(material)))
}

/// Replace the file's content at once (write aside, then rename) with owner-only permissions.
fn write_atomically(path: &Path, content: &str) -> Result<(), StoreError> {
    let tmp = path.with_extension("tmp");
    let fail = |e: std::io::Error| config(format!("cannot write key file {}: {e}", path.display()));
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp).map_err(fail)?;
        f.write_all(content.as_bytes()).map_err(fail)?;
        f.sync_all().map_err(fail)?;
    }
    std::fs::rename(&tmp, path).map_err(fail)
}

impl Keyring {
    /// Read the key file.
    pub fn open(path: &Path) -> Result<Keyring, StoreError> {
        let keys = parse(path)?;
        Ok(Keyring { path: path.to_path_buf(), loaded: RwLock::new(Loaded { modified: modified(path), keys }) })
    }

    /// Read the key file, or create it with a first key (returns whether it was created).
    pub fn open_or_create(path: &Path) -> Result<(Keyring, bool), StoreError> {
        if path.exists() {
            return Ok((Keyring::open(path)?, false));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| config(format!("cannot create {}: {e}", dir.display())))?;
        }
        let (_, line) = new_key_line();
        write_atomically(path, &format!("{HEADER}{line}"))?;
        Ok((Keyring::open(path)?, true))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Re-read the file if it changed since it was read (a rotation by another process).
    fn refresh(&self) -> Result<(), StoreError> {
        let now = modified(&self.path);
        if now == self.loaded.read().expect("keyring lock").modified {
            return Ok(());
        }
        let keys = parse(&self.path)?;
        *self.loaded.write().expect("keyring lock") = Loaded { modified: now, keys };
        Ok(())
    }

    fn current(&self) -> Result<Key, StoreError> {
        self.refresh()?;
        Ok(self.loaded.read().expect("keyring lock").keys.last().expect("never empty").clone())
    }

    pub fn current_id(&self) -> Result<String, StoreError> {
        Ok(self.current()?.id)
    }

    /// Every key id in the file, oldest first.
    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        self.refresh()?;
        Ok(self.loaded.read().expect("keyring lock").keys.iter().map(|k| k.id.clone()).collect())
    }

    fn get(&self, id: &str) -> Result<Key, StoreError> {
        self.refresh()?;
        let loaded = self.loaded.read().expect("keyring lock");
        loaded.keys.iter().find(|k| k.id == id).cloned().ok_or_else(|| config(format!("key {id} is not in {}", self.path.display())))
    }

    /// Encrypt `plain` for the record `record_id` with the current key: (key id, sealed text).
    pub fn seal(&self, record_id: &str, plain: &[u8]) -> Result<(String, String), StoreError> {
        let key = self.current()?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = key
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad: record_id.as_bytes() })
            .map_err(|_| config("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok((key.id, B64.encode(out)))
    }

    /// Decrypt what `seal` made for the same record; a wrong key, record or a changed byte is
    /// an error, never wrong text.
    pub fn open_sealed(&self, key_id: &str, record_id: &str, sealed: &str) -> Result<Vec<u8>, StoreError> {
        let key = self.get(key_id)?;
        let bytes = B64.decode(sealed).map_err(|_| StoreError::Corrupt("sealed value is not base64".into()))?;
        if bytes.len() < NONCE_LEN {
            return Err(StoreError::Corrupt("sealed value too short".into()));
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at its length");
        key.cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: body, aad: record_id.as_bytes() })
            .map_err(|_| StoreError::Corrupt(format!("sealed value of {record_id} does not open with key {key_id}")))
    }

    /// Sign `message` (an audit checkpoint) with the current key: (key id, hex HMAC-SHA256).
    pub fn sign_anchor(&self, message: &[u8]) -> Result<(String, String), StoreError> {
        let key = self.current()?;
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&key.anchor).expect("any key length");
        mac.update(message);
        Ok((key.id, hex::encode(mac.finalize().into_bytes())))
    }

    /// Whether `signature` is the key `key_id`'s signature of `message` (compared in constant
    /// time); an error if that key is not in the file.
    pub fn check_anchor(&self, key_id: &str, message: &[u8], signature: &str) -> Result<bool, StoreError> {
        let key = self.get(key_id)?;
        let Ok(sig) = hex::decode(signature) else { return Ok(false) };
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&key.anchor).expect("any key length");
        mac.update(message);
        Ok(mac.verify_slice(&sig).is_ok())
    }

    /// Add a new key, which from now on encrypts new data (every server picks it up). Returns its id.
    pub fn add_key(&self) -> Result<String, StoreError> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| config(format!("cannot read {}: {e}", self.path.display())))?;
        let (id, line) = new_key_line();
        let sep = if text.ends_with('\n') || text.is_empty() { "" } else { "\n" };
        write_atomically(&self.path, &format!("{text}{sep}{line}"))?;
        self.refresh()?;
        Ok(id)
    }

    /// Remove a key that no longer encrypts anything (the caller checks); the current key stays.
    pub fn remove_key(&self, id: &str) -> Result<(), StoreError> {
        if self.current_id()? == id {
            return Err(config(format!("{id} is the current key; rotate first")));
        }
        self.get(id)?;
        let text = std::fs::read_to_string(&self.path).map_err(|e| config(format!("cannot read {}: {e}", self.path.display())))?;
        let kept: String = text.lines().filter(|l| l.split_once(' ').map(|(k, _)| k) != Some(id)).map(|l| format!("{l}\n")).collect();
        write_atomically(&self.path, &kept)?;
        self.refresh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("krousar-keys-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("krousar.keys")
    }

    #[test]
    fn seals_for_one_record_and_survives_rotation() {
        let path = temp("rotate");
        let (ring, created) = Keyring::open_or_create(&path).unwrap();
        assert!(created);
        let (k1, sealed) = ring.seal("child-1", b"HIV positive").unwrap();
        assert!(!sealed.contains("HIV"));
        assert_eq!(ring.open_sealed(&k1, "child-1", &sealed).unwrap(), b"HIV positive");
        assert!(ring.open_sealed(&k1, "child-2", &sealed).is_err(), "bound to its record");
        let mut tampered = B64.decode(&sealed).unwrap();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(ring.open_sealed(&k1, "child-1", &B64.encode(tampered)).is_err());

        // Another process (a second server) sees the rotation through the file.
        let other = Keyring::open(&path).unwrap();
        let k2 = ring.add_key().unwrap();
        assert_ne!(k1, k2);
        let (used, _) = other.seal("child-1", b"x").unwrap();
        assert_eq!(used, k2);
        assert!(ring.remove_key(&k2).is_err(), "the current key cannot go");
        ring.remove_key(&k1).unwrap();
        assert!(ring.open_sealed(&k1, "child-1", &sealed).is_err());
        assert_eq!(Keyring::open(&path).unwrap().ids().unwrap(), vec![k2]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let path = temp("bad");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "k1 not-base64\n").unwrap();
        assert!(Keyring::open(&path).is_err());
        std::fs::write(&path, "# only a comment\n").unwrap();
        assert!(Keyring::open(&path).is_err());
    }
}
