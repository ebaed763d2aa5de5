//! A child's record edited on a device, merged field by field into the record as it is now;
//! fields changed on both sides to different values are kept as conflicts until the worker or a
//! supervisor chooses, in one transaction with the fields that did merge.

use crate::audit::{self, Entry};
use crate::children::{self, Child};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::policy::{decide, Target};
use krousar_domain::sync::{child_values, merge_child, set_child_value};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    pub id: Uuid,
    pub change_id: Uuid,
    pub child_id: Uuid,
    pub case_number: String,
    pub child_name: String,
    /// Whose device sent the change.
    pub user_id: Uuid,
    pub user_name: String,
    pub field: String,
    pub base: String,
    /// The server's value when the change arrived.
    pub server: String,
    pub device: String,
    /// The server's value now.
    pub current: String,
    pub created_at: String,
}

/// What became of an edit sent from a device.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub child: Child,
    pub applied: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

fn name_of(c: &Child) -> String {
    let f = &c.fields;
    children::display_name(&f.family_name_km, &f.given_name_km, &f.family_name_latin, &f.given_name_latin, true)
}

const CONFLICT_COLUMNS: &str = "SELECT x.id, x.change_id, x.child_id, x.user_id, u.display_name AS user_name, x.field, x.base_value, \
     x.server_value, x.device_value, x.created_at FROM sync_conflicts x JOIN users u ON u.id = x.user_id";

fn conflict(r: &sqlx::any::AnyRow, child: &Child) -> Result<Conflict, StoreError> {
    let field = r.text("field")?;
    let current = child_values(&child.fields.to_input()).remove(&field).unwrap_or_default();
    Ok(Conflict {
        id: r.uuid("id")?,
        change_id: r.uuid("change_id")?,
        child_id: child.id,
        case_number: child.case_number.clone(),
        child_name: name_of(child),
        user_id: r.uuid("user_id")?,
        user_name: r.text("user_name")?,
        field,
        base: r.text("base_value")?,
        server: r.text("server_value")?,
        device: r.text("device_value")?,
        current,
        created_at: r.text("created_at")?,
    })
}

impl Store {
    /// Merge an edit of a child's record sent from a device: `base` holds the values the device
    /// started from, `device` its new values, for the fields it changed.
    pub async fn sync_child_edit(
        &self,
        actor: &Actor,
        child_id: Uuid,
        change_id: Uuid,
        base: &BTreeMap<String, String>,
        device: &BTreeMap<String, String>,
    ) -> Result<EditOutcome, StoreError> {
        let today = actor.today();
        let mut tx = self.write().await?;
        let before = children::load(&mut tx, child_id).await?;
        if !decide(actor, Action::EditChild, Target::Record(&before.owner(actor))).allowed() {
            drop(tx);
            return Err(children::refuse(self, actor, "child.edit", "child", child_id).await);
        }
        let (merged, m) = merge_child(base, device, &before.fields.to_input())?;
        let child = if m.apply.is_empty() {
            before.clone()
        } else {
            let fields = merged.validate(today)?;
            children::update_in(&mut tx, self.backend, actor, &before, before.version, &fields).await?
        };
        let mut recorded = Vec::new();
        for c in &m.conflicts {
            let n = sqlx::query(
                "INSERT INTO sync_conflicts (id, change_id, child_id, org_id, user_id, field, base_value, server_value, device_value, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (change_id, field) DO NOTHING",
            )
            .bind(new_id().to_string())
            .bind(change_id.to_string())
            .bind(child_id.to_string())
            .bind(before.org_id.to_string())
            .bind(actor.user_id.to_string())
            .bind(&c.field)
            .bind(&c.base)
            .bind(&c.server)
            .bind(&c.device)
            .bind(now_text())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                recorded.push(c.field.clone());
            }
        }
        if !recorded.is_empty() {
            let entry = Entry {
                action: "sync.conflict",
                record_type: "child",
                record_id: Some(child_id.to_string()),
                detail: json!({"fields": recorded, "change": change_id}),
            };
            audit::append(&mut tx, actor.into(), entry).await?;
            // The worker whose phone sent it decides; the notice waits for them on the pages.
            let notice = krousar_domain::notify::Notice::one(krousar_domain::notify::Event::SyncConflict, "/conflicts");
            crate::notifications::notify(&mut tx, &[actor.user_id], &notice, None, actor.now).await?;
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{CONFLICT_COLUMNS} WHERE x.change_id = $1 ORDER BY x.field")))
            .bind(change_id.to_string())
            .fetch_all(&mut *tx)
            .await?;
        let conflicts = rows.iter().map(|r| conflict(r, &child)).collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        Ok(EditOutcome { child, applied: m.apply.into_keys().collect(), conflicts })
    }

