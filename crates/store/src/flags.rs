//! Flags on a child's record (`krousar_domain::flag`): raised and removed through the policy
//! (`FlagChild`), read only by who may read them (`ViewFlags`), every change audited. A flag is
//! never deleted: removing it records who, when and why.

use crate::audit::{self, Entry};
use crate::children::{load, refuse, Child};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::context::Slot;
use krousar_domain::flag::{self, FlagKind, NewFlag};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A flag as its reader sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Flag {
    pub id: Uuid,
    pub child_id: Uuid,
    pub kind: FlagKind,
    pub reason: String,
    /// Its last day, if it ends.
    pub until: Option<NaiveDate>,
    pub raised_on: NaiveDate,
    /// Who raised it (their name).
    pub raised_by: Option<String>,
    pub removed_on: Option<NaiveDate>,
    pub removed_by: Option<String>,
    pub removed_reason: Option<String>,
    /// Still warning today: not removed and its last day not passed.
    pub active: bool,
}

const SELECT: &str = "SELECT f.id, f.child_id, f.kind, f.reason, f.until_on, f.raised_on, f.removed_on, f.removed_reason, \
    u.display_name AS raised_name, r.display_name AS removed_name FROM child_flags f \
    LEFT JOIN users u ON u.id = f.raised_by LEFT JOIN users r ON r.id = f.removed_by";

fn flag_from(row: &sqlx::any::AnyRow, today: NaiveDate) -> Result<Flag, StoreError> {
    let kind = FlagKind::parse(&row.text("kind")?).ok_or_else(|| StoreError::Corrupt("child_flags.kind".into()))?;
    let until = row.opt_date("until_on")?;
    let removed_on = row.opt_date("removed_on")?;
    Ok(Flag {
        id: row.uuid("id")?,
        child_id: row.uuid("child_id")?,
        kind,
        reason: row.text("reason")?,
        until,
        raised_on: row.date("raised_on")?,
        raised_by: row.opt_text("raised_name")?,
        removed_on,
        removed_by: row.opt_text("removed_name")?,
        removed_reason: row.opt_text("removed_reason")?,
        active: flag::active(removed_on.is_some(), until, today),
    })
}

impl Store {
    /// The flags of a child the actor has read (`view_child`), newest first, the removed and
    /// ended ones too (the record's history); `None` when the actor may not see flags.
    pub async fn flags_of(&self, actor: &Actor, child: &Child) -> Result<Option<Vec<Flag>>, StoreError> {
        if !decide(actor, Action::ViewFlags, Target::Record(&child.owner(actor))).allowed() {
            return Ok(None);
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE f.child_id = $1 ORDER BY f.raised_at DESC, f.id DESC")))
            .bind(child.id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let today = actor.today();
        Ok(Some(rows.iter().map(|r| flag_from(r, today)).collect::<Result<_, _>>()?))
    }

    /// The flags still warning of the children of a list page, for those whose flags the actor
    /// may see (one query for the page).
    pub async fn active_flags(&self, actor: &Actor, children: &[Child]) -> Result<HashMap<Uuid, Vec<Flag>>, StoreError> {
        let visible: Vec<&Child> =
            children.iter().filter(|c| decide(actor, Action::ViewFlags, Target::Record(&c.owner(actor))).allowed()).collect();
        let mut out: HashMap<Uuid, Vec<Flag>> = HashMap::new();
        if visible.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (1..=visible.len()).map(|n| format!("${n}")).collect();
        let sql = format!("{SELECT} WHERE f.removed_at IS NULL AND f.child_id IN ({}) ORDER BY f.raised_at DESC", marks.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for c in &visible {
            q = q.bind(c.id.to_string());
        }
        let today = actor.today();
        for row in q.fetch_all(&self.pool).await? {
            let f = flag_from(&row, today)?;
            if f.active {
                out.entry(f.child_id).or_default().push(f);
            }
        }
        Ok(out)
    }

    /// Raise a flag on a child. Returns its id.
    pub async fn raise_flag(&self, actor: &Actor, child_id: Uuid, f: NewFlag) -> Result<Uuid, StoreError> {
        let mut tx = self.write().await?;
        let child = load(&mut tx, child_id).await?;
        if !decide(actor, Action::FlagChild, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "child.flag", "child", child_id).await);
        }
        let id = actor.via.record_id(Slot::Flag);
        sqlx::query(
            "INSERT INTO child_flags (id, child_id, kind, reason, until_on, raised_on, raised_by, raised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(child_id.to_string())
        .bind(f.kind.code())
        .bind(&f.reason)
        .bind(f.until.map(|d| d.to_string()))
        .bind(actor.today().to_string())
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        // The audit names the kind, never the reason (it may name a person).
        let detail = json!({"flag": id, "kind": f.kind.code(), "until": f.until});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "child.flag", record_type: "child", record_id: Some(child_id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Remove a flag that is still up, saying why. A flag already removed is `NotFound`.
    pub async fn remove_flag(&self, actor: &Actor, child_id: Uuid, flag_id: Uuid, reason: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let child = load(&mut tx, child_id).await?;
        if !decide(actor, Action::FlagChild, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "child.unflag", "child", child_id).await);
        }
        // The child in the condition: a flag of another child, named with this child's id,
        // is not found rather than removed.
        let n = sqlx::query(
            "UPDATE child_flags SET removed_on = $1, removed_by = $2, removed_at = $3, removed_reason = $4, version = version + 1 \
             WHERE id = $5 AND child_id = $6 AND removed_at IS NULL",
        )
        .bind(actor.today().to_string())
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .bind(reason)
        .bind(flag_id.to_string())
        .bind(child_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let detail = json!({"flag": flag_id});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "child.unflag", record_type: "child", record_id: Some(child_id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
