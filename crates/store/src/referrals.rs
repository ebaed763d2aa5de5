//! Referrals and transfers: sending (with consent or a supervisor's override), the receiver's
//! decision, the sender's withdrawal; the access they give; every step on the case timeline (when
//! the child has a case) and in the audit log.

use crate::audit::{self, Entry};
use crate::children::{load, refuse, Child};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::disclosure::Outside;
use krousar_domain::notify::{Event, Notice};
use krousar_domain::policy::{decide, disclosure, ReferralParties, Target};
use krousar_domain::referral::{self, Referral, ReferralKind, ReferralState};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// The two organisations, for the policy's decision on who may decide or withdraw.
    #[serde(skip)]
    pub parties: ReferralParties,
}

/// The sender's people who worked on a case being transferred: its worker, second worker and
/// supervisor now, and everyone of the sender who wrote on it.
async fn keep_senders_readers(tx: &mut Tx, referral: Uuid, child: &Child, from: Uuid) -> Result<(), StoreError> {
    let snapshot = serde_json::to_string(&child.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query("UPDATE referrals SET child_snapshot = $1 WHERE id = $2")
        .bind(snapshot)
        .bind(referral.to_string())
        .execute(&mut **tx)
        .await?;
    let rows = sqlx::query(
        "SELECT DISTINCT u.id FROM users u WHERE u.org_id = $1 AND (u.id IN ($2, $3)          OR u.id IN (SELECT supervisor_id FROM cases WHERE child_id = $4)          OR u.id IN (SELECT author_id FROM case_entries WHERE child_id = $4))",
    )
    .bind(from.to_string())
    .bind(child.assigned_worker_id.map(|u| u.to_string()).unwrap_or_default())
    .bind(child.co_worker_id.map(|u| u.to_string()).unwrap_or_default())
    .bind(child.id.to_string())
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        sqlx::query("INSERT INTO transfer_readers (referral_id, user_id) VALUES ($1, $2)")
            .bind(referral.to_string())
            .bind(r.text("id")?)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn case_entry(tx: &mut Tx, child: &Child, entry: CaseEntry, actor: &Actor, today: NaiveDate) -> Result<(), StoreError> {
    let has_case = sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE child_id = $1")
        .bind(child.id.to_string())
        .fetch_one(&mut **tx)
        .await?
        .int("n")?
        > 0;
    if has_case {
        crate::cases::add_entry(tx, child.id, today, &entry, actor).await?;
    }
    Ok(())
}

/// Nothing leaves without the family's consent, unless a supervisor or manager overrides it
/// with a reason (`Action::OverrideConsent`): anyone else is refused for who they are (403).
fn may_send_without_consent(actor: &Actor, r: &Referral) -> Result<(), StoreError> {
    if r.consent.is_some() {
        return Ok(());
    }
    if r.override_reason.is_none() {
        return Err(StoreError::invalid("consent_by", "err-consent-required"));
    }
    if !decide(actor, Action::OverrideConsent, Target::Organisation(actor.org_id)).allowed() {
        return Err(StoreError::Refused("err-override-supervisor"));
    }
    Ok(())
}

impl Store {
    /// Send a referral or transfer of a child the actor works on.
    pub async fn send_referral(&self, actor: &Actor, child_id: Uuid, r: Referral) -> Result<Uuid, StoreError> {
        let today = actor.today();
        let mut tx = self.write().await?;
        let child = load(&mut tx, child_id).await?;
        if child.org_id != actor.org_id || !decide(actor, Action::EditChild, Target::Record(&child.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "referral.send", "child", child_id).await);
        }
        may_send_without_consent(actor, &r)?;
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
        // The receiver's people who may decide it hear of it; the notice says no more than that.
        let parties = ReferralParties { from_org: actor.org_id, to_org: r.to_org, transfer: r.kind == ReferralKind::Transfer };
        let deciders = crate::notifications::people_who(&mut tx, r.to_org, actor.now, |a| {
            decide(a, Action::DecideReferral, Target::Referral(parties)).allowed()
        })
        .await?;
        crate::notifications::notify(&mut tx, &deciders, &Notice::one(Event::ReferralReceived, "/referrals"), None, actor.now).await?;
        case_entry(
            &mut tx,
            &child,
            CaseEntry::ReferralSent(rec::ReferralSent {
                referral: id,
                kind: r.kind,
                to_org: Some(r.to_org),
                partner: None,
                services: r.services.clone(),
                consent_overridden: r.override_reason.is_some(),
            }),
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
    pub async fn decide_referral(&self, actor: &Actor, id: Uuid, action: &str, reason: Option<&str>) -> Result<(), StoreError> {
        let today = actor.today();
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT child_id, from_org, to_org, kind, state, sent_by FROM referrals WHERE id = $1")
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
        let parties = ReferralParties { from_org: from, to_org: to, transfer: kind == ReferralKind::Transfer };
        let (needs, not_yours) = match action {
            "withdraw" => (Action::WithdrawReferral, actor.org_id != from),
            _ => (Action::DecideReferral, actor.org_id != to),
        };
        // Refusals by who the actor is are 403 (with why), as everywhere; the referral itself is
        // known to both parties, so nothing is hidden by saying so.
        if not_yours {
            return Err(StoreError::Refused("err-referral-not-yours"));
        }
        if !decide(actor, needs, Target::Referral(parties)).allowed() {
            return Err(StoreError::Refused("err-referral-supervisor"));
        }
        let next = referral::transition(state, action).map_err(|code| StoreError::invalid("decision", code))?;
        let reason = referral::decision_reason(next, reason).map_err(StoreError::Invalid)?;
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
        if action != "withdraw" {
            let sender = row.uuid("sent_by")?;
            crate::notifications::notify(&mut tx, &[sender], &Notice::one(Event::ReferralAnswered, "/referrals"), None, actor.now).await?;
        }
        if next == ReferralState::Accepted && kind == ReferralKind::Transfer {
            // The sender keeps reading what it recorded, up to now, and only its people who
            // worked on the case: listed now, with the record as it is now.
            keep_senders_readers(&mut tx, id, &child, from).await?;
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
            // Open tasks go to the accepting supervisor: the sender's people no longer see the
            // child in their worklists.
            sqlx::query("UPDATE case_tasks SET owner_id = $1 WHERE child_id = $2 AND done_on IS NULL")
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
            CaseEntry::ReferralDecided(rec::ReferralDecided { referral: id, kind, state: next, reason: reason.clone() }),
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
        // One statement for both (every supervisor's and manager's home page asks).
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM referrals WHERE to_org = $1 AND state = 'pending') \
                  + (SELECT COUNT(*) FROM match_requests WHERE to_org = $1 AND state = 'open') AS n",
        )
        .bind(actor.org_id.to_string())
        .fetch_one(&self.pool)
        .await?;
        row.int("n")
    }

    /// The actor's organisation's referrals, incoming and outgoing, newest first.
    pub async fn referrals(&self, actor: &Actor, khmer: bool) -> Result<Vec<ReferralRow>, StoreError> {
        if !decide(actor, Action::ListReferrals, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT r.*, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin, \
             c.org_id AS child_org, c.assigned_worker_id, c.co_worker_id, c.team_id, fo.name AS from_name, tn.name AS to_name, \
             (SELECT COUNT(*) FROM transfer_readers t WHERE t.referral_id = r.id AND t.user_id = $2) AS worked_on \
             FROM referrals r JOIN children c ON c.id = r.child_id JOIN organisations fo ON fo.id = r.from_org JOIN organisations tn ON tn.id = r.to_org \
             WHERE r.from_org = $1 OR r.to_org = $1 ORDER BY r.sent_at DESC LIMIT 200",
        )
        .bind(actor.org_id.to_string())
        .bind(actor.user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let body: Referral = serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let incoming = r.uuid("to_org")? == actor.org_id;
            // Each child is named only to whoever may read it, as the policy decides for its
            // record: its own people in scope, a receiver whose consent covers who the child is,
            // a transfer's sender who worked on the case.
            let child_org = r.uuid("child_org")?;
            let outside = if child_org == actor.org_id {
                Outside::None
            } else if incoming {
                Outside::Referral(krousar_domain::policy::referral_shares(body.consent.as_ref().map(|c| c.shares.as_slice())))
            } else {
                Outside::Transferred { worked_on_case: r.int("worked_on")? > 0 }
            };
            let owner = krousar_domain::RecordOwner {
                org_id: child_org,
                assigned_worker: r.opt_uuid("assigned_worker_id")?,
                co_worker: r.opt_uuid("co_worker_id")?,
                team_id: r.opt_uuid("team_id")?,
                outside,
            };
            let may_know = disclosure(actor, &owner).is_some();
            let parties =
                ReferralParties { from_org: r.uuid("from_org")?, to_org: r.uuid("to_org")?, transfer: r.text("kind")? == "transfer" };
            // A referral whose child the reader may not read is none of the reader's business
            // (its reasons and services describe the child), unless the reader is the one to
            // decide it: then it is shown without the child's name if the consent withholds it.
            let decides = incoming && decide(actor, Action::DecideReferral, Target::Referral(parties)).allowed();
            if !(may_know || decides) {
                continue;
            }
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
                parties,
                body,
            });
        }
        Ok(out)
    }
}

