//! A group's sessions: the day, the topic, which members came, and the people reached who are
//! not members (an awareness event's crowd). A session can be corrected: its attendance is
//! written anew, in one transaction, and the audit says what changed.

use super::{allowed, own_group};
use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use krousar_domain::community::Session;
use krousar_domain::{new_id, Actor};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionLine {
    pub id: Uuid,
    pub held_on: String,
    pub topic: String,
    pub note: Option<String>,
    /// Members who came, and of them women and girls.
    pub attended: i64,
    pub attended_female: i64,
    pub reached_female: i64,
    pub reached_male: i64,
    pub recorded_by: String,
    /// Who came, by member id (for correcting the session).
    pub members: Vec<Uuid>,
}

/// Every id in `attended` is a member of the group who had not left before the session.
async fn check_attendance(tx: &mut Tx, group: Uuid, s: &Session) -> Result<(), StoreError> {
    if s.attended.is_empty() {
        return Ok(());
    }
    let members: BTreeSet<Uuid> =
        sqlx::query("SELECT id FROM community_members WHERE group_id = $1 AND (left_on IS NULL OR left_on >= $2)")
            .bind(group.to_string())
            .bind(s.held_on.to_string())
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.uuid("id"))
            .collect::<Result<_, _>>()?;
    if s.attended.iter().any(|a| !members.contains(a)) {
        return Err(StoreError::invalid("attended", "err-invalid-choice"));
    }
    Ok(())
}

async fn write_attendance(tx: &mut Tx, session: Uuid, s: &Session) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM community_attendance WHERE session_id = $1").bind(session.to_string()).execute(&mut **tx).await?;
    for m in &s.attended {
        sqlx::query("INSERT INTO community_attendance (session_id, member_id) VALUES ($1, $2)")
            .bind(session.to_string())
            .bind(m.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Record a session held (`id` None) or correct one of the group's sessions.
    pub async fn save_group_session(&self, actor: &Actor, group: Uuid, id: Option<Uuid>, s: &Session) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        if s.held_on > actor.today() {
            return Err(StoreError::invalid("held_on", "err-date-future"));
        }
        let mut tx = self.write().await?;
        own_group(&mut tx, actor, group).await?;
        check_attendance(&mut tx, group, s).await?;
        let (session, action, before) = match id {
            None => {
                let session = new_id();
                sqlx::query(
                    "INSERT INTO community_sessions (id, group_id, held_on, topic, note, reached_female, reached_male, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(session.to_string())
                .bind(group.to_string())
                .bind(s.held_on.to_string())
                .bind(&s.topic)
                .bind(&s.note)
                .bind(s.reached_female)
                .bind(s.reached_male)
                .bind(actor.user_id.to_string())
                .bind(now_text())
                .execute(&mut *tx)
                .await?;
                (session, "group.session", serde_json::Value::Null)
            }
            Some(session) => {
                let old = sqlx::query("SELECT held_on, reached_female, reached_male, (SELECT COUNT(*) FROM community_attendance a WHERE a.session_id = s.id) AS attended FROM community_sessions s WHERE s.id = $1 AND s.group_id = $2")
                    .bind(session.to_string())
                    .bind(group.to_string())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let before = json!({"held_on": old.text("held_on")?, "attended": old.int("attended")?,
                    "reached_female": old.int("reached_female")?, "reached_male": old.int("reached_male")?});
                sqlx::query(
                    "UPDATE community_sessions SET held_on = $1, topic = $2, note = $3, reached_female = $4, reached_male = $5, \
                     recorded_by = $6, recorded_at = $7 WHERE id = $8 AND group_id = $9",
                )
                .bind(s.held_on.to_string())
                .bind(&s.topic)
                .bind(&s.note)
                .bind(s.reached_female)
                .bind(s.reached_male)
                .bind(actor.user_id.to_string())
                .bind(now_text())
                .bind(session.to_string())
                .bind(group.to_string())
                .execute(&mut *tx)
                .await?;
                (session, "group.session-correct", before)
            }
        };
        write_attendance(&mut tx, session, s).await?;
        let detail = json!({"session": session, "held_on": s.held_on, "attended": s.attended.len(),
            "reached_female": s.reached_female, "reached_male": s.reached_male, "before": before});
        audit::append(&mut tx, actor.into(), Entry { action, record_type: "community_group", record_id: Some(group.to_string()), detail })
            .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// The group's sessions, newest first.
    pub async fn group_sessions(&self, actor: &Actor, group: Uuid) -> Result<Vec<SessionLine>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query(
            "SELECT s.id, s.held_on, s.topic, s.note, s.reached_female, s.reached_male, u.display_name FROM community_sessions s \
             JOIN community_groups g ON g.id = s.group_id JOIN users u ON u.id = s.recorded_by \
             WHERE s.group_id = $1 AND g.org_id = $2 ORDER BY s.held_on DESC, s.id LIMIT 500",
        )
        .bind(group.to_string())
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        // Who came to each, with the sex a member counts with (one definition: `member_sex`).
        let came = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.session_id, a.member_id, {MEMBER_SEX} AS sex FROM community_attendance a JOIN community_sessions s ON s.id = a.session_id \
             JOIN community_members m ON m.id = a.member_id LEFT JOIN children c ON c.id = m.child_id WHERE s.group_id = $1"
        )))
        .bind(group.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut by_session: std::collections::HashMap<Uuid, (Vec<Uuid>, i64)> = std::collections::HashMap::new();
        for a in &came {
            let entry = by_session.entry(a.uuid("session_id")?).or_default();
            entry.0.push(a.uuid("member_id")?);
            if a.opt_text("sex")?.as_deref() == Some("female") {
                entry.1 += 1;
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.uuid("id")?;
            let (members, female) = by_session.remove(&id).unwrap_or_default();
            out.push(SessionLine {
                id,
                held_on: r.text("held_on")?,
                topic: r.text("topic")?,
                note: r.opt_text("note")?,
                attended: i64::try_from(members.len()).unwrap_or(i64::MAX),
                attended_female: female,
                reached_female: r.int("reached_female")?,
                reached_male: r.int("reached_male")?,
                recorded_by: r.text("display_name")?,
                members,
            });
        }
        Ok(out)
    }
}

/// The one definition of a member's sex, used by the sessions' counts and the indicators: a
/// child's from the child's record, anyone else's as recorded on the member (`m` is the member,
/// `c` the child joined by `m.child_id`).
pub(crate) const MEMBER_SEX: &str = "CASE WHEN m.child_id IS NULL THEN m.sex ELSE c.sex END";
