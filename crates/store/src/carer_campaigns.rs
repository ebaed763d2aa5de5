//! Recruitment campaigns for foster carers: when, where, who organised it, attendance by sex,
//! and how many enquiries came from each.

use crate::audit::{self, Entry};
use crate::carers::allowed;
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: Uuid,
    pub held_on: String,
    pub place: String,
    pub organiser: String,
    pub attended_female: i64,
    pub attended_male: i64,
    pub note: Option<String>,
    /// Enquiries that came from it.
    pub enquiries: i64,
}

/// A recruitment campaign as validated by the page or API.
#[derive(Debug, Clone)]
pub struct CampaignFields {
    pub held_on: NaiveDate,
    pub place: String,
    pub village_code: Option<String>,
    pub organiser: String,
    pub attended_female: u32,
    pub attended_male: u32,
    pub note: Option<String>,
}

impl Store {
    pub async fn create_campaign(&self, actor: &Actor, c: &CampaignFields) -> Result<Uuid, StoreError> {
        allowed(actor, Action::EditCarer).or_else(|_| allowed(actor, Action::DecideCarer))?;
        let mut tx = self.write().await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO carer_campaigns (id, org_id, held_on, place, village_code, organiser, attended_female, attended_male, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(c.held_on.to_string())
        .bind(&c.place)
        .bind(c.village_code.clone())
        .bind(&c.organiser)
        .bind(c.attended_female as i64)
        .bind(c.attended_male as i64)
        .bind(c.note.clone())
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "carer.campaign", record_type: "carer_campaign", record_id: Some(id.to_string()), detail: json!({}) },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn campaigns(&self, actor: &Actor) -> Result<Vec<Campaign>, StoreError> {
        allowed(actor, Action::ListCarers)?;
        let rows = sqlx::query(
            "SELECT m.*, (SELECT COUNT(*) FROM carers k WHERE k.campaign_id = m.id) AS enquiries FROM carer_campaigns m \
             WHERE m.org_id = $1 ORDER BY m.held_on DESC LIMIT 500",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Campaign {
                    id: r.uuid("id")?,
                    held_on: r.text("held_on")?,
                    place: r.text("place")?,
                    organiser: r.text("organiser")?,
                    attended_female: r.int("attended_female")?,
                    attended_male: r.int("attended_male")?,
                    note: r.opt_text("note")?,
                    enquiries: r.int("enquiries")?,
                })
            })
            .collect()
    }
}
