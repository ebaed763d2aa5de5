//! Assessment tools defined by an organisation, and assessments made with them.

use super::{add_entry, finish, open_case_for, refuse_if_closed, settle, Case};
use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::case::tool::ToolDefinition;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tool {
    pub id: Uuid,
    pub org_id: Uuid,
    pub active: bool,
    #[serde(flatten)]
    pub definition: ToolDefinition,
}

fn tool_from(r: &sqlx::any::AnyRow) -> Result<Tool, StoreError> {
    Ok(Tool {
        id: r.uuid("id")?,
        org_id: r.uuid("org_id")?,
        active: r.int("active")? != 0,
        definition: serde_json::from_str(&r.text("definition")?).map_err(|e| StoreError::Corrupt(format!("tool: {e}")))?,
    })
}

impl Store {
    pub async fn create_tool(&self, actor: &Actor, def: ToolDefinition) -> Result<Tool, StoreError> {
        if !decide(actor, Action::ManageCaseSettings, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let id = new_id();
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO assessment_tools (id, org_id, name_km, name_en, definition, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)")
            .bind(id.to_string())
            .bind(actor.org_id.to_string())
            .bind(&def.name_km)
            .bind(&def.name_en)
            .bind(serde_json::to_string(&def).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "tool.create",
                record_type: "assessment_tool",
                record_id: Some(id.to_string()),
                detail: json!({"questions": def.questions.len()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Tool { id, org_id: actor.org_id, active: true, definition: def })
    }

    /// Retire a tool (or bring it back): retired tools stay readable in past assessments.
    pub async fn set_tool_active(&self, actor: &Actor, id: Uuid, active: bool) -> Result<(), StoreError> {
        let tool = self.tool(id).await?;
        if !decide(actor, Action::ManageCaseSettings, Target::Organisation(tool.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE assessment_tools SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "tool.active",
                record_type: "assessment_tool",
                record_id: Some(id.to_string()),
                detail: json!({"active": active}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn tool(&self, id: Uuid) -> Result<Tool, StoreError> {
        let row = sqlx::query("SELECT * FROM assessment_tools WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        tool_from(&row)
    }

    pub async fn tools(&self, org: Uuid, only_active: bool) -> Result<Vec<Tool>, StoreError> {
        let sql = if only_active {
            "SELECT * FROM assessment_tools WHERE org_id = $1 AND active = 1 ORDER BY name_en"
        } else {
            "SELECT * FROM assessment_tools WHERE org_id = $1 ORDER BY active DESC, name_en"
        };
        let rows = sqlx::query(sql).bind(org.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(tool_from).collect()
    }

    /// An assessment with one of the organisation's tools; the answers are kept with the
    /// questions as they were asked.
    pub async fn record_tool_assessment(
        &self,
        actor: &Actor,
        child_id: Uuid,
        tool_id: Uuid,
        assessed_on: NaiveDate,
        answers: &std::collections::BTreeMap<String, String>,
        note: Option<String>,
    ) -> Result<Case, StoreError> {
        let tool = self.tool(tool_id).await?;
        let answers = tool.definition.answers(answers)?;
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if tool.org_id != child.org_id || !tool.active {
                return Err(StoreError::invalid("tool", "err-invalid-choice"));
            }
            if assessed_on < case.opened_on {
                return Err(StoreError::invalid("assessed_on", "err-before-case-opened"));
            }
            let rows: Vec<rec::ToolAnswer> = tool
                .definition
                .questions
                .iter()
                .zip(&answers)
                .map(|(q, (_, v))| rec::ToolAnswer {
                    domain_km: q.domain_km.clone(),
                    domain_en: q.domain_en.clone(),
                    km: q.km.clone(),
                    en: q.en.clone(),
                    value: *v,
                })
                .collect();
            let total: i32 = answers.iter().map(|(_, v)| v).sum();
            let body = CaseEntry::Assessment(rec::ToolAssessment {
                tool: tool.id,
                name_km: tool.definition.name_km.clone(),
                name_en: tool.definition.name_en.clone(),
                assessed_on,
                answers: rows,
                total,
                note: note.clone(),
            });
            sqlx::query("UPDATE cases SET assessed = 1 WHERE child_id = $1").bind(child.id.to_string()).execute(&mut **tx).await?;
            let id = add_entry(tx, child.id, assessed_on, &body, actor).await?;
            finish(tx, actor, &child, "case.assessment", json!({"entry": id, "tool": tool.id})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.assessment", r).await
    }
}
