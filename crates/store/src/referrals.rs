//! Referrals and transfers: sending (with consent or a supervisor's override), the receiver's
//! decision, the sender's withdrawal; the access they give; every step on the case timeline (when
//! the child has a case) and in the audit log.

use crate::audit::{self, Entry};
use crate::children::{load, refuse, Child};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::policy::{decide, Target};
use krousar_domain::referral::{self, Referral, ReferralKind, ReferralState, Share};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// Organisations that may read a child through an accepted referral whose consent lets them know
/// who the child is (the receiver), or through an accepted transfer (the sender, for what it
/// recorded).
/// Also which of them the consent lets read sensitive information (a transfer's sender does
/// not: the child is no longer its case).
pub(crate) async fn shared_orgs(tx: &mut Tx, child: Uuid) -> Result<(Vec<Uuid>, Vec<Uuid>), StoreError> {
    let rows = sqlx::query("SELECT kind, from_org, to_org, body FROM referrals WHERE child_id = $1 AND state = 'accepted'")
        .bind(child.to_string())
        .fetch_all(&mut **tx)
        .await?;
    let (mut out, mut sensitive) = (Vec::new(), Vec::new());
    for r in rows {
        if r.text("kind")? == "transfer" {
            out.push(r.uuid("from_org")?);
        } else {
            let body: Referral = serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if referral::shared(body.consent.as_ref(), Share::Identity) {
                out.push(r.uuid("to_org")?);
                // Only an explicit consent shares sensitive information, never an override.
                if body.consent.as_ref().is_some_and(|c| c.shares.contains(&Share::Sensitive)) {
                    sensitive.push(r.uuid("to_org")?);
                }
            }
        }
    }
    Ok((out, sensitive))
}

