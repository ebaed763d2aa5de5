//! An assessment tool written as lines moved onto the form builder (issue 25): a scored form
//! on the case's timeline, published as its first version, and the tool retired, in one
//! transaction. Assessments already recorded with the tool stay on their cases as they were.

use crate::audit::{self, Entry};
use crate::db::{now_text, Store};
use crate::error::StoreError;
use krousar_domain::forms::{FormDef, FormTarget};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde_json::json;
use uuid::Uuid;

impl Store {
    /// Move one of the organisation's tools onto the form builder; returns the new form's id.
    pub async fn move_tool_to_form(&self, actor: &Actor, tool_id: Uuid) -> Result<Uuid, StoreError> {
        let tool = self.tool(tool_id).await?;
        if tool.org_id != actor.org_id {
            return Err(StoreError::NotFound);
        }
        if !decide(actor, Action::ManageCaseSettings, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        if !tool.active {
            return Err(StoreError::invalid("tool", "err-form-retired"));
        }
        let def = FormDef::from_tool(&tool.definition).map_err(StoreError::Invalid)?;
        def.check_publishable().map_err(StoreError::Invalid)?;
        let json = serde_json::to_string(&def).map_err(|e| StoreError::Corrupt(format!("custom form: {e}")))?;
        let (id, version) = (new_id(), new_id());
        let now = now_text();
        let mut tx = self.write().await?;
        // Retired once: a second move of the same tool (two clicks at once) finds it retired.
        let retired = sqlx::query("UPDATE assessment_tools SET active = 0 WHERE id = $1 AND active = 1")
            .bind(tool_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if retired != 1 {
            return Err(StoreError::invalid("tool", "err-form-retired"));
        }
        sqlx::query(
            "INSERT INTO custom_forms (id, org_id, draft, current_version, target, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, $4, $5, $6, $6)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(&json)
        .bind(FormTarget::Case.code())
        .bind(actor.user_id.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO custom_form_versions (id, form_id, number, definition, published_by, published_at) VALUES ($1, $2, 1, $3, $4, $5)",
        )
        .bind(version.to_string())
        .bind(id.to_string())
        .bind(&json)
        .bind(actor.user_id.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let detail = json!({"tool": tool_id, "fields": def.fields.len()});
        let entry = Entry { action: "custom_form.from_tool", record_type: "custom_form", record_id: Some(id.to_string()), detail };
        audit::append(&mut tx, actor.into(), entry).await?;
        tx.commit().await?;
        Ok(id)
    }
}
