//! Signed checkpoints of the audit chain, kept outside the database. The chain alone proves
//! nothing against someone who can write the database: they can drop the triggers, delete an
//! entry and recompute every later hash and the head. So the head (sequence number and hash)
//! is signed now and then with a key derived from the key file (which is kept apart from the
//! database) and appended to an anchor file beside it; `audit verify` holds the chain to every
//! checkpoint, and a recomputed chain no longer matches the hash signed for its entries.
//!
//! The file only grows: one line per checkpoint, written with one `write` on a file opened for
//! appending, so that several servers sharing the key file's directory interleave whole lines.
//! Lines are `v1 SEQ HASH AT KEY-ID SIGNATURE`. Without the key nobody can write a valid line;
//! deleting lines is possible, so `audit verify` says how many it checked and which is the
//! last, for the operator to compare with what they expect (while a server runs, one every
//! thousand entries or ten minutes; one at every verify and backup).

use crate::audit::{self, Verification};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::keyring::Keyring;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The anchor file's name, beside the key file.
pub const FILE_NAME: &str = "krousar.audit-anchor";

/// One signed checkpoint: the chain's head at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

/// What `verify` found: the chain, and the checkpoints it was held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchoredVerification {
    pub chain: Verification,
    /// Valid checkpoints read from the anchor file.
    pub checkpoints: usize,
    /// The checkpoint with the highest sequence number.
    pub last: Option<Checkpoint>,
    /// Lines of the anchor file that are not a checkpoint signed with a key of the key file
    /// (1-based line numbers): forged or damaged. Either way the file was touched.
    pub bad_lines: Vec<usize>,
    /// Checkpoints signed with a key since retired from the key file, not checked.
    pub retired: usize,
}

impl AnchoredVerification {
    pub fn intact(&self) -> bool {
        self.chain.broken_at.is_none() && self.bad_lines.is_empty()
    }
}

/// The anchor file of a key file.
pub fn anchor_path(keys: &Keyring) -> PathBuf {
    keys.path().with_file_name(FILE_NAME)
}

fn signed_text(seq: i64, hash: &str, at: &str) -> String {
    format!("v1 {seq} {hash} {at}")
}

/// What the anchor file holds, compactly (a file of years of checkpoints is read line by line
/// and each hash kept as 32 bytes, once per entry however many servers signed it).
#[derive(Debug, Default)]
pub struct Anchors {
    /// Sequence number → the distinct hashes signed for it.
    pub by_seq: BTreeMap<i64, Vec<[u8; 32]>>,
    /// Valid checkpoints (lines).
    pub count: usize,
    /// The checkpoint with the highest sequence number (the latest such).
    pub last: Option<Checkpoint>,
    /// Lines that are not a checkpoint signed with a key of the key file (1-based).
    pub bad_lines: Vec<usize>,
    /// Lines signed with a key since retired from the key file: they cannot be checked.
    pub retired: usize,
}

/// Read every checkpoint of the file (a missing file holds none).
pub fn read(keys: &Keyring, path: &Path) -> Result<Anchors, StoreError> {
    use std::io::BufRead;
    let fail = |e: std::io::Error| StoreError::Config(format!("cannot read {}: {e}", path.display()));
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Anchors::default()),
        Err(e) => return Err(fail(e)),
    };
    let known = keys.ids()?;
    let mut out = Anchors::default();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate().map(|(n, l)| (n + 1, l)) {
        let line = line.map_err(fail)?;
        let parts: Vec<&str> = line.split(' ').collect();
        match parts[..] {
            ["v1", _, _, _, key_id, _] if !known.iter().any(|k| k == key_id) => {
                // Rotated out (`keys retire`): nothing can vouch for it, and nothing it says
                // could make a changed chain pass either.
                out.retired += 1;
            }
            ["v1", seq, hash, at, key_id, sig] => {
                let signed = seq
                    .parse::<i64>()
                    .ok()
                    .filter(|seq| keys.check_anchor(key_id, signed_text(*seq, hash, at).as_bytes(), sig).unwrap_or(false));
                let bytes: Option<[u8; 32]> = hex::decode(hash).ok().and_then(|b| b.try_into().ok());
                let (Some(seq), Some(bytes)) = (signed, bytes) else {
                    out.bad_lines.push(n);
                    continue;
                };
                out.count += 1;
                let hashes = out.by_seq.entry(seq).or_default();
                if !hashes.contains(&bytes) {
                    hashes.push(bytes);
                }
                if out.last.as_ref().is_none_or(|l| (l.seq, l.at.as_str()) < (seq, at)) {
                    out.last = Some(Checkpoint { seq, hash: hash.to_string(), at: at.to_string() });
                }
            }
            _ => out.bad_lines.push(n),
        }
    }
    Ok(out)
}

