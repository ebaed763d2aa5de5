//! Files given as answers to a case form's file questions (a photo, a signed consent, a scan):
//! checked as every attachment is (size, and a type read from the bytes), stored in the
//! answer's transaction (`stored_files`), and kept with the case's files linked to the answer's record
//! — so they are read through the case's policy and audited like every other attachment.

use crate::cases::attachments::{accept_file, clean_name};
use crate::db::{now_text, Store, Tx};
use crate::error::StoreError;
use crate::stored_files::FileName;
use krousar_domain::forms::static_code;
use krousar_domain::{new_id, Actor, Invalid};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A file sent for a question (`code`), as uploaded.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub code: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file stored, waiting for its answer to be kept.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub content_type: &'static str,
    pub size: i64,
    pub sha256: String,
}

impl Store {
    /// Check and write each file (a refused one names its question); `written` collects the
    /// paths so the caller removes them if the answer is not kept.
    pub(crate) async fn write_answer_files(&self, tx: &mut Tx, files: &[NewFile], written: &mut Vec<Written>) -> Result<(), StoreError> {
        for f in files {
            let content_type = accept_file(&f.bytes).map_err(|e| match e {
                StoreError::Invalid(i) => {
                    let mut out = Invalid::default();
                    for x in i.errors {
                        out.push(static_code(&f.code), x.code);
                    }
                    StoreError::Invalid(out)
                }
                other => other,
            })?;
            let id = new_id();
            self.put_file_in(tx, FileName::Kept(id), &f.bytes).await?;
            written.push(Written {
                id,
                code: f.code.clone(),
                name: clean_name(&f.name),
                content_type,
                size: f.bytes.len() as i64,
                sha256: hex::encode(Sha256::digest(&f.bytes)),
            });
        }
        Ok(())
    }
}

/// Keep the written files with the case, linked to the answer's record (`entry`).
pub(crate) async fn keep_answer_files(tx: &mut Tx, actor: &Actor, child: Uuid, entry: Uuid, files: &[Written]) -> Result<(), StoreError> {
    for f in files {
        sqlx::query(
            "INSERT INTO attachments (id, child_id, entry_id, file_name, content_type, size, sha256, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(f.id.to_string())
        .bind(child.to_string())
        .bind(entry.to_string())
        .bind(&f.name)
        .bind(f.content_type)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Remove files written for an answer that was not kept (nothing refers to them).
pub(crate) async fn forget(store: &Store, written: &[Written]) {
    for f in written {
        store.forget_file(FileName::Kept(f.id)).await;
    }
}
