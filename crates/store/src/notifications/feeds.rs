//! Private calendar feeds: a secret address a worker gives their phone's calendar, which then
//! reads their due visits, tasks and case deadlines without signing in. The secret is shown
//! once and kept only as its hash; making a new one or stopping the feed ends the old address.
//! What the feed says names no child (case numbers only), and each reading is audited.

use crate::audit::{Entry, Who};
use crate::db::{time_text, RowExt, Store};
use crate::error::StoreError;
use chrono::{Days, NaiveDate};
use krousar_domain::{new_id, Actor};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The feed covers this many days back (overdue) and ahead.
const DAYS_BACK: u64 = 30;
const DAYS_AHEAD: u64 = 120;

/// One due thing in a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    /// visit, task, first_contact, reassessment or plan_review.
    pub what: String,
    /// The record it comes from, so the calendar keeps one event per thing.
    pub id: String,
    pub case_number: String,
    pub due_on: NaiveDate,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// When the actor's feed was made, if they have one.
    pub async fn my_feed(&self, actor: &Actor) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT created_at FROM notification_feeds WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(actor.user_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        r.map(|r| r.text("created_at")).transpose()
    }

    /// Make the actor a new feed (ending any other); returns its secret, shown once.
    /// `None`: stop the feed.
    pub async fn renew_feed(&self, actor: &Actor, make: bool) -> Result<Option<String>, StoreError> {
        let secret = make.then(|| {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        });
        let mut tx = self.write().await?;
        sqlx::query("UPDATE notification_feeds SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(time_text(actor.now))
            .bind(actor.user_id.to_string())
            .execute(&mut *tx)
            .await?;
        if let Some(s) = &secret {
            sqlx::query("INSERT INTO notification_feeds (id, user_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(new_id().to_string())
                .bind(actor.user_id.to_string())
                .bind(hash(s))
                .bind(time_text(actor.now))
                .execute(&mut *tx)
                .await?;
        }
        let entry = Entry {
            action: "calendar.feed",
            record_type: "user",
            record_id: Some(actor.user_id.to_string()),
            detail: json!({"made": make}),
        };
        crate::audit::append(&mut tx, actor.into(), entry).await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// The feed behind `secret`: its owner and their due things around `today`. `NotFound` for
    /// a secret that is not a live feed of an active account.
    pub async fn feed_items(&self, secret: &str, today: NaiveDate) -> Result<(Uuid, String, Vec<FeedItem>), StoreError> {
        if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        let owner = sqlx::query(
            "SELECT u.id, u.org_id, u.locale, u.role FROM notification_feeds f JOIN users u ON u.id = f.user_id \
             WHERE f.secret_hash = $1 AND f.revoked_at IS NULL AND u.disabled = 0",
        )
        .bind(hash(secret))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let (user, org, locale) = (owner.uuid("id")?, owner.uuid("org_id")?, owner.text("locale")?);
        // Only someone who holds cases or tasks has a calendar of them (a worker made an
        // administrator since keeps no feed of the caseload she left).
        if !krousar_domain::policy::holds_tasks(owner.code("role", krousar_domain::Role::parse)?) {
            return Err(StoreError::NotFound);
        }
        let from = today.checked_sub_days(Days::new(DAYS_BACK)).unwrap_or(today).to_string();
        let to = today.checked_add_days(Days::new(DAYS_AHEAD)).unwrap_or(today).to_string();
        // The person's own caseload (as its worker or second worker) in their organisation,
        // and the tasks given to them.
        let rows = sqlx::query(
            "WITH mine AS (SELECT id, case_number FROM children WHERE org_id = $2 AND (assigned_worker_id = $1 OR co_worker_id = $1)) \
             SELECT 'visit' AS what, f.id, m.case_number, f.due_on FROM mine m JOIN follow_up_visits f ON f.child_id = m.id \
               JOIN cases k ON k.child_id = m.id WHERE k.closed_on IS NULL AND f.done_on IS NULL AND f.due_on >= $3 AND f.due_on <= $4 \
             UNION ALL SELECT 'first_contact', k.child_id, m.case_number, k.first_contact_due FROM mine m JOIN cases k ON k.child_id = m.id \
               WHERE k.closed_on IS NULL AND k.first_contact_on IS NULL AND k.first_contact_due >= $3 AND k.first_contact_due <= $4 \
             UNION ALL SELECT 'reassessment', k.child_id, m.case_number, k.reassessment_due FROM mine m JOIN cases k ON k.child_id = m.id \
               WHERE k.closed_on IS NULL AND k.reassessment_due >= $3 AND k.reassessment_due <= $4 \
             UNION ALL SELECT 'plan_review', k.child_id, m.case_number, k.plan_review_due FROM mine m JOIN cases k ON k.child_id = m.id \
               WHERE k.closed_on IS NULL AND k.plan_review_due >= $3 AND k.plan_review_due <= $4 \
             UNION ALL SELECT 'task', t.id, c.case_number, t.due_on FROM case_tasks t JOIN children c ON c.id = t.child_id \
               WHERE t.owner_id = $1 AND c.org_id = $2 AND t.done_on IS NULL AND t.due_on >= $3 AND t.due_on <= $4",
        )
        .bind(user.to_string())
        .bind(org.to_string())
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?;
        let mut items = rows
            .iter()
            .map(|r| {
                Ok(FeedItem { what: r.text("what")?, id: r.text("id")?, case_number: r.text("case_number")?, due_on: r.date("due_on")? })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        items.sort_by(|a, b| (a.due_on, &a.case_number, &a.what).cmp(&(b.due_on, &b.case_number, &b.what)));
        let who = Who { actor_id: Some(user), org_id: Some(org), device: None };
        self.audit_read(
            who,
            Entry {
                action: "calendar.read",
                record_type: "user",
                record_id: Some(user.to_string()),
                detail: json!({"items": items.len()}),
            },
        )
        .await?;
        Ok((user, locale, items))
    }
}
