//! Photos taken with a record on a device follow it in pieces a poor line can carry. The server
//! keeps what arrived; a device whose line dropped asks how much arrived and sends the rest.
//! When all of it is there and its SHA-256 matches, it becomes the record's attachment, through
//! the same checks as a file uploaded on the case page, or (a `profile-photo` change) the
//! child's profile photo, through the same processing as one sent from the child's page.

use crate::cases::attachments::{Attachment, MAX_BYTES};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use krousar_domain::sync::ChangeKind;
use krousar_domain::Actor;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use uuid::Uuid;

/// How far a photo has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoState {
    /// Bytes received so far.
    Partial(u64),
    /// Stored as the record's attachment.
    Stored,
}

impl Store {
    fn partial_path(&self, change_id: Uuid) -> Result<PathBuf, StoreError> {
        let dir = self.files.as_ref().ok_or_else(|| StoreError::invalid("file", "err-attachments-off"))?;
        Ok(dir.join("sync-partial").join(change_id.simple().to_string()))
    }

    /// The record a photo belongs to: a change of the actor's that was accepted and takes one
    /// (the child, and the change's kind).
    async fn photo_owner(&self, actor: &Actor, change_id: Uuid) -> Result<(Uuid, ChangeKind), StoreError> {
        let r = self.sync_receipt(change_id).await?.filter(|r| r.user_id == actor.user_id).ok_or(StoreError::NotFound)?;
        match (ChangeKind::parse(&r.kind).filter(|k| k.takes_photo()), r.child_id) {
            (Some(kind), Some(child)) => Ok((child, kind)),
            _ => Err(StoreError::invalid("file", "err-sync-no-photo")),
        }
    }

    /// The photo kept for a change: an attachment of its record, or the child's profile photo.
    async fn stored_photo(&self, change_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        let sql = "SELECT id FROM attachments WHERE entry_id = $1 UNION ALL SELECT id FROM profile_photos WHERE id = $1";
        let row = sqlx::query(sql).bind(change_id.to_string()).fetch_optional(&self.pool).await?;
        row.map(|r| r.uuid("id")).transpose()
    }

    pub async fn photo_state(&self, actor: &Actor, change_id: Uuid) -> Result<PhotoState, StoreError> {
        self.photo_owner(actor, change_id).await?;
        if self.stored_photo(change_id).await?.is_some() {
            return Ok(PhotoState::Stored);
        }
        let len = std::fs::metadata(self.partial_path(change_id)?).map(|m| m.len()).unwrap_or(0);
        Ok(PhotoState::Partial(len))
    }

    /// Add a piece at `offset`. A piece that does not start where the last one ended is not
    /// taken; the answer says where to start.
    pub async fn photo_part(&self, actor: &Actor, change_id: Uuid, offset: u64, bytes: &[u8]) -> Result<PhotoState, StoreError> {
        let state = self.photo_state(actor, change_id).await?;
        let PhotoState::Partial(have) = state else { return Ok(state) };
        if offset != have {
            return Ok(state);
        }
        let path = self.partial_path(change_id)?;
        if have as usize + bytes.len() > MAX_BYTES {
            // It can never be finished: what came so far is removed rather than left on disk.
            let _ = std::fs::remove_file(&path);
            return Err(StoreError::invalid("file", "err-file-too-large"));
        }
        std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&path).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let Err(e) = f.write_all(bytes).and_then(|_| f.sync_data()) {
            // Half a piece must not stay: cut back to the pieces taken before (or remove it all).
            if f.set_len(have).is_err() {
                let _ = std::fs::remove_file(&path);
            }
            return Err(StoreError::Corrupt(e.to_string()));
        }
        Ok(PhotoState::Partial(have + bytes.len() as u64))
    }

    /// All pieces are there: check them against the device's SHA-256 and attach the photo to
    /// its record. Sent again after it was stored, it answers with the stored photo's id.
    pub async fn photo_finish(&self, actor: &Actor, change_id: Uuid, file_name: &str, sha256: &str) -> Result<Uuid, StoreError> {
        let _today = actor.today();
        let (child, kind) = self.photo_owner(actor, change_id).await?;
        if let Some(id) = self.stored_photo(change_id).await? {
            return Ok(id);
        }
        let path = self.partial_path(change_id)?;
        let bytes = std::fs::read(&path).map_err(|_| StoreError::invalid("file", "err-sync-photo-incomplete"))?;
        if !hex::encode(Sha256::digest(&bytes)).eq_ignore_ascii_case(sha256.trim()) {
            // Start again from nothing: a piece was damaged on the way.
            let _ = std::fs::remove_file(&path);
            return Err(StoreError::invalid("file", "err-sync-photo-damaged"));
        }
        let id = if kind == ChangeKind::ProfilePhoto {
            self.keep_photo(actor, crate::photos::PhotoOf::Child(child), &bytes, change_id).await?
        } else {
            let a: Attachment = self.add_attachment(actor, child, Some(change_id), file_name, &bytes).await?;
            a.id
        };
        let _ = std::fs::remove_file(&path);
        Ok(id)
    }
}