/// A referral to an organisation outside Krousar: printed and handed over; the sender records
/// what came of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    pub async fn send_external_referral(&self, actor: &Actor, child_id: Uuid, partner: &str, r: Referral) -> Result<Uuid, StoreError> {
        let today = actor.today();
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
        may_send_without_consent(actor, &r)?;
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
            CaseEntry::ReferralSent(rec::ReferralSent {
                referral: id,
                kind: r.kind,
                to_org: None,
                partner: Some(partner.to_string()),
                services: r.services.clone(),
                consent_overridden: false,
            }),
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

    /// An external referral and the organisation that sent it.
    async fn external_row(&self, id: Uuid) -> Result<(ExternalReferral, Uuid), StoreError> {
        let row = sqlx::query("SELECT * FROM external_referrals WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((external_from(&row)?, row.uuid("org_id")?))
    }

    /// One external referral and its child, for the printed form: the child is read through the
    /// policy, and the read audited, once.
    pub async fn external_referral(&self, actor: &Actor, id: Uuid) -> Result<(ExternalReferral, Child), StoreError> {
        let (e, org) = self.external_row(id).await?;
        // The printed form is the sending organisation's paper: only its people who may read
        // the child in full, never a receiver of a referral of the same child.
        if org != actor.org_id {
            return Err(refuse(self, actor, "referral.external_view", "external_referral", id).await);
        }
        let child = self.view_child(actor, e.child_id, "external-referral").await?;
        if !crate::disclosure::of(&child, actor).is_some_and(|d| d.is_full()) {
            return Err(refuse(self, actor, "referral.external_view", "external_referral", id).await);
        }
        Ok((e, child))
    }

    /// The organisation's referrals to partners outside Krousar, each only to whoever may read
    /// its child in full.
    pub async fn external_referrals(&self, actor: &Actor) -> Result<Vec<ExternalReferral>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.*, c.org_id AS child_org, c.assigned_worker_id, c.co_worker_id, c.team_id FROM external_referrals e \
             JOIN children c ON c.id = e.child_id WHERE e.org_id = $1 ORDER BY e.sent_at DESC LIMIT 200",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let owner = krousar_domain::RecordOwner {
                org_id: r.uuid("child_org")?,
                assigned_worker: r.opt_uuid("assigned_worker_id")?,
                co_worker: r.opt_uuid("co_worker_id")?,
                team_id: r.opt_uuid("team_id")?,
                outside: Outside::None,
            };
            if disclosure(actor, &owner).is_some_and(|d| d.is_full()) {
                out.push(external_from(r)?);
            }
        }
        Ok(out)
    }

    /// What came of an external referral, in words.
    pub async fn record_external_outcome(&self, actor: &Actor, id: Uuid, outcome: &str) -> Result<(), StoreError> {
        let outcome = outcome.trim();
        if outcome.is_empty() || outcome.chars().count() > 2000 || outcome.chars().any(|c| c.is_control() && c != '\n') {
            return Err(StoreError::invalid("outcome", "err-required"));
        }
        // The permission is checked on the child in the write below; no separate read.
        let (e, _) = self.external_row(id).await?;
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
