//! Families searching for a child: the office that meets them records an inquiry, and the
//! duplicate engine looks for the child in every organisation. Each organisation where a
//! possible match is known gets a match to answer (its supervisors and managers are told); it
//! sees which of its own children are meant, and who is looking. The searcher's office sees
//! only that a possible match exists there, what was answered and by whom (whom to talk to).
//! Confirming a match records a tracing attempt on the child's case, with the searcher as the
//! relative found, in the same transaction.

use crate::audit::{self, Entry};
use crate::cases::{add_entry, finish, open_case_for, refuse_if_closed, settle};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::notifications::{notify, people_who};
use krousar_domain::case::family::{RelativeFound, TracingAttempt, TracingMethod, TracingOutcome};
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::inquiry::{HitState, Inquiry, InquiryOutcome, InquiryState, SeenState, INQUIRIES_PER_HOUR, ORG_INQUIRIES_PER_HOUR};
use krousar_domain::notify::{Event, Notice};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// At most this many of one organisation's children are named in one match.
const TARGETS: usize = 10;

/// A match as the searcher's office sees it: where, and what was answered by whom.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchSeen {
    pub id: Uuid,
    pub org_name: String,
    pub state: SeenState,
    pub answer: Option<String>,
    /// Whom to talk to: the person who answered.
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
}

/// An inquiry at the office that recorded it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InquiryRecord {
    pub id: Uuid,
    pub recorded_at: String,
    pub recorded_by: String,
    pub inquiry: Inquiry,
    pub state: InquiryState,
    pub outcome: Option<InquiryOutcome>,
    pub outcome_note: Option<String>,
    pub matches: Vec<MatchSeen>,
}

/// One of the holding organisation's children a match means.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchChild {
    pub id: Uuid,
    pub case_number: String,
    pub name: String,
    /// Whether the reader may confirm this child (work on the case: a tracing attempt is
    /// recorded there).
    pub may_confirm: bool,
}

/// A match as the organisation that may hold the child sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncomingMatch {
    pub id: Uuid,
    /// Who is looking, for whom, and which office to call.
    pub inquiry: Inquiry,
    pub office: String,
    pub recorded_by: String,
    pub created_at: String,
    pub state: HitState,
    pub answer: Option<String>,
    /// The organisation's own children meant.
    pub children: Vec<MatchChild>,
    /// The child confirmed, if any.
    pub child_id: Option<Uuid>,
}