    /// Conflicts waiting for a decision that the actor may decide (they may edit the child): a
    /// worker's own and their cases', a supervisor's team's. One child's, or all (at most 200).
    pub async fn open_conflicts(&self, actor: &Actor, child: Option<Uuid>) -> Result<Vec<Conflict>, StoreError> {
        let mut sql = format!("{CONFLICT_COLUMNS} WHERE x.org_id = $1 AND x.resolved_at IS NULL");
        if child.is_some() {
            sql.push_str(" AND x.child_id = $2");
        }
        sql.push_str(" ORDER BY x.created_at, x.field LIMIT 200");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(actor.org_id.to_string());
        if let Some(c) = child {
            q = q.bind(c.to_string());
        }
        // Most pages ask when nothing waits: one statement, no transaction to open and end.
        let rows = q.fetch_all(&self.pool).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::new();
        let mut seen: BTreeMap<Uuid, Option<Child>> = BTreeMap::new();
        for r in &rows {
            let id = r.uuid("child_id")?;
            if let std::collections::btree_map::Entry::Vacant(slot) = seen.entry(id) {
                let c = children::load(&mut tx, id).await?;
                let may = decide(actor, Action::EditChild, Target::Record(&c.owner(actor))).allowed();
                slot.insert(may.then_some(c));
            }
            if let Some(Some(c)) = seen.get(&id) {
                out.push(conflict(r, c)?);
            }
        }
        tx.rollback().await?;
        Ok(out)
    }

    /// Decide a conflict: keep the server's value, or write the device's (`use_device`).
    pub async fn resolve_conflict(&self, actor: &Actor, id: Uuid, use_device: bool) -> Result<Child, StoreError> {
        let today = actor.today();
        let mut tx = self.write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{CONFLICT_COLUMNS} WHERE x.id = $1 AND x.resolved_at IS NULL")))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = children::load(&mut tx, row.uuid("child_id")?).await?;
        if before.org_id != actor.org_id || !decide(actor, Action::EditChild, Target::Record(&before.owner(actor))).allowed() {
            drop(tx);
            return Err(children::refuse(self, actor, "sync.resolve", "child", before.id).await);
        }
        let c = conflict(&row, &before)?;
        let child = if use_device && c.current != c.device {
            let mut input = before.fields.to_input();
            set_child_value(&mut input, &c.field, &c.device);
            let fields = input.validate(today)?;
            children::update_in(&mut tx, self.backend, actor, &before, before.version, &fields).await?
        } else {
            before.clone()
        };
        let choice = if use_device { "device" } else { "server" };
        sqlx::query("UPDATE sync_conflicts SET resolved_at = $1, resolved_by = $2, resolution = $3 WHERE id = $4")
            .bind(now_text())
            .bind(actor.user_id.to_string())
            .bind(choice)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let entry = Entry {
            action: "sync.resolve",
            record_type: "child",
            record_id: Some(before.id.to_string()),
            detail: json!({"field": c.field, "kept": choice, "conflict": id}),
        };
        audit::append(&mut tx, actor.into(), entry).await?;
        tx.commit().await?;
        Ok(child)
    }
}