/// What an organisation reading a child through a referral may see (`None`: not through a
/// referral — its own child, or none of its business).
pub(crate) async fn shares_for(tx: &mut Tx, child: Uuid, org: Uuid) -> Result<Option<Vec<Share>>, StoreError> {
    let rows = sqlx::query("SELECT body FROM referrals WHERE child_id = $1 AND to_org = $2 AND state = 'accepted' AND kind = 'referral'")
        .bind(child.to_string())
        .bind(org.to_string())
        .fetch_all(&mut **tx)
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in rows {
        let body: Referral = serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        match body.consent {
            None => return Ok(Some(vec![Share::Identity, Share::CaseSummary, Share::Assessments, Share::Plan, Share::Notes])),
            Some(c) => out.extend(c.shares),
        }
    }
    Ok(Some(out))
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralRow {
    pub id: Uuid,
    pub child_id: Uuid,
    /// The child's name, when the viewer may know it (its own organisation, or consent covers identity).
    pub child_name: Option<String>,
    pub case_number: Option<String>,
    pub from_org: String,
    pub to_org: String,
    pub kind: ReferralKind,
    pub state: ReferralState,
    pub incoming: bool,
    pub sent_at: String,
    pub decision_reason: Option<String>,
    pub body: Referral,
}

async fn case_entry(
    tx: &mut Tx,
    child: &Child,
    kind: &str,
    body: serde_json::Value,
    actor: &Actor,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let has_case = sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE child_id = $1")
        .bind(child.id.to_string())
        .fetch_one(&mut **tx)
        .await?
        .int("n")?
        > 0;
    if has_case {
        crate::cases::add_entry(tx, child.id, kind, today, &body, actor).await?;
    }
    Ok(())
}

impl Store {
    /// Send a referral or transfer of a child the actor works on.
    pub async fn send_referral(&self, actor: &Actor, child_id: Uuid, r: Referral, today: NaiveDate) -> Result<Uuid, StoreError> {
        let mut tx = self.write().await?;
        let child = load(&mut tx, child_id).await?;
        if child.org_id != actor.org_id || !decide(actor, Action::EditChild, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "referral.send", "child", child_id).await);
        }
        let to = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
            .bind(r.to_org.to_string())
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        if to == 0 {
            return Err(StoreError::invalid("to_org", "err-invalid-choice"));
        }
        let pending = sqlx::query("SELECT COUNT(*) AS n FROM referrals WHERE child_id = $1 AND to_org = $2 AND state = 'pending'")
            .bind(child_id.to_string())
            .bind(r.to_org.to_string())
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        if pending > 0 {
            return Err(StoreError::invalid("to_org", "err-referral-pending"));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO referrals (id, child_id, from_org, to_org, kind, state, body, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(child_id.to_string())
        .bind(actor.org_id.to_string())
        .bind(r.to_org.to_string())
        .bind(r.kind.code())
        .bind(serde_json::to_string(&r).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        case_entry(
            &mut tx,
            &child,
            "referral_sent",
            json!({"referral": id, "kind": r.kind, "to_org": r.to_org, "services": r.services, "override": r.override_reason.is_some()}),
            actor,
            today,
        )
        .await?;
        let detail = json!({"referral": id, "kind": r.kind.code(), "to_org": r.to_org, "consent": r.consent.is_some(), "override_reason": r.override_reason});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "referral.send", record_type: "child", record_id: Some(child_id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Accept or decline (the receiving organisation's supervisor or manager), or withdraw (the
    /// sender, while pending). Accepting a transfer moves the child to the receiver, in the
    /// accepting supervisor's caseload.
    pub async fn decide_referral(
        &self,
        actor: &Actor,
        id: Uuid,
        action: &str,
        reason: Option<&str>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT child_id, from_org, to_org, kind, state FROM referrals WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Err(StoreError::NotFound) };
        let (from, to) = (row.uuid("from_org")?, row.uuid("to_org")?);
        if actor.org_id != from && actor.org_id != to {
            drop(tx);
            return Err(refuse(self, actor, "referral.decide", "referral", id).await);
        }
        let state = ReferralState::parse(&row.text("state")?).ok_or_else(|| StoreError::Corrupt("referral state".into()))?;
        let kind = ReferralKind::parse(&row.text("kind")?).ok_or_else(|| StoreError::Corrupt("referral kind".into()))?;
        let next = referral::decide(state, action, actor.org_id, from, to, actor.role, kind)
            .map_err(|code| StoreError::invalid("decision", code))?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        if next == ReferralState::Declined && reason.is_none() {
            return Err(StoreError::invalid("reason", "err-required"));
        }
        sqlx::query("UPDATE referrals SET state = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5")
            .bind(next.code())
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .bind(reason.clone())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let child_id = row.uuid("child_id")?;
        let child = load(&mut tx, child_id).await?;
        if next == ReferralState::Accepted && kind == ReferralKind::Transfer {
            // The case moves: the child, its case and its records now belong to the receiver.
            sqlx::query("UPDATE children SET org_id = $1, assigned_worker_id = $2, co_worker_id = NULL, team_id = $3, updated_at = $4, version = version + 1 WHERE id = $5")
                .bind(to.to_string())
                .bind(actor.user_id.to_string())
                .bind(actor.team_id.map(|t| t.to_string()))
                .bind(now_text())
                .bind(child_id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE cases SET org_id = $1, supervisor_id = $2 WHERE child_id = $3")
                .bind(to.to_string())
                .bind(actor.user_id.to_string())
                .bind(child_id.to_string())
                .execute(&mut *tx)
                .await?;
            crate::cases::events_follow_case(&mut tx, child_id).await?;
            audit::changed(&mut tx, Some(to), "child", child_id, child.version + 1).await?;
        }
        case_entry(
            &mut tx,
            &child,
            "referral_decided",
            json!({"referral": id, "kind": kind, "state": next, "reason": reason}),
            actor,
            today,
        )
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "referral.decide",
                record_type: "child",
                record_id: Some(child_id.to_string()),
                detail: json!({"referral": id, "state": next.code()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Referrals and match questions waiting for the actor's organisation to decide or answer.
    pub async fn waiting_for_us(&self, actor: &Actor) -> Result<i64, StoreError> {
        let n = |sql: &'static str| sqlx::query(sql).bind(actor.org_id.to_string());
        let referrals =
            n("SELECT COUNT(*) AS n FROM referrals WHERE to_org = $1 AND state = 'pending'").fetch_one(&self.pool).await?.int("n")?;
        let questions =
            n("SELECT COUNT(*) AS n FROM match_requests WHERE to_org = $1 AND state = 'open'").fetch_one(&self.pool).await?.int("n")?;
        Ok(referrals + questions)
    }

    /// The actor's organisation's referrals, incoming and outgoing, newest first.
    pub async fn referrals(&self, actor: &Actor, khmer: bool) -> Result<Vec<ReferralRow>, StoreError> {
        if !matches!(
            actor.role,
            krousar_domain::Role::SocialWorker
                | krousar_domain::Role::Supervisor
                | krousar_domain::Role::Manager
                | krousar_domain::Role::Ministry
        ) {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT r.*, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin, fo.name AS from_name, tn.name AS to_name \
             FROM referrals r JOIN children c ON c.id = r.child_id JOIN organisations fo ON fo.id = r.from_org JOIN organisations tn ON tn.id = r.to_org \
             WHERE r.from_org = $1 OR r.to_org = $1 ORDER BY r.sent_at DESC LIMIT 200",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let body: Referral = serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let incoming = r.uuid("to_org")? == actor.org_id;
            // A receiver learns who the child is only if the consent covers it (or a supervisor overrode).
            let may_know = !incoming || referral::shared(body.consent.as_ref(), Share::Identity);
            let name = crate::children::display_name(
                &r.opt_text("family_name_km")?,
                &r.opt_text("given_name_km")?,
                &r.opt_text("family_name_latin")?,
                &r.opt_text("given_name_latin")?,
                khmer,
            );
            out.push(ReferralRow {
                id: r.uuid("id")?,
                child_id: r.uuid("child_id")?,
                child_name: may_know.then_some(name),
                case_number: may_know.then(|| r.text("case_number")).transpose()?,
                from_org: r.text("from_name")?,
                to_org: r.text("to_name")?,
                kind: ReferralKind::parse(&r.text("kind")?).ok_or_else(|| StoreError::Corrupt("kind".into()))?,
                state: ReferralState::parse(&r.text("state")?).ok_or_else(|| StoreError::Corrupt("state".into()))?,
                incoming,
                sent_at: r.text("sent_at")?,
                decision_reason: r.opt_text("decision_reason")?,
                body,
            });
        }
        Ok(out)
    }
}

/// A referral to an organisation outside Krousar: printed and handed over; the sender records
/// what came of it.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalReferral {
    pub id: Uuid,
    pub child_id: Uuid,
    pub partner: String,
    pub body: Referral,
    pub sent_at: String,
    pub outcome: Option<String>,
}

fn external_from(r: &sqlx::any::AnyRow) -> Result<ExternalReferral, StoreError> {
    Ok(ExternalReferral {
        id: r.uuid("id")?,
        child_id: r.uuid("child_id")?,
        partner: r.text("partner")?,
        body: serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        sent_at: r.text("sent_at")?,
        outcome: r.opt_text("outcome")?,
    })
}

impl Store {
    /// Record a referral to `partner`, an organisation not using Krousar (`r.to_org` is ignored).
    pub async fn send_external_referral(
        &self,
        actor: &Actor,
        child_id: Uuid,
        partner: &str,
        r: Referral,
        today: NaiveDate,
    ) -> Result<Uuid, StoreError> {
        let partner = partner.trim();
        if partner.is_empty() || partner.chars().count() > 120 || partner.chars().any(char::is_control) {
            return Err(StoreError::invalid("partner", "err-required"));
        }
        let mut tx = self.write().await?;
        let child = load(&mut tx, child_id).await?;
        if child.org_id != actor.org_id || !decide(actor, Action::EditChild, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "referral.external", "child", child_id).await);
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO external_referrals (id, child_id, org_id, partner, body, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(child_id.to_string())
        .bind(actor.org_id.to_string())
        .bind(partner)
        .bind(serde_json::to_string(&r).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        case_entry(
            &mut tx,
            &child,
            "referral_sent",
            json!({"referral": id, "kind": r.kind, "partner": partner, "services": r.services}),
            actor,
            today,
        )
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "referral.external",
                record_type: "child",
                record_id: Some(child_id.to_string()),
                detail: json!({"referral": id, "partner": partner, "consent": r.consent.is_some()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn external_row(&self, id: Uuid) -> Result<ExternalReferral, StoreError> {
        let row = sqlx::query("SELECT * FROM external_referrals WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        external_from(&row)
    }

    /// One external referral and its child, for the printed form: the child is read through the
    /// policy, and the read audited, once.
    pub async fn external_referral(&self, actor: &Actor, id: Uuid) -> Result<(ExternalReferral, Child), StoreError> {
        let e = self.external_row(id).await?;
        let child = self.view_child(actor, e.child_id, "external-referral").await?;
        Ok((e, child))
    }

    pub async fn external_referrals(&self, actor: &Actor) -> Result<Vec<ExternalReferral>, StoreError> {
        let rows = sqlx::query("SELECT * FROM external_referrals WHERE org_id = $1 ORDER BY sent_at DESC LIMIT 200")
            .bind(actor.org_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(external_from).collect()
    }

    /// What came of an external referral, in words.
    pub async fn record_external_outcome(&self, actor: &Actor, id: Uuid, outcome: &str) -> Result<(), StoreError> {
        let outcome = outcome.trim();
        if outcome.is_empty() || outcome.chars().count() > 2000 || outcome.chars().any(|c| c.is_control() && c != '\n') {
            return Err(StoreError::invalid("outcome", "err-required"));
        }
        // The permission is checked on the child in the write below; no separate read.
        let e = self.external_row(id).await?;
        let mut tx = self.write().await?;
        let child = load(&mut tx, e.child_id).await?;
        if child.org_id != actor.org_id || !decide(actor, Action::EditChild, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "referral.external_outcome", "child", e.child_id).await);
        }
        sqlx::query("UPDATE external_referrals SET outcome = $1, outcome_at = $2 WHERE id = $3")
            .bind(outcome)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "referral.external_outcome",
                record_type: "child",
                record_id: Some(e.child_id.to_string()),
                detail: json!({"referral": id}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