fn may_record(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::RecordInquiry, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

fn may_answer(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::AnswerMatch, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

fn answer_text(answer: Option<&str>) -> Result<Option<String>, StoreError> {
    let a = answer.map(str::trim).filter(|a| !a.is_empty());
    if a.is_some_and(|a| a.chars().count() > 2000 || a.chars().any(|c| c.is_control() && c != '\n' && c != '\r')) {
        return Err(StoreError::invalid("answer", "err-too-long"));
    }
    Ok(a.map(str::to_string))
}

impl Store {
    /// Record a family's search and look for the child everywhere. Counted towards the
    /// recorder's hourly limit; audited with how many organisations a match was found at.
    pub async fn record_inquiry(&self, actor: &Actor, inquiry: Inquiry) -> Result<Uuid, StoreError> {
        may_record(actor)?;
        self.count_question(actor.user_id, "inquiry", INQUIRIES_PER_HOUR, "err-too-many-inquiries").await?;
        // Counted for the organisation too (the counter is keyed by an id; the organisation's
        // is no user's), so that many accounts together cannot search the register either.
        self.count_question(actor.org_id, "inquiry_org", ORG_INQUIRIES_PER_HOUR, "err-too-many-inquiries").await?;
        if let Some(rci) = inquiry.sought.rci_id {
            let known = sqlx::query("SELECT 1 AS one FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_optional(&self.pool).await?;
            if known.is_none() {
                return Err(StoreError::invalid("rci_id", "err-invalid-choice"));
            }
        }
        let mut by_org: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for (_, found) in self.candidates(&inquiry.sought, None, actor.org_id).await? {
            let targets = by_org.entry(found.org_id).or_default();
            if targets.len() < TARGETS {
                targets.push(found.id);
            }
        }
        let id = new_id();
        let body = serde_json::to_string(&inquiry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO inquiries (id, org_id, recorded_by, recorded_at, body, state) VALUES ($1, $2, $3, $4, $5, 'open')")
            .bind(id.to_string())
            .bind(actor.org_id.to_string())
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .bind(&body)
            .execute(&mut *tx)
            .await?;
        for (org, targets) in &by_org {
            sqlx::query(
                "INSERT INTO inquiry_matches (id, inquiry_id, holder_org, targets, state, created_at) VALUES ($1, $2, $3, $4, 'waiting', $5)",
            )
            .bind(new_id().to_string())
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(targets.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","))
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
            let holder = *org;
            let answerers =
                people_who(&mut tx, holder, actor.now, |a| decide(a, Action::AnswerMatch, Target::Organisation(holder)).allowed()).await?;
            notify(&mut tx, &answerers, &Notice::one(Event::InquiryReceived, "/inquiries/incoming"), None, actor.now).await?;
        }
        // How many organisations only: the office's administrator reads this entry.
        let detail = json!({"inquiry": id, "organisations": by_org.len()});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "inquiry.record", record_type: "inquiry", record_id: Some(id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The office's inquiries, newest first (at most 200).
    pub async fn inquiries(&self, actor: &Actor) -> Result<Vec<InquiryRecord>, StoreError> {
        may_record(actor)?;
        let rows = sqlx::query(
            "SELECT i.id, i.recorded_at, u.display_name, i.body, i.state, i.outcome, i.outcome_note FROM inquiries i \
             JOIN users u ON u.id = i.recorded_by WHERE i.org_id = $1 ORDER BY i.recorded_at DESC LIMIT 200",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            out.push(self.inquiry_from(r).await?);
        }
        Ok(out)
    }

    /// One of the office's inquiries; another office's is not found.
    pub async fn inquiry(&self, actor: &Actor, id: Uuid) -> Result<InquiryRecord, StoreError> {
        may_record(actor)?;
        let r = sqlx::query(
            "SELECT i.id, i.recorded_at, u.display_name, i.body, i.state, i.outcome, i.outcome_note FROM inquiries i \
             JOIN users u ON u.id = i.recorded_by WHERE i.id = $1 AND i.org_id = $2",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        self.inquiry_from(&r).await
    }

    async fn inquiry_from(&self, r: &sqlx::any::AnyRow) -> Result<InquiryRecord, StoreError> {
        let id = r.uuid("id")?;
        let matches = sqlx::query(
            "SELECT m.id, o.name AS org_name, m.state, m.answer, u.display_name AS answered_by, m.answered_at FROM inquiry_matches m \
             JOIN organisations o ON o.id = m.holder_org LEFT JOIN users u ON u.id = m.answered_by WHERE m.inquiry_id = $1 ORDER BY o.name",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|m| {
            Ok(MatchSeen {
                id: m.uuid("id")?,
                org_name: m.text("org_name")?,
                state: m.code("state", HitState::parse)?.seen(),
                answer: m.opt_text("answer")?,
                answered_by: m.opt_text("answered_by")?,
                answered_at: m.opt_text("answered_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(InquiryRecord {
            id,
            recorded_at: r.text("recorded_at")?,
            recorded_by: r.text("display_name")?,
            inquiry: r.json("body").map_err(|e| e.within(format!("inquiry {id}")))?,
            state: r.code("state", InquiryState::parse)?,
            outcome: r.opt_code("outcome", InquiryOutcome::parse)?,
            outcome_note: r.opt_text("outcome_note")?,
            matches,
        })
    }

    /// Close an inquiry with how it ended.
    pub async fn close_inquiry(&self, actor: &Actor, id: Uuid, outcome: InquiryOutcome, note: Option<&str>) -> Result<(), StoreError> {
        may_record(actor)?;
        let note = answer_text(note).map_err(|_| StoreError::invalid("outcome_note", "err-too-long"))?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE inquiries SET state = 'closed', outcome = $1, outcome_note = $2, closed_at = $3, version = version + 1 \
             WHERE id = $4 AND org_id = $5 AND state = 'open'",
        )
        .bind(outcome.code())
        .bind(&note)
        .bind(now_text())
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        let detail = json!({"outcome": outcome.code()});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "inquiry.close", record_type: "inquiry", record_id: Some(id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Searches that may concern the actor's organisation's children, waiting ones first.
    /// Reading them is audited (they name the organisation's children and a family).
    pub async fn incoming_inquiries(&self, actor: &Actor, khmer: bool) -> Result<Vec<IncomingMatch>, StoreError> {
        may_answer(actor)?;
        let rows = sqlx::query(
            "SELECT m.id, m.targets, m.state, m.answer, m.child_id, m.created_at, i.body, o.name AS office, u.display_name AS recorded_by \
             FROM inquiry_matches m JOIN inquiries i ON i.id = m.inquiry_id JOIN organisations o ON o.id = i.org_id \
             JOIN users u ON u.id = i.recorded_by WHERE m.holder_org = $1 \
             ORDER BY CASE WHEN m.state = 'waiting' THEN 0 ELSE 1 END, m.created_at DESC LIMIT 200",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut read = self.pool.begin().await?;
        let mut out = Vec::new();
        for r in &rows {
            let mut children = Vec::new();
            for t in r.text("targets")?.split(',').filter(|t| !t.is_empty()) {
                let id = Uuid::parse_str(t).map_err(|_| StoreError::Corrupt("inquiry_matches.targets".into()))?;
                // Only children still the organisation's (not transferred or merged since) that
                // the reader may open: a supervisor sees her teams' children only.
                let Ok(c) = crate::children::load(&mut read, id).await else { continue };
                let owner = c.owner(actor);
                if c.org_id == actor.org_id && c.merged_into.is_none() && decide(actor, Action::ViewChild, Target::Record(&owner)).allowed()
                {
                    let may_confirm = decide(actor, Action::WorkCase, Target::Record(&owner)).allowed();
                    children.push(MatchChild { id: c.id, case_number: c.case_number.clone(), name: c.display_name(khmer), may_confirm });
                }
            }
            out.push(IncomingMatch {
                id: r.uuid("id")?,
                inquiry: r.json("body")?,
                office: r.text("office")?,
                recorded_by: r.text("recorded_by")?,
                created_at: r.text("created_at")?,
                state: r.code("state", HitState::parse)?,
                answer: r.opt_text("answer")?,
                children,
                child_id: r.opt_uuid("child_id")?,
            });
        }
        drop(read);
        let detail = json!({"matches": out.len()});
        self.audit_read(
            actor.into(),
            Entry { action: "inquiry.incoming", record_type: "organisation", record_id: Some(actor.org_id.to_string()), detail },
        )
        .await?;
        Ok(out)
    }

    /// Answer a match at the actor's organisation: not ours, declined, or confirmed for one of
    /// the children meant — which records, on that child's open case, a tracing attempt with
    /// the searcher as the relative found. The searcher's office is told.
    pub async fn answer_inquiry(
        &self,
        actor: &Actor,
        match_id: Uuid,
        state: HitState,
        child: Option<Uuid>,
        answer: Option<&str>,
    ) -> Result<(), StoreError> {
        may_answer(actor)?;
        let answer = answer_text(answer)?;
        let today = actor.today();
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = sqlx::query(
            "SELECT m.targets, m.state, i.state AS inquiry_state, i.recorded_by, i.body, o.name AS office FROM inquiry_matches m JOIN inquiries i ON i.id = m.inquiry_id \
             JOIN organisations o ON o.id = i.org_id WHERE m.id = $1 AND m.holder_org = $2",
        )
        .bind(match_id.to_string())
        .bind(actor.org_id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let before = r.code("state", HitState::parse)?;
        if !before.may_answer(state) {
            return Err(StoreError::invalid("state", "err-inquiry-answered"));
        }
        // A search the family stopped is not answered any more (no relative is recorded for it).
        if r.code("inquiry_state", InquiryState::parse)? != InquiryState::Open {
            return Err(StoreError::invalid("state", "err-inquiry-closed"));
        }
        let targets: Vec<String> = r.text("targets")?.split(',').map(str::to_string).collect();
        let inquiry: Inquiry = r.json("body")?;
        let recorder = r.uuid("recorded_by")?;
        let confirmed = match (state, child) {
            (HitState::Confirmed, Some(c)) if targets.contains(&c.to_string()) => Some(c),
            (HitState::Confirmed, _) => return Err(StoreError::invalid("child", "err-invalid-choice")),
            _ => None,
        };
        let office = r.text("office")?;
        let result = async {
            if let Some(child_id) = confirmed {
                // The match becomes a tracing attempt on the child's case: the family came.
                let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
                if child.org_id != actor.org_id || child.merged_into.is_some() {
                    return Err(StoreError::invalid("child", "err-invalid-choice"));
                }
                refuse_if_closed(&case)?;
                let (name_km, name_latin) = if krousar_match::is_khmer(&inquiry.searcher_name) {
                    (Some(inquiry.searcher_name.clone()), None)
                } else {
                    (None, Some(inquiry.searcher_name.clone()))
                };
                let attempt = TracingAttempt {
                    attempted_on: today,
                    method: TracingMethod::FamilyInquiry,
                    village_code: None,
                    people_met: None,
                    learned: Some(
                        format!("{office}: {}", inquiry.last_seen.clone().unwrap_or_default()).trim_end_matches([':', ' ']).to_string(),
                    ),
                    outcome: TracingOutcome::Found,
                    relative: Some(RelativeFound { name_km, name_latin, relationship: inquiry.searcher_relationship }),
                };
                let household =
                    crate::households::add_relative(tx, self.backend, actor, &child, attempt.relative.as_ref().expect("set"), None).await?;
                let entry = add_entry(
                    tx,
                    child.id,
                    today,
                    &CaseEntry::TracingAttempt(rec::TracingAttemptEntry { attempt, household: Some(household) }),
                    actor,
                )
                .await?;
                finish(tx, actor, &child, "case.tracing_attempt", json!({"entry": entry, "inquiry_match": match_id})).await?;
            }
            let n = sqlx::query(
                "UPDATE inquiry_matches SET state = $1, answer = $2, answered_by = $3, answered_at = $4, child_id = $5 WHERE id = $6 AND state = 'waiting'",
            )
            .bind(state.code())
            .bind(&answer)
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .bind(confirmed.map(|c| c.to_string()))
            .bind(match_id.to_string())
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::invalid("state", "err-inquiry-answered"));
            }
            notify(tx, &[recorder], &Notice::one(Event::InquiryAnswered, "/inquiries"), None, actor.now).await?;
            let detail = json!({"match": match_id, "state": state.code(), "child": confirmed});
            audit::append(
                tx,
                actor.into(),
                Entry { action: "inquiry.answer", record_type: "inquiry_match", record_id: Some(match_id.to_string()), detail },
            )
            .await?;
            Ok(())
        }
        .await;
        match confirmed {
            Some(child) => settle(self, owned, actor, child, "case.tracing_attempt", result).await,
            None => {
                result?;
                owned.commit().await?;
                Ok(())
            }
        }
    }
}
