//! Backups encrypted with a passphrase: Argon2id turns the passphrase into a key, and the file
//! is sealed in 64 KiB chunks with XChaCha20-Poly1305 in the STREAM construction (`aead::stream`),
//! so a backup of any size is encrypted and checked without holding it in memory, and a chunk
//! that is changed, dropped, reordered or cut off at the end is refused. Every chunk carries
//! the digest of the backup's header as associated data, so the header (row counts, schema,
//! installation, these very parameters) cannot be changed either without the file being refused.

use crate::error::StoreError;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::Payload;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;

/// How the payload was sealed (written in the backup's header; nothing here is secret).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sealing {
    pub kdf: String,
    pub memory_kib: u32,
    pub passes: u32,
    pub salt: String,
    pub nonce: String,
}

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("backup: {e}"))
}

/// The largest key derivation a header may ask for: 256 MiB and 8 passes.
const MAX_MEMORY_KIB: u32 = 256 * 1024;
const MAX_PASSES: u32 = 8;

fn key(passphrase: &str, s: &Sealing) -> Result<chacha20poly1305::Key, StoreError> {
    // The parameters come from a header not yet authenticated: bound them near what this
    // version writes (64 MiB, 3 passes), so that an edited header cannot make the key derivation
    // take a small server's memory or minutes before the header is found out.
    if s.kdf != "argon2id" || s.memory_kib > MAX_MEMORY_KIB || s.passes > MAX_PASSES {
        return Err(bad("unknown or unreasonable key derivation in the header"));
    }
    let params = argon2::Params::new(s.memory_kib, s.passes, 1, Some(32)).map_err(bad)?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = hex::decode(&s.salt).map_err(bad)?;
    let mut k = [0u8; 32];
    argon.hash_password_into(passphrase.as_bytes(), &salt, &mut k).map_err(bad)?;
    Ok(k.into())
}

/// A new sealing with a random salt and nonce.
pub fn new_sealing() -> Sealing {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 19];
    rand::rng().fill_bytes(&mut salt);
    rand::rng().fill_bytes(&mut nonce);
    Sealing { kdf: "argon2id".into(), memory_kib: 64 * 1024, passes: 3, salt: hex::encode(salt), nonce: hex::encode(nonce) }
}

/// Fill `buf` as far as the reader allows; the number of bytes read.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Seal `from` into `to`; `aad` (the header's digest) is bound to every chunk.
pub fn encrypt(passphrase: &str, s: &Sealing, aad: &[u8], mut from: impl Read, to: &mut impl Write) -> Result<(), StoreError> {
    let nonce = hex::decode(&s.nonce).map_err(bad)?;
    let mut enc = EncryptorBE32::from_aead(XChaCha20Poly1305::new(&key(passphrase, s)?), nonce.as_slice().into());
    let mut buf = vec![0u8; CHUNK];
    let mut next = vec![0u8; CHUNK];
    let mut n = fill(&mut from, &mut buf).map_err(bad)?;
    loop {
        // A chunk is the last one when nothing follows it.
        let m = if n == CHUNK { fill(&mut from, &mut next).map_err(bad)? } else { 0 };
        if m == 0 {
            let sealed = enc.encrypt_last(Payload { msg: &buf[..n], aad }).map_err(bad)?;
            to.write_all(&sealed).map_err(bad)?;
            return Ok(());
        }
        let sealed = enc.encrypt_next(Payload { msg: &buf[..n], aad }).map_err(bad)?;
        to.write_all(&sealed).map_err(bad)?;
        std::mem::swap(&mut buf, &mut next);
        n = m;
    }
}

/// Open what `encrypt` sealed with the same `aad`.
pub fn decrypt(passphrase: &str, s: &Sealing, aad: &[u8], mut from: impl Read, to: &mut impl Write) -> Result<(), StoreError> {
    let wrong = || StoreError::Config("backup: wrong passphrase, or the file (its header or its contents) was changed or cut short".into());
    let nonce = hex::decode(&s.nonce).map_err(bad)?;
    let mut dec = DecryptorBE32::from_aead(XChaCha20Poly1305::new(&key(passphrase, s)?), nonce.as_slice().into());
    let mut buf = vec![0u8; CHUNK + TAG];
    let mut next = vec![0u8; CHUNK + TAG];
    let mut n = fill(&mut from, &mut buf).map_err(bad)?;
    loop {
        let m = if n == CHUNK + TAG { fill(&mut from, &mut next).map_err(bad)? } else { 0 };
        if m == 0 {
            let plain = dec.decrypt_last(Payload { msg: &buf[..n], aad }).map_err(|_| wrong())?;
            to.write_all(&plain).map_err(bad)?;
            return Ok(());
        }
        let plain = dec.decrypt_next(Payload { msg: &buf[..n], aad }).map_err(|_| wrong())?;
        to.write_all(&plain).map_err(bad)?;
        std::mem::swap(&mut buf, &mut next);
        n = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn light() -> Sealing {
        Sealing { memory_kib: 1024, passes: 1, ..new_sealing() }
    }

    #[test]
    fn any_size_round_trips_and_any_change_is_refused() {
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let s = light();
            let mut sealed = Vec::new();
            encrypt("correct horse", &s, b"header", plain.as_slice(), &mut sealed).unwrap();
            let mut back = Vec::new();
            decrypt("correct horse", &s, b"header", sealed.as_slice(), &mut back).unwrap();
            assert_eq!(back, plain, "size {size}");
            assert!(decrypt("wrong horse", &s, b"header", sealed.as_slice(), &mut Vec::new()).is_err());
            assert!(decrypt("correct horse", &s, b"edited", sealed.as_slice(), &mut Vec::new()).is_err(), "header bound");
            if !sealed.is_empty() {
                let mut flipped = sealed.clone();
                flipped[sealed.len() / 2] ^= 1;
                assert!(decrypt("correct horse", &s, b"header", flipped.as_slice(), &mut Vec::new()).is_err(), "size {size}");
            }
            if size > CHUNK {
                // Cut after the first chunk: the rest missing is noticed.
                assert!(decrypt("correct horse", &s, b"header", &sealed[..CHUNK + TAG], &mut Vec::new()).is_err(), "truncated {size}");
            }
        }
    }
}
