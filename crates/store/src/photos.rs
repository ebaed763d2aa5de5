//! Profile photos of children and carer households: made safe (`photo_image`), stored as two
//! files (a 1024-pixel copy and a 160-pixel one) under their own ids, each checked against its
//! hash when read. A new photo replaces the old one, which is kept (who took which, when).
//!
//! A child's photo is seen by whoever reads the record in full, and by another organisation
//! only when its referral's consent covers identity; opening the full-size photo is audited
//! (the small one is part of a page already audited).

use crate::audit::{self, Entry};
use crate::children::{load, refuse};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::photo_image::{self, Processed};
use crate::stored_files::FileName;
use krousar_domain::disclosure::Disclosure;
use krousar_domain::policy::{decide, Target};
use krousar_domain::referral::Share;
use krousar_domain::{new_id, Action, Actor};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use uuid::Uuid;

/// Which copy of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSize {
    Small,
    Full,
}

/// Whose photo: a child, or a carer household of the actor's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoOf {
    Child(Uuid),
    Carer(Uuid),
}

impl PhotoOf {
    fn kind(self) -> &'static str {
        match self {
            PhotoOf::Child(_) => "child",
            PhotoOf::Carer(_) => "carer",
        }
    }

    fn id(self) -> Uuid {
        match self {
            PhotoOf::Child(id) | PhotoOf::Carer(id) => id,
        }
    }
}

/// Whether the actor may see a child's photo: the record read in full, or a consent that
/// covers identity (never a transfer's sender, who reads only what it recorded).
fn may_see_child(actor: &Actor, child: &crate::children::Child) -> bool {
    match crate::disclosure::of(child, actor) {
        Some(Disclosure::Full) => true,
        Some(d @ Disclosure::Consented(_)) => d.covers(Share::Identity),
        _ => false,
    }
}

impl Store {
    /// Check that the actor may change the photo (`EditChild`; a carer: `EditCarer` in its
    /// own organisation); refusals are audited.
    /// Whether the actor may change the record's photo (refusals audited).
    pub async fn may_change(&self, actor: &Actor, of: PhotoOf) -> Result<(), StoreError> {
        match of {
            PhotoOf::Child(id) => {
                let mut tx = self.pool.begin().await?;
                let child = load(&mut tx, id).await?;
                tx.rollback().await?;
                if !decide(actor, Action::EditChild, Target::Record(&child.owner(actor))).allowed() {
                    return Err(refuse(self, actor, "child.photo", "child", id).await);
                }
            }
            PhotoOf::Carer(id) => {
                if !decide(actor, Action::EditCarer, Target::Organisation(actor.org_id)).allowed()
                    || self.carer_org(id).await? != actor.org_id
                {
                    return Err(StoreError::NotFound);
                }
            }
        }
        Ok(())
    }

    /// Whether the actor may see the photo; `NotFound` when the record is not theirs to see.
    async fn may_see(&self, actor: &Actor, of: PhotoOf) -> Result<(), StoreError> {
        match of {
            PhotoOf::Child(id) => {
                let mut tx = self.pool.begin().await?;
                let child = load(&mut tx, id).await?;
                tx.rollback().await?;
                if !may_see_child(actor, &child) {
                    return Err(refuse(self, actor, "child.photo_view", "child", id).await);
                }
            }
            PhotoOf::Carer(id) => {
                if !decide(actor, Action::ListCarers, Target::Organisation(actor.org_id)).allowed()
                    || self.carer_org(id).await? != actor.org_id
                {
                    return Err(StoreError::NotFound);
                }
            }
        }
        Ok(())
    }

    async fn carer_org(&self, carer: Uuid) -> Result<Uuid, StoreError> {
        let row = sqlx::query("SELECT org_id FROM carers WHERE id = $1").bind(carer.to_string()).fetch_optional(&self.pool).await?;
        row.ok_or(StoreError::NotFound)?.uuid("org_id")
    }

    /// Keep a new photo (it replaces the current one). Returns its id.
    pub async fn set_photo(&self, actor: &Actor, of: PhotoOf, bytes: &[u8]) -> Result<Uuid, StoreError> {
        self.keep_photo(actor, of, bytes, new_id()).await
    }

