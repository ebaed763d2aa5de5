//! An RCI's transition: stage changes (checked by `krousar_domain::rci_transition::may_move`),
//! inspections against the Minimum Standards, staff counts, and the children who left it with
//! where each one's case stands. The RCI register is shared by every organisation; the children
//! are shown only to those who may open them.

use crate::audit::{self, Entry};
use crate::children::scope_sql;
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::policy::list_scope;
use krousar_domain::rci_transition::{may_move, Inspection, Staff, TransitionStage};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RciEvent {
    pub kind: String,
    pub on: String,
    pub body: serde_json::Value,
    pub recorded_by: String,
}

/// A child who lived in the RCI and left, with the stage of its case (if it has one).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Discharged {
    pub child_id: Uuid,
    pub case_number: String,
    pub name: String,
    pub left_on: String,
    pub case_stage: Option<String>,
}

impl Store {
    async fn rci_event(
        &self,
        actor: &Actor,
        rci: Uuid,
        kind: &str,
        on: NaiveDate,
        body: serde_json::Value,
        stage: Option<TransitionStage>,
    ) -> Result<(), StoreError> {
        if !self.may_edit_rci(actor, rci).await? {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT transition_stage FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_optional(&mut *tx).await?;
        let current = row.ok_or(StoreError::NotFound)?.text("transition_stage")?;
        let current = TransitionStage::parse(&current).ok_or_else(|| StoreError::Corrupt("transition_stage".into()))?;
        if let Some(to) = stage {
            may_move(current, to).map_err(|code| StoreError::invalid("stage", code))?;
            sqlx::query("UPDATE rcis SET transition_stage = $1, stage_since = $2, updated_at = $3, version = version + 1 WHERE id = $4")
                .bind(to.code())
                .bind(on.to_string())
                .bind(now_text())
                .bind(rci.to_string())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO rci_events (id, rci_id, kind, on_date, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id().to_string())
        .bind(rci.to_string())
        .bind(kind)
        .bind(on.to_string())
        .bind(body.to_string())
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "rci.transition", record_type: "rci", record_id: Some(rci.to_string()), detail: json!({"kind": kind}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Move the RCI to another stage of its transition.
    pub async fn move_rci_stage(
        &self,
        actor: &Actor,
        rci: Uuid,
        to: TransitionStage,
        on: NaiveDate,
        note: Option<String>,
    ) -> Result<(), StoreError> {
        self.rci_event(actor, rci, "stage", on, json!({"stage": to.code(), "note": note}), Some(to)).await
    }

    pub async fn record_inspection(&self, actor: &Actor, rci: Uuid, i: &Inspection) -> Result<(), StoreError> {
        let body = json!({"inspector": i.inspector, "scores": i.scores, "total": i.total(), "percent": i.percent(), "note": i.note});
        self.rci_event(actor, rci, "inspection", i.on, body, None).await
    }

    pub async fn record_rci_staff(&self, actor: &Actor, rci: Uuid, s: &Staff) -> Result<(), StoreError> {
        self.rci_event(actor, rci, "staff", s.on, serde_json::to_value(s).unwrap_or_default(), None).await
    }

    /// The RCI's transition history, newest first.
    pub async fn rci_events(&self, rci: Uuid) -> Result<Vec<RciEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.kind, e.on_date, e.body, u.display_name FROM rci_events e LEFT JOIN users u ON u.id = e.recorded_by \
             WHERE e.rci_id = $1 ORDER BY e.on_date DESC, e.recorded_at DESC LIMIT 500",
        )
        .bind(rci.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RciEvent {
                    kind: r.text("kind")?,
                    on: r.text("on_date")?,
                    body: serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    recorded_by: r.opt_text("display_name")?.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Children who left the RCI, with where each one's case stands — those the actor may open
    /// — and, for whoever may count the institution's children (`rcis::may_count`), how many
    /// others left (counted, not shown); `None` for anyone else.
    pub async fn rci_discharged(&self, actor: &Actor, rci: Uuid) -> Result<(Vec<Discharged>, Option<i64>), StoreError> {
        let partner = sqlx::query("SELECT partner_org_id FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_optional(&self.pool).await?;
        let countable = crate::rcis::may_count(actor, partner.ok_or(StoreError::NotFound)?.opt_uuid("partner_org_id")?);
        let total = sqlx::query(
            "SELECT COUNT(DISTINCT p.child_id) AS n FROM residence_periods p JOIN children c ON c.id = p.child_id \
             WHERE p.rci_id = $1 AND p.left_on IS NOT NULL AND c.merged_into IS NULL",
        )
        .bind(rci.to_string())
        .fetch_one(&self.pool)
        .await?
        .int("n")?;
        let mut q = Sql::new(
            "SELECT c.id, c.case_number, c.given_name_km, c.family_name_km, c.given_name_latin, c.family_name_latin, MAX(p.left_on) AS left_on, k.stage \
             FROM residence_periods p JOIN children c ON c.id = p.child_id LEFT JOIN cases k ON k.child_id = c.id WHERE p.rci_id = ",
        );
        q.bind_text(rci.to_string()).push(" AND p.left_on IS NOT NULL AND c.merged_into IS NULL");
        if scope_sql(&mut q, list_scope(actor, Action::ListChildren), "c").is_err() {
            return Ok((Vec::new(), countable.then_some(total)));
        }
        q.push(" GROUP BY c.id, c.case_number, c.given_name_km, c.family_name_km, c.given_name_latin, c.family_name_latin, k.stage ORDER BY left_on DESC LIMIT 500");
        let rows = q.query().fetch_all(&self.pool).await?;
        let shown = rows
            .iter()
            .map(|r| {
                let name = crate::children::row_name(r)?;
                Ok(Discharged {
                    child_id: r.uuid("id")?,
                    case_number: r.text("case_number")?,
                    name,
                    left_on: r.text("left_on")?,
                    case_stage: r.opt_text("stage")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let others = (total - shown.len() as i64).max(0);
        Ok((shown, countable.then_some(others)))
    }
}
