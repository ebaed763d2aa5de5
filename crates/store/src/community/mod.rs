//! Community groups: an organisation's parenting clubs, youth groups, savings groups, awareness
//! events and the like, with their members (`members.rs`) and sessions (`sessions.rs`). Only the
//! organisation's own staff who run groups read them (`Action::ManageGroups`); another
//! organisation's group answers like one that does not exist. Indicators count caregivers at
//! parenting sessions, sessions held and people reached (`indicators::query`).

pub mod members;
pub(crate) mod merged;
pub mod sessions;

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use krousar_domain::community::{Group, GroupKind};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub group: Group,
    pub village_km: Option<String>,
    pub village_latin: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
    /// Members who have not left.
    pub members: i64,
    pub sessions: i64,
    pub last_session: Option<String>,
}

pub(crate) fn allowed(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::ManageGroups, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

const COLUMNS: &str = "g.id, g.name, g.kind, g.organiser, g.village_code, g.place, g.started_on, g.note, g.created_at, g.version, \
    u.display_name, l.name_km, l.name_latin, \
    (SELECT COUNT(*) FROM community_members m WHERE m.group_id = g.id AND m.left_on IS NULL) AS members, \
    (SELECT COUNT(*) FROM community_sessions s WHERE s.group_id = g.id) AS sessions, \
    (SELECT MAX(s.held_on) FROM community_sessions s WHERE s.group_id = g.id) AS last_session";

const FROM: &str = " FROM community_groups g JOIN users u ON u.id = g.created_by LEFT JOIN locations l ON l.code = g.village_code";

fn record_from(r: &sqlx::any::AnyRow) -> Result<GroupRecord, StoreError> {
    Ok(GroupRecord {
        id: r.uuid("id")?,
        group: Group {
            name: r.text("name")?,
            kind: r.code("kind", GroupKind::parse)?,
            organiser: r.opt_text("organiser")?,
            village_code: r.opt_text("village_code")?,
            place: r.opt_text("place")?,
            started_on: r.opt_date("started_on")?,
            note: r.opt_text("note")?,
        },
        village_km: r.opt_text("name_km")?,
        village_latin: r.opt_text("name_latin")?,
        created_by: r.text("display_name")?,
        created_at: r.text("created_at")?,
        version: r.int("version")?,
        members: r.int("members")?,
        sessions: r.int("sessions")?,
        last_session: r.opt_text("last_session")?,
    })
}

/// The group, locked for the write that follows, when it is the actor's organisation's;
/// another's is not found.
pub(crate) async fn own_group(tx: &mut Tx, actor: &Actor, id: Uuid) -> Result<GroupKind, StoreError> {
    let row = sqlx::query("SELECT kind FROM community_groups WHERE id = $1 AND org_id = $2")
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    row.code("kind", GroupKind::parse)
}

/// A village code must be one of the gazetteer's villages.
async fn check_village(tx: &mut Tx, code: Option<&str>) -> Result<(), StoreError> {
    let Some(code) = code else { return Ok(()) };
    let found =
        sqlx::query("SELECT 1 AS one FROM locations WHERE code = $1 AND level = 'village'").bind(code).fetch_optional(&mut **tx).await?;
    if found.is_none() {
        return Err(StoreError::invalid("village_code", "err-invalid-choice"));
    }
    Ok(())
}

fn detail(g: &Group) -> serde_json::Value {
    json!({"name": g.name, "kind": g.kind.code(), "village": g.village_code, "organiser": g.organiser})
}

impl Store {
    pub async fn create_group(&self, actor: &Actor, g: &Group) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        let id = new_id();
        let mut tx = self.write().await?;
        check_village(&mut tx, g.village_code.as_deref()).await?;
        sqlx::query(
            "INSERT INTO community_groups (id, org_id, name, kind, organiser, village_code, place, started_on, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(&g.name)
        .bind(g.kind.code())
        .bind(&g.organiser)
        .bind(&g.village_code)
        .bind(&g.place)
        .bind(g.started_on.map(|d| d.to_string()))
        .bind(&g.note)
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "group.create", record_type: "community_group", record_id: Some(id.to_string()), detail: detail(g) },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a group's details; `version` is the one the form was read at (a change made
    /// meanwhile by someone else is refused, not overwritten).
    pub async fn update_group(&self, actor: &Actor, id: Uuid, version: i64, g: &Group) -> Result<(), StoreError> {
        allowed(actor)?;
        let mut tx = self.write().await?;
        own_group(&mut tx, actor, id).await?;
        let current = sqlx::query("SELECT version FROM community_groups WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?
            .int("version")?;
        if current != version {
            return Err(StoreError::Conflict { current });
        }
        check_village(&mut tx, g.village_code.as_deref()).await?;
        let n = sqlx::query(
            "UPDATE community_groups SET name = $1, kind = $2, organiser = $3, village_code = $4, place = $5, started_on = $6, note = $7, \
             version = version + 1 WHERE id = $8 AND org_id = $9 AND version = $10",
        )
        .bind(&g.name)
        .bind(g.kind.code())
        .bind(&g.organiser)
        .bind(&g.village_code)
        .bind(&g.place)
        .bind(g.started_on.map(|d| d.to_string()))
        .bind(&g.note)
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict { current });
        }
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "group.update", record_type: "community_group", record_id: Some(id.to_string()), detail: detail(g) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's groups, of one kind or all, by name.
    pub async fn community_groups(&self, actor: &Actor, kind: Option<GroupKind>) -> Result<Vec<GroupRecord>, StoreError> {
        allowed(actor)?;
        let mut q = crate::sql::Sql::new(&format!("SELECT {COLUMNS}{FROM} WHERE g.org_id = "));
        q.bind_text(actor.org_id.to_string());
        if let Some(k) = kind {
            q.push(" AND g.kind = ").bind_text(k.code().to_string());
        }
        q.push(" ORDER BY g.name, g.id LIMIT 500");
        q.query().fetch_all(&self.pool).await?.iter().map(record_from).collect()
    }

    /// One of the organisation's groups (another's is not found).
    pub async fn community_group(&self, actor: &Actor, id: Uuid) -> Result<GroupRecord, StoreError> {
        allowed(actor)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS}{FROM} WHERE g.id = $1 AND g.org_id = $2")))
            .bind(id.to_string())
            .bind(actor.org_id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        record_from(&row)
    }
}
