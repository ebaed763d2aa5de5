//! Photos taken with a record on a device follow it in pieces a poor line can carry. The server
//! keeps what arrived; a device whose line dropped asks how much arrived and sends the rest.
//! When all of it is there and its SHA-256 matches, it becomes the record's attachment, through
//! the same checks as a file uploaded on the case page, or (a `profile-photo` change) the
//! child's profile photo, through the same processing as one sent from the child's page.

use crate::cases::attachments::{Attachment, MAX_BYTES};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::sync::ChangeKind;
use krousar_domain::Actor;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How far a photo has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoState {
    /// Bytes received so far.
    Partial(u64),
    /// Stored as the record's attachment.
    Stored,
}

/// Pieces one photo may come in (a phone sends 64 KiB pieces; an 8 MiB photo is 128).
const MAX_PIECES: usize = 1024;
/// Days the pieces of a photo never finished are kept.
const PIECES_KEPT_DAYS: i64 = 14;

/// The name a photo's pieces are kept under until it is whole.
fn pieces_of(change_id: Uuid) -> String {
    format!("sync-photo/{}", change_id.simple())
}

impl Store {
    /// Where a photo's unbroken run of pieces from its start ends, and how many pieces it has.
    async fn pieces_len(&self, change_id: Uuid) -> Result<(u64, usize), StoreError> {
        let rows = sqlx::query("SELECT at, LENGTH(bytes) AS n FROM file_pieces WHERE name = $1 ORDER BY at")
            .bind(pieces_of(change_id))
            .fetch_all(&self.pool)
            .await?;
        let mut end = 0;
        for r in &rows {
            if r.int("at")? != end {
                break;
            }
            end += r.int("n")?;
        }
        Ok((end.max(0) as u64, rows.len()))
    }

    async fn drop_pieces(&self, change_id: Uuid) {
        let _ = sqlx::query("DELETE FROM file_pieces WHERE name = $1").bind(pieces_of(change_id)).execute(&self.pool).await;
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
        Ok(PhotoState::Partial(self.pieces_len(change_id).await?.0))
    }

    /// Add a piece at `offset`. A piece that does not start where the unbroken run ends is not
    /// taken; the answer says where to start. The pieces are rows in the database (any app
    /// server takes the next piece); the same piece sent twice at once is kept once, and a
    /// piece left beyond the run (by a photo started again) is replaced.
    pub async fn photo_part(&self, actor: &Actor, change_id: Uuid, offset: u64, bytes: &[u8]) -> Result<PhotoState, StoreError> {
        self.photo_owner(actor, change_id).await?;
        if self.stored_photo(change_id).await?.is_some() {
            return Ok(PhotoState::Stored);
        }
        let (have, pieces) = self.pieces_len(change_id).await?;
        if offset != have || bytes.is_empty() {
            return Ok(PhotoState::Partial(have));
        }
        if have as usize + bytes.len() > MAX_BYTES || pieces >= MAX_PIECES {
            // It can never be finished: what came so far is removed rather than kept.
            self.drop_pieces(change_id).await;
            return Err(StoreError::invalid("file", "err-file-too-large"));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM file_pieces WHERE name = $1 AND at >= $2")
            .bind(pieces_of(change_id))
            .bind(offset as i64)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO file_pieces (name, at, bytes, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name, at) DO NOTHING")
            .bind(pieces_of(change_id))
            .bind(offset as i64)
            .bind(bytes.to_vec())
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        // Photos never finished (a phone lost on the way) are not kept for ever.
        let cutoff = crate::db::time_text(chrono::Utc::now() - chrono::Duration::days(PIECES_KEPT_DAYS));
        sqlx::query("DELETE FROM file_pieces WHERE created_at < $1").bind(cutoff).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(PhotoState::Partial(self.pieces_len(change_id).await?.0))
    }

    /// The pieces put together, if they follow one another with no gap or overlap.
    async fn whole_photo(&self, change_id: Uuid) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = sqlx::query("SELECT at, bytes FROM file_pieces WHERE name = $1 ORDER BY at")
            .bind(pieces_of(change_id))
            .fetch_all(&self.pool)
            .await?;
        let mut whole = Vec::new();
        for r in rows {
            let piece: Vec<u8> = sqlx::Row::try_get(&r, "bytes").map_err(|e| StoreError::Corrupt(format!("photo piece: {e}")))?;
            if r.int("at")? != whole.len() as i64 {
                return Ok(None);
            }
            whole.extend_from_slice(&piece);
        }
        Ok(Some(whole))
    }

    /// All pieces are there: check them against the device's SHA-256 and attach the photo to
    /// its record. Sent again after it was stored, it answers with the stored photo's id.
    pub async fn photo_finish(&self, actor: &Actor, change_id: Uuid, file_name: &str, sha256: &str) -> Result<Uuid, StoreError> {
        let _today = actor.today();
        let (child, kind) = self.photo_owner(actor, change_id).await?;
        if let Some(id) = self.stored_photo(change_id).await? {
            return Ok(id);
        }
        let bytes = match self.whole_photo(change_id).await? {
            Some(b) if !b.is_empty() => b,
            _ => return Err(StoreError::invalid("file", "err-sync-photo-incomplete")),
        };
        if !hex::encode(Sha256::digest(&bytes)).eq_ignore_ascii_case(sha256.trim()) {
            // Start again from nothing: a piece was damaged on the way.
            self.drop_pieces(change_id).await;
            return Err(StoreError::invalid("file", "err-sync-photo-damaged"));
        }
        let id = if kind == ChangeKind::ProfilePhoto {
            self.keep_photo(actor, crate::photos::PhotoOf::Child(child), &bytes, change_id).await?
        } else {
            let a: Attachment = self.add_attachment(actor, child, Some(change_id), file_name, &bytes).await?;
            a.id
        };
        self.drop_pieces(change_id).await;
        Ok(id)
    }
}
