//! Files attached to a case: photos for tracing, scanned birth certificates, signed forms.
//! Size and type are checked from the bytes themselves (never from the name or the browser's
//! word); the file is kept under its id (`stored_files`: in the database with the row, or in the
//! files directory, flushed before the row is committed), and served only through the policy,
//! with every read audited.

use super::{add_entry, finish, open_case_for, refuse_if_closed, settle};
use crate::audit::Entry;
use crate::children;
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::stored_files::FileName;
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use uuid::Uuid;

/// The largest file accepted (a phone photo or a multi-page scan).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// Types accepted: photos and scanned documents.
const ALLOWED: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "application/pdf"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    pub child_id: Uuid,
    pub entry_id: Option<Uuid>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

/// The type of a file from its first bytes, if it is one we accept.
/// An uploaded file Krousar keeps: not empty, not too large, of a type read from its bytes.
/// Returns that type.
pub(crate) fn accept_file(bytes: &[u8]) -> Result<&'static str, StoreError> {
    if bytes.is_empty() {
        return Err(StoreError::invalid("file", "err-file-empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(StoreError::invalid("file", "err-file-too-large"));
    }
    sniff(bytes).ok_or_else(|| StoreError::invalid("file", "err-file-type"))
}

pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let kind = infer::get(bytes)?;
    ALLOWED.iter().find(|a| **a == kind.mime_type()).copied()
}

/// A file name safe to show and to send back in a header: the last path part, printable
/// characters only, at most 100 characters.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .take(100)
        .collect();
    let name = name.trim().to_string();
    if name.is_empty() || name.starts_with('.') {
        "file".to_string()
    } else {
        name
    }
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: r.uuid("id")?,
        child_id: r.uuid("child_id")?,
        entry_id: r.opt_uuid("entry_id")?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        sha256: r.text("sha256")?,
        created_at: r.text("created_at")?,
    })
}

impl Store {
    /// Attach a file to a case (optionally to one of its records).
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        child_id: Uuid,
        entry: Option<Uuid>,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Attachment, StoreError> {
        let today = actor.today();
        let content_type = accept_file(bytes)?;
        let id = new_id();
        let sha = hex::encode(Sha256::digest(bytes));
        let name = clean_name(file_name);
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if let Some(e) = entry {
                let n = sqlx::query("SELECT COUNT(*) AS n FROM case_entries WHERE id = $1 AND child_id = $2")
                    .bind(e.to_string())
                    .bind(child.id.to_string())
                    .fetch_one(&mut **tx)
                    .await?
                    .int("n")?;
                if n == 0 {
                    return Err(StoreError::invalid("entry", "err-invalid-choice"));
                }
            }
            self.put_file_in(tx, FileName::Kept(id), bytes).await?;
            sqlx::query(
                "INSERT INTO attachments (id, child_id, entry_id, file_name, content_type, size, sha256, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id.to_string())
            .bind(child.id.to_string())
            .bind(entry.map(|e| e.to_string()))
            .bind(&name)
            .bind(content_type)
            .bind(bytes.len() as i64)
            .bind(&sha)
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .execute(&mut **tx)
            .await?;
            add_entry(
                tx,
                child.id,
                today,
                &CaseEntry::Attachment(rec::AttachmentAdded {
                    attachment: id,
                    file_name: name.clone(),
                    content_type: content_type.to_string(),
                    size: bytes.len() as u64,
                }),
                actor,
            )
            .await?;
            finish(tx, actor, &child, "case.attachment", json!({"attachment": id, "sha256": sha})).await?;
            Ok(())
        }
        .await;
        let done = settle(self, owned, actor, child_id, "case.attachment", r).await;
        if done.is_err() {
            // Nothing refers to the file: remove it (a crash here leaves an orphan, never a hole).
            self.forget_file(FileName::Kept(id)).await;
        }
        done?;
        Ok(Attachment {
            id,
            child_id,
            entry_id: entry,
            file_name: name,
            content_type: content_type.to_string(),
            size: bytes.len() as i64,
            sha256: sha,
            created_at: now_text(),
        })
    }

    /// Files of a case (the caller has already been allowed to view the child).
    pub async fn attachments_of(&self, child_id: Uuid) -> Result<Vec<Attachment>, StoreError> {
        let rows = sqlx::query("SELECT * FROM attachments WHERE child_id = $1 ORDER BY created_at")
            .bind(child_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Read one file, through the policy, audited; its bytes are checked against the stored hash.
    pub async fn read_attachment(&self, actor: &Actor, child_id: Uuid, id: Uuid) -> Result<(Attachment, Vec<u8>), StoreError> {
        let mut tx = self.pool.begin().await?;
        let child = children::load(&mut tx, child_id).await?;
        // Files stay with the people working on the case: a referral's receiver or a transfer's
        // sender reads the case as cut, with no files, by list or by id.
        if !crate::disclosure::of(&child, actor).is_some_and(|d| d.is_full()) {
            drop(tx);
            return Err(children::refuse(self, actor, "attachment.view", "attachment", id).await);
        }
        let row = sqlx::query("SELECT * FROM attachments WHERE id = $1 AND child_id = $2")
            .bind(id.to_string())
            .bind(child_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.rollback().await?;
        let a = from_row(&row)?;
        // The file is read outside any transaction, and audited (group commit) before it is given.
        let bytes = self.read_checked(id, &a.sha256).await?;
        let entry = Entry {
            action: "attachment.view",
            record_type: "attachment",
            record_id: Some(id.to_string()),
            detail: json!({"child": child_id}),
        };
        self.audit_read(actor.into(), entry).await?;
        Ok((a, bytes))
    }
}

/// Write to a temporary name, flush to disk, then link it under the real name, so a crash never
/// leaves half a file there — and never over a file already there (a name is kept once: an id
/// chosen by a device or an archive cannot replace another record's file).
pub(crate) fn write_durably(path: &std::path::Path, bytes: &[u8]) -> Result<(), StoreError> {
    let io = |e: std::io::Error| StoreError::Config(format!("cannot store file {}: {e}", path.display()));
    let dir = path.parent().ok_or_else(|| StoreError::Config("bad files directory".into()))?;
    // Children's photos and papers: readable by the server's user only.
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(io)?;
    let tmp = path.with_extension("part");
    let written = (|| {
        let mut f = crate::private_files::create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::hard_link(&tmp, path)
    })();
    // The temporary name goes whatever happened (a full disk, a name already taken).
    let _ = std::fs::remove_file(&tmp);
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(StoreError::invalid("file", "err-invalid-choice"));
        }
        return Err(io(e));
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod write_tests {
    use super::write_durably;

    #[test]
    fn a_failed_write_leaves_no_partial_file() {
        let dir = std::env::temp_dir().join(format!("krousar-write-{}", uuid::Uuid::now_v7()));
        let target = dir.join("f1");
        // The name is taken by a directory that is not empty: writing the part succeeds, the
        // rename into place fails (deterministic, even for root).
        std::fs::create_dir_all(target.join("inside")).unwrap();
        assert!(write_durably(&target, b"half a photo").is_err());
        assert!(!target.with_extension("part").exists(), "the partial file is removed");
        // A good write leaves the file, owner-only, and no part.
        let ok = dir.join("f2");
        write_durably(&ok, b"whole").unwrap();
        assert_eq!(std::fs::read(&ok).unwrap(), b"whole");
        assert!(!ok.with_extension("part").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&ok).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
