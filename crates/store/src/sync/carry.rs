//! What a device carries: the user's own open caseload, plus cases the user chose to take
//! offline (any child they may see). Each carried child has a *stamp* (its record's version,
//! its case's, the sum of its flags' — each flag's grows when it is removed —, the sum of its
//! households' for its own organisation's devices (whose members a person question names) and
//! its current profile photo's id),
//! so a device that says what it holds gets only what changed since.

use crate::audit::{self, Entry};
use crate::children;
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde_json::json;
use uuid::Uuid;

/// At most this many children on one device: a day's or a fortnight's visits with room to
/// spare, and a first download a 2G line finishes.
pub const MAX_CARRIED: usize = 300;

/// A carried child and its stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub child_id: Uuid,
    pub stamp: String,
    /// Chosen by the user (as opposed to being in their caseload).
    pub chosen: bool,
    /// The province of the child's address, if known: the device carries the villages of the
    /// provinces its children live in, to pick places offline.
    pub province: Option<String>,
}

impl Store {
    /// Take a child offline, or stop (`on` false). Taking one needs the right to see it.
    pub async fn set_offline(&self, actor: &Actor, child_id: Uuid, on: bool) -> Result<(), StoreError> {
        if !decide(actor, Action::WorkOffline, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        let child = children::load(&mut tx, child_id).await?;
        // A transfer's sender reads its own history on the page; a device carries only children
        // whose live record the reader may read (its province and places travel with them).
        let carried =
            crate::disclosure::of(&child, actor).is_some_and(|d| d != krousar_domain::disclosure::Disclosure::RecordedBeforeTransfer);
        if on && !carried {
            drop(tx);
            return Err(children::refuse(self, actor, "child.offline", "child", child_id).await);
        }
        let n = if on {
            sqlx::query("INSERT INTO offline_cases (user_id, child_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(actor.user_id.to_string())
                .bind(child_id.to_string())
                .bind(now_text())
                .execute(&mut *tx)
                .await?
        } else {
            sqlx::query("DELETE FROM offline_cases WHERE user_id = $1 AND child_id = $2")
                .bind(actor.user_id.to_string())
                .bind(child_id.to_string())
                .execute(&mut *tx)
                .await?
        }
        .rows_affected();
        if n > 0 {
            let action = if on { "child.offline" } else { "child.offline_end" };
            audit::append(
                &mut tx,
                actor.into(),
                Entry { action, record_type: "child", record_id: Some(child_id.to_string()), detail: json!({}) },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether the actor chose to take this child offline.
    pub async fn is_offline(&self, actor: &Actor, child_id: Uuid) -> Result<bool, StoreError> {
        let n = sqlx::query("SELECT COUNT(*) AS n FROM offline_cases WHERE user_id = $1 AND child_id = $2")
            .bind(actor.user_id.to_string())
            .bind(child_id.to_string())
            .fetch_one(&self.pool)
            .await?
            .int("n")?;
        Ok(n > 0)
    }

    /// Every child the actor's devices carry, with its stamp: their open caseload (as the
    /// assigned or the second worker, a case open or not yet opened) and the children they
    /// chose, oldest first, at most `MAX_CARRIED`. Chosen children they may no longer see are
    /// left out, and their choice forgotten.
    pub async fn carried(&self, actor: &Actor) -> Result<Vec<Carried>, StoreError> {
        let me = actor.user_id.to_string();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT c.id, c.version AS cv, COALESCE(k.version, 0) AS kv, \
             COALESCE((SELECT CAST(SUM(f.version) AS BIGINT) FROM child_flags f WHERE f.child_id = c.id), 0) AS fv, \
             COALESCE((SELECT p.id FROM profile_photos p WHERE p.owner_type = 'child' AND p.owner_id = c.id AND p.replaced_at IS NULL), '') AS pv, \
             CASE WHEN c.org_id = $2 THEN COALESCE((SELECT CAST(SUM(h.version) AS BIGINT) FROM household_children hc \
               JOIN households h ON h.id = hc.household_id WHERE hc.child_id = c.id AND h.org_id = c.org_id), 0) ELSE 0 END AS hv, \
             c.province_code, \
             CASE WHEN o.child_id IS NULL THEN 0 ELSE 1 END AS chosen, \
             CASE WHEN c.assigned_worker_id = $1 OR c.co_worker_id = $1 THEN 1 ELSE 0 END AS mine \
             FROM children c LEFT JOIN cases k ON k.child_id = c.id \
             LEFT JOIN offline_cases o ON o.child_id = c.id AND o.user_id = $1 \
             WHERE c.merged_into IS NULL AND (o.child_id IS NOT NULL \
               OR ((c.assigned_worker_id = $1 OR c.co_worker_id = $1) AND k.closed_on IS NULL)) \
             ORDER BY c.seq LIMIT {MAX_CARRIED}"
        )))
        .bind(&me)
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut lost = Vec::new();
        for r in &rows {
            let id = r.uuid("id")?;
            let chosen = r.int("chosen")? == 1;
            if chosen && r.int("mine")? == 0 {
                // Chosen from outside the caseload: still allowed to see it?
                let mut tx = self.pool.begin().await?;
                let child = children::load(&mut tx, id).await?;
                tx.rollback().await?;
                let d = crate::disclosure::of(&child, actor);
                if d.is_none() || d == Some(krousar_domain::disclosure::Disclosure::RecordedBeforeTransfer) {
                    lost.push(id);
                    continue;
                }
            }
            let province = r.opt_text("province_code")?;
            out.push(Carried {
                child_id: id,
                stamp: format!("{}.{}.{}.{}.{}", r.int("cv")?, r.int("kv")?, r.int("fv")?, r.int("hv")?, r.text("pv")?),
                chosen,
                province,
            });
        }
        for id in lost {
            sqlx::query("DELETE FROM offline_cases WHERE user_id = $1 AND child_id = $2")
                .bind(&me)
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
        }
        Ok(out)
    }
}
