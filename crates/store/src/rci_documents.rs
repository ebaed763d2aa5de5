//! Documents of an RCI's transition — its plan, surveys, evaluations — stored like case
//! attachments: the type read from the bytes, written durably outside the database before the
//! row is committed, hash-checked and audited when read. The RCI register is shared, so every
//! signed-in person may read them; those who may edit RCIs add them.

use crate::audit::{self, Entry};
use crate::cases::attachments::{accept_file, clean_name};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::stored_files::FileName;
use krousar_domain::rci_transition::DocKind;
use krousar_domain::{new_id, Actor};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct RciDocument {
    pub id: Uuid,
    pub rci_id: Uuid,
    pub kind: DocKind,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<RciDocument, StoreError> {
    Ok(RciDocument {
        id: r.uuid("id")?,
        rci_id: r.uuid("rci_id")?,
        kind: DocKind::parse(&r.text("kind")?).ok_or_else(|| StoreError::Corrupt("document kind".into()))?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        sha256: r.text("sha256")?,
        created_at: r.text("created_at")?,
    })
}

impl Store {
    pub async fn add_rci_document(
        &self,
        actor: &Actor,
        rci: Uuid,
        kind: DocKind,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<RciDocument, StoreError> {
        if !self.may_edit_rci(actor, rci).await? {
            return Err(StoreError::Forbidden);
        }
        let content_type = accept_file(bytes)?;
        let id = new_id();
        let sha = hex::encode(Sha256::digest(bytes));
        let name = clean_name(file_name);
        let mut tx = self.write().await?;
        if sqlx::query("SELECT id FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_optional(&mut *tx).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let now = now_text();
        let r = async {
            self.put_file_in(&mut tx, FileName::Kept(id), bytes).await?;
            sqlx::query(
                "INSERT INTO rci_documents (id, rci_id, kind, file_name, content_type, size, sha256, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id.to_string())
            .bind(rci.to_string())
            .bind(kind.code())
            .bind(&name)
            .bind(content_type)
            .bind(bytes.len() as i64)
            .bind(&sha)
            .bind(actor.user_id.to_string())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            audit::append(&mut tx, actor.into(), Entry { action: "rci.document", record_type: "rci", record_id: Some(rci.to_string()), detail: json!({"document": id, "sha256": sha}) })
                .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        }
        .await;
        if let Err(e) = r {
            // Nothing refers to the file: remove it.
            self.forget_file(FileName::Kept(id)).await;
            return Err(e);
        }
        Ok(RciDocument {
            id,
            rci_id: rci,
            kind,
            file_name: name,
            content_type: content_type.to_string(),
            size: bytes.len() as i64,
            sha256: sha,
            created_at: now,
        })
    }

    /// An institution's documents (plans, inspection reports, which may name its children):
    /// for the organisation that works with it and the ministry, not every account.
    pub async fn rci_documents(&self, actor: &Actor, rci: Uuid) -> Result<Vec<RciDocument>, StoreError> {
        if !self.may_edit_rci(actor, rci).await? {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT * FROM rci_documents WHERE rci_id = $1 ORDER BY created_at DESC")
            .bind(rci.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Read one document, checked against its hash, audited.
    pub async fn read_rci_document(&self, actor: &Actor, rci: Uuid, id: Uuid) -> Result<(RciDocument, Vec<u8>), StoreError> {
        if !self.may_edit_rci(actor, rci).await? {
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query("SELECT * FROM rci_documents WHERE id = $1 AND rci_id = $2")
            .bind(id.to_string())
            .bind(rci.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let d = from_row(&row)?;
        let bytes = self.read_checked(id, &d.sha256).await?;
        let entry =
            Entry { action: "rci.document_view", record_type: "rci", record_id: Some(rci.to_string()), detail: json!({"document": id}) };
        self.audit_read(actor.into(), entry).await?;
        Ok((d, bytes))
    }
}
