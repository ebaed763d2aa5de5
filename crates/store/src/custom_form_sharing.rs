//! Forms that travel between organisations: a published form shared with the others (the
//! ministry's are national templates), adopted by another organisation as its own draft; and a
//! definition imported from a file. Only definitions travel: never an answer, never who wrote
//! them. Sharing, adopting and importing are the form managers' (`ManageCaseSettings`), audited.

use crate::audit::{self, Entry};
use crate::custom_forms::allowed;
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::forms::{FormDef, FormTarget};
use krousar_domain::{new_id, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// A form another organisation shares, as those who may adopt it see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SharedForm {
    pub id: Uuid,
    /// The organisation that shares it.
    pub org_name: String,
    /// Shared by the ministry: a national template.
    pub national: bool,
    pub version: u32,
    /// The version shared (always the published one, never the draft).
    pub definition: FormDef,
    /// Whether the reader's organisation already adopted it.
    pub adopted: bool,
    /// Where it is filled in.
    pub target: FormTarget,
}

const SHARED: &str = "SELECT f.id, o.name AS org_name, o.kind, f.current_version, f.target, v.definition, \
    (SELECT COUNT(*) FROM custom_forms a WHERE a.adopted_from = f.id AND a.org_id = $1) AS adopted \
    FROM custom_forms f JOIN organisations o ON o.id = f.org_id \
    JOIN custom_form_versions v ON v.form_id = f.id AND v.number = f.current_version \
    WHERE f.shared = 1 AND f.active = 1 AND f.org_id <> $1";

fn shared_from(r: &sqlx::any::AnyRow) -> Result<SharedForm, StoreError> {
    Ok(SharedForm {
        id: r.uuid("id")?,
        org_name: r.text("org_name")?,
        national: r.text("kind")? == "ministry",
        version: u32::try_from(r.int("current_version")?).map_err(|e| StoreError::Corrupt(format!("custom form: {e}")))?,
        definition: r.json("definition")?,
        adopted: r.int("adopted")? > 0,
        target: FormTarget::parse(&r.text("target")?).ok_or_else(|| StoreError::Corrupt("custom form: target".into()))?,
    })
}

impl Store {
    /// Share a published form with every other organisation, or stop sharing it (those who
    /// adopted it keep their copy).
    pub async fn share_custom_form(&self, actor: &Actor, id: Uuid, shared: bool) -> Result<(), StoreError> {
        allowed(actor)?;
        let form = self.custom_form(actor, id).await?;
        if shared && form.current.is_none() {
            return Err(StoreError::invalid("shared", "err-form-share-unpublished"));
        }
        self.set_form_switch(actor, id, crate::custom_forms::Switch::Shared, shared).await
    }

    /// The forms other organisations share, national templates first.
    pub async fn shared_custom_forms(&self, actor: &Actor) -> Result<Vec<SharedForm>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SHARED} ORDER BY o.name, f.created_at")))
            .bind(actor.org_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut forms: Vec<SharedForm> = rows.iter().map(shared_from).collect::<Result<_, _>>()?;
        forms.sort_by_key(|f| !f.national);
        Ok(forms)
    }

    /// One shared form; a form that is not shared is not found (whether it exists is not told).
    pub async fn shared_custom_form(&self, actor: &Actor, id: Uuid) -> Result<SharedForm, StoreError> {
        allowed(actor)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SHARED} AND f.id = $2")))
            .bind(actor.org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        shared_from(&row)
    }

    /// Adopt a shared form: its published version becomes a draft of the reader's organisation,
    /// with the same codes (so answers stay comparable with the template's), to check and publish.
    pub async fn adopt_custom_form(&self, actor: &Actor, template: Uuid) -> Result<Uuid, StoreError> {
        let shared = self.shared_custom_form(actor, template).await?;
        let draft = shared.definition.checked().map_err(StoreError::Invalid)?;
        let detail = json!({"adopted_from": template, "version": shared.version, "target": shared.target.code()});
        self.insert_custom_form(actor, &draft, shared.target, Some(template), detail).await
    }

    /// A form read from a definition file (already checked by `forms::file::from_file`) becomes
    /// a new draft.
    pub async fn import_custom_form(&self, actor: &Actor, draft: FormDef, target: FormTarget) -> Result<Uuid, StoreError> {
        let draft = draft.checked().map_err(StoreError::Invalid)?;
        let detail = json!({"imported": true, "fields": draft.fields.len(), "target": target.code()});
        self.insert_custom_form(actor, &draft, target, None, detail).await
    }

    pub(crate) async fn insert_custom_form(
        &self,
        actor: &Actor,
        draft: &FormDef,
        target: FormTarget,
        adopted_from: Option<Uuid>,
        detail: serde_json::Value,
    ) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        let id = new_id();
        let mut tx = self.write().await?;
        let now = now_text();
        sqlx::query(
            "INSERT INTO custom_forms (id, org_id, draft, target, adopted_from, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(serde_json::to_string(draft).map_err(|e| StoreError::Corrupt(format!("custom form: {e}")))?)
        .bind(target.code())
        .bind(adopted_from.map(|a| a.to_string()))
        .bind(actor.user_id.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let entry = Entry { action: "custom_form.create", record_type: "custom_form", record_id: Some(id.to_string()), detail };
        audit::append(&mut tx, actor.into(), entry).await?;
        tx.commit().await?;
        Ok(id)
    }
}
