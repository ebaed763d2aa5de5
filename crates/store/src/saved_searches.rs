//! A user's saved searches of the child list: a name and the list's query string. Running one is
//! running the list, so the one access policy applies as always.

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::{new_id, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct SavedSearch {
    pub id: Uuid,
    pub name: String,
    pub query: String,
}

/// At most this many per user.
const MAX: i64 = 50;

impl Store {
    pub async fn save_search(&self, actor: &Actor, name: &str, query: &str) -> Result<Uuid, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(StoreError::invalid("name", "err-required"));
        }
        if query.len() > 2000 || query.chars().any(char::is_control) {
            return Err(StoreError::invalid("query", "err-invalid"));
        }
        let mut tx = self.write().await?;
        let n = sqlx::query("SELECT COUNT(*) AS n FROM saved_searches WHERE user_id = $1")
            .bind(actor.user_id.to_string())
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        if n >= MAX {
            return Err(StoreError::invalid("name", "err-too-many-searches"));
        }
        let id = new_id();
        sqlx::query("INSERT INTO saved_searches (id, user_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(actor.user_id.to_string())
            .bind(name)
            .bind(query)
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "search.save", record_type: "saved_search", record_id: Some(id.to_string()), detail: json!({"name": name}) },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn saved_searches(&self, actor: &Actor) -> Result<Vec<SavedSearch>, StoreError> {
        let rows = sqlx::query("SELECT id, name, query FROM saved_searches WHERE user_id = $1 ORDER BY name")
            .bind(actor.user_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(SavedSearch { id: r.uuid("id")?, name: r.text("name")?, query: r.text("query")? })).collect()
    }

    /// Delete one of the actor's own saved searches (another's is simply not found).
    pub async fn delete_saved_search(&self, actor: &Actor, id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM saved_searches WHERE id = $1 AND user_id = $2")
            .bind(id.to_string())
            .bind(actor.user_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "search.delete", record_type: "saved_search", record_id: Some(id.to_string()), detail: json!({}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