    /// `set_photo` under a given id (a photo taken on a device keeps its change's id, so sending
    /// its last piece again cannot keep it twice).
    pub(crate) async fn keep_photo(&self, actor: &Actor, of: PhotoOf, bytes: &[u8], id: Uuid) -> Result<Uuid, StoreError> {
        self.may_change(actor, of).await?;
        let Processed { full, small, width, height } = photo_image::process(bytes)?;
        let small_id = new_id();
        let (full_sha, small_sha) = (hex::encode(Sha256::digest(&full)), hex::encode(Sha256::digest(&small)));
        // Only what this call wrote is removed if it fails: `id` may be a device's change id,
        // and a name already taken is refused, not ours to remove.
        let mut written = Vec::new();
        let r: Result<(), StoreError> = async {
            let mut tx = self.write().await?;
            // Files first (in a directory: flushed; a crash before the commit leaves an unused
            // file, never a row without its file); then the row that points at them.
            self.put_file_in(&mut tx, FileName::Kept(id), &full).await?;
            written.push(FileName::Kept(id));
            self.put_file_in(&mut tx, FileName::Kept(small_id), &small).await?;
            written.push(FileName::Kept(small_id));
            let now = now_text();
            sqlx::query("UPDATE profile_photos SET replaced_at = $1 WHERE owner_type = $2 AND owner_id = $3 AND replaced_at IS NULL")
                .bind(&now)
                .bind(of.kind())
                .bind(of.id().to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO profile_photos (id, owner_type, owner_id, small_id, full_sha256, small_sha256, width, height, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id.to_string())
            .bind(of.kind())
            .bind(of.id().to_string())
            .bind(small_id.to_string())
            .bind(&full_sha)
            .bind(&small_sha)
            .bind(i64::from(width))
            .bind(i64::from(height))
            .bind(actor.user_id.to_string())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            let entry = Entry {
                action: if of.kind() == "child" { "child.photo" } else { "carer.photo" },
                record_type: of.kind(),
                record_id: Some(of.id().to_string()),
                detail: json!({"photo": id, "sha256": full_sha}),
            };
            audit::append(&mut tx, actor.into(), entry).await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        if let Err(e) = r {
            for name in written {
                self.forget_file(name).await;
            }
            return Err(e);
        }
        Ok(id)
    }

    /// The current photo's JPEG bytes, through the policy; the full size is audited.
    /// `NotFound` when there is none.
    pub async fn photo(&self, actor: &Actor, of: PhotoOf, size: PhotoSize) -> Result<Vec<u8>, StoreError> {
        self.may_see(actor, of).await?;
        let row = sqlx::query(
            "SELECT id, small_id, full_sha256, small_sha256 FROM profile_photos WHERE owner_type = $1 AND owner_id = $2 AND replaced_at IS NULL",
        )
        .bind(of.kind())
        .bind(of.id().to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let bytes = match size {
            PhotoSize::Small => self.read_checked(row.uuid("small_id")?, &row.text("small_sha256")?).await?,
            PhotoSize::Full => self.read_checked(row.uuid("id")?, &row.text("full_sha256")?).await?,
        };
        if size == PhotoSize::Full {
            let entry = Entry {
                action: if of.kind() == "child" { "child.photo_view" } else { "carer.photo_view" },
                record_type: of.kind(),
                record_id: Some(of.id().to_string()),
                detail: json!({"photo": row.uuid("id")?}),
            };
            self.audit_read(actor.into(), entry).await?;
        }
        Ok(bytes)
    }

    /// Which of these records have a current photo (for lists; the caller already may see them).
    pub async fn with_photos(&self, kind: &str, ids: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let marks: Vec<String> = (2..ids.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT owner_id FROM profile_photos WHERE owner_type = $1 AND replaced_at IS NULL AND owner_id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind.to_string());
        for id in ids {
            q = q.bind(id.to_string());
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| r.uuid("owner_id")).collect()
    }

    /// Whether the actor may see this child's photo (for pages deciding to show it).
    pub fn may_see_child_photo(&self, actor: &Actor, child: &crate::children::Child) -> bool {
        may_see_child(actor, child)
    }
}