impl Store {
    fn anchor_keys(&self) -> Result<std::sync::Arc<Keyring>, StoreError> {
        self.keys.clone().ok_or_else(|| StoreError::Config("no key file to sign the audit chain's checkpoints".into()))
    }

    /// Sign the chain's current head into the anchor file beside the key file. Nothing is
    /// written for an empty chain. Returns the checkpoint written.
    pub async fn checkpoint_audit(&self) -> Result<Option<Checkpoint>, StoreError> {
        let keys = self.anchor_keys()?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        let checkpoint = Checkpoint { seq: head.int("seq")?, hash: head.text("hash")?, at: now_text() };
        if checkpoint.seq == 0 {
            return Ok(None);
        }
        let c = checkpoint.clone();
        tokio::task::spawn_blocking(move || append(&keys, &c)).await.map_err(|e| StoreError::Config(e.to_string()))??;
        // The head goes to the server's log too (the journal, under systemd): a second record
        // kept apart from the anchor file, for an operator to compare if that file is cut short.
        tracing::info!(seq = checkpoint.seq, hash = %checkpoint.hash, "audit checkpoint signed");
        Ok(Some(checkpoint))
    }

    /// Verify the chain against the signed checkpoints of the anchor file.
    pub async fn verify_audit(&self) -> Result<AnchoredVerification, StoreError> {
        let keys = self.anchor_keys()?;
        let Anchors { by_seq, count, last, bad_lines, retired } = tokio::task::spawn_blocking(move || read(&keys, &anchor_path(&keys)))
            .await
            .map_err(|e| StoreError::Config(e.to_string()))??;
        let chain = audit::verify_against(self, &by_seq).await?;
        Ok(AnchoredVerification { chain, checkpoints: count, last, bad_lines, retired })
    }

    /// While the server runs, sign a checkpoint when the chain has grown by `SIGN_AFTER_ENTRIES`,
    /// or at all in `SIGN_AT_LEAST_EVERY` (looking every `every`): a recomputed chain is caught
    /// up to the last checkpoint, and the file grows by a few lines an hour per server.
    pub fn spawn_audit_checkpoints(&self, every: std::time::Duration) {
        let store = self.clone();
        tokio::spawn(async move {
            let (mut signed, mut signed_at) = (0, tokio::time::Instant::now());
            loop {
                tokio::time::sleep(every).await;
                let head: Result<i64, StoreError> =
                    async { sqlx::query("SELECT seq FROM audit_head WHERE id = 1").fetch_one(&store.pool).await?.int("seq") }.await;
                let Ok(seq) = head else { continue };
                let due = seq - signed >= SIGN_AFTER_ENTRIES || seq > signed && signed_at.elapsed() >= SIGN_AT_LEAST_EVERY;
                if !due {
                    continue;
                }
                match store.checkpoint_audit().await {
                    Ok(c) => (signed, signed_at) = (c.map_or(0, |c| c.seq), tokio::time::Instant::now()),
                    Err(e) => tracing::warn!(error = %e, "could not sign an audit checkpoint"),
                }
            }
        });
    }
}

/// A running server signs a checkpoint once the chain has grown by this many entries…
const SIGN_AFTER_ENTRIES: i64 = 1_000;
/// …or, if it grew at all, after this long.
const SIGN_AT_LEAST_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Append one signed line with a single write (several processes may append at once).
fn append(keys: &Keyring, c: &Checkpoint) -> Result<(), StoreError> {
    let path = anchor_path(keys);
    let text = signed_text(c.seq, &c.hash, &c.at);
    let (key_id, sig) = keys.sign_anchor(text.as_bytes())?;
    let line = format!("{text} {key_id} {sig}\n");
    let fail = |e: std::io::Error| StoreError::Config(format!("cannot write {}: {e}", path.display()));
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path).map_err(fail)?;
    let n = f.write(line.as_bytes()).map_err(fail)?;
    if n != line.len() {
        return Err(StoreError::Config(format!("short write to {}", path.display())));
    }
    f.sync_data().map_err(fail)
}
