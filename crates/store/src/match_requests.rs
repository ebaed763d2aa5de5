//! "This child may be known at organisation X": the worker asks X, never seeing X's record; X's
//! supervisor sees which of its own children are meant and answers (for instance by starting a
//! referral). Both sides audited.

use crate::audit::{self, Entry};
use crate::children::{load, refuse};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct MatchRequest {
    pub id: Uuid,
    pub incoming: bool,
    pub other_org: String,
    /// The asker's own child (asker's side only).
    pub child: Option<(Uuid, String)>,
    /// The answering organisation's records meant (its side only).
    pub targets: Vec<(Uuid, String)>,
    pub message: Option<String>,
    pub answer: Option<String>,
    pub asked_at: String,
}

impl Store {
    /// Ask organisation `to_org` about the possible matches of `child` there. The matches are
    /// found again here, so the asker never handles the other organisation's record ids.
    pub async fn ask_about_match(&self, actor: &Actor, child: Uuid, to_org: Uuid, message: Option<String>) -> Result<Uuid, StoreError> {
        let c = {
            let mut tx = self.pool.begin().await?;
            load(&mut tx, child).await?
        };
        if !decide(actor, Action::AskMatch, Target::Organisation(actor.org_id)).allowed()
            || !decide(actor, Action::EditChild, Target::Record(&c.owner(actor))).allowed()
            || c.org_id != actor.org_id
        {
            return Err(refuse(self, actor, "match.ask", "child", child).await);
        }
        let targets: Vec<String> = self
            .find_duplicates(actor, &c.fields, Some(child))
            .await?
            .0
            .into_iter()
            .filter(|m| m.org_id == to_org && !m.same_org)
            .flat_map(|m| m.targets)
            .map(|t| t.to_string())
            .collect();
        if targets.is_empty() {
            return Err(StoreError::invalid("to_org", "err-no-match-there"));
        }
        let id = new_id();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO match_requests (id, child_id, from_org, to_org, targets, message, state, asked_by, asked_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8)",
        )
        .bind(id.to_string())
        .bind(child.to_string())
        .bind(actor.org_id.to_string())
        .bind(to_org.to_string())
        .bind(targets.join(","))
        .bind(message)
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "match.ask",
                record_type: "child",
                record_id: Some(child.to_string()),
                detail: json!({"request": id, "to_org": to_org, "targets": targets.len()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The answering organisation's supervisor or manager answers in words.
    pub async fn answer_match(&self, actor: &Actor, id: Uuid, answer: &str) -> Result<(), StoreError> {
        if !decide(actor, Action::AnswerMatch, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let answer = answer.trim();
        if answer.is_empty() || answer.chars().count() > 2000 || answer.chars().any(|c| c.is_control() && c != '\n') {
            return Err(StoreError::invalid("answer", "err-required"));
        }
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE match_requests SET state = 'answered', answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND to_org = $5 AND state = 'open'")
            .bind(answer)
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .bind(id.to_string())
            .bind(actor.org_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        let asker = sqlx::query("SELECT asked_by FROM match_requests WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?
            .uuid("asked_by")?;
        let notice = krousar_domain::notify::Notice::one(krousar_domain::notify::Event::MatchAnswered, "/referrals");
        crate::notifications::notify(&mut tx, &[asker], &notice, None, actor.now).await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "match.answer", record_type: "match_request", record_id: Some(id.to_string()), detail: json!({}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Requests asked by or of the actor's organisation; each side sees only its own children.
    pub async fn match_requests(&self, actor: &Actor, khmer: bool) -> Result<Vec<MatchRequest>, StoreError> {
        if !decide(actor, Action::AskMatch, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT m.*, fo.name AS from_name, tn.name AS to_name FROM match_requests m JOIN organisations fo ON fo.id = m.from_org \
             JOIN organisations tn ON tn.id = m.to_org WHERE m.from_org = $1 OR m.to_org = $1 ORDER BY m.asked_at DESC LIMIT 200",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        let mut tx = self.pool.begin().await?;
        for r in &rows {
            let incoming = r.uuid("to_org")? == actor.org_id;
            let name = |c: &crate::children::Child| format!("{} · {}", c.display_name(khmer), c.case_number);
            let (child, targets) = if incoming {
                let mut ts = Vec::new();
                for t in r.text("targets")?.split(',').filter_map(|t| Uuid::parse_str(t).ok()) {
                    if let Ok(c) = load(&mut tx, t).await {
                        if c.org_id == actor.org_id && decide(actor, Action::ViewChild, Target::Record(&c.owner(actor))).allowed() {
                            ts.push((t, name(&c)));
                        }
                    }
                }
                // A question about children the reader may not read is the answerer's business.
                if ts.is_empty() && !decide(actor, Action::AnswerMatch, Target::Organisation(actor.org_id)).allowed() {
                    continue;
                }
                (None, ts)
            } else {
                let c = load(&mut tx, r.uuid("child_id")?).await?;
                // Each child is named only to whoever may read it.
                if !decide(actor, Action::ViewChild, Target::Record(&c.owner(actor))).allowed() {
                    continue;
                }
                (Some((c.id, name(&c))), Vec::new())
            };
            out.push(MatchRequest {
                id: r.uuid("id")?,
                incoming,
                other_org: if incoming { r.text("from_name")? } else { r.text("to_name")? },
                child,
                targets,
                message: r.opt_text("message")?,
                answer: r.opt_text("answer")?,
                asked_at: r.text("asked_at")?,
            });
        }
        Ok(out)
    }
}
