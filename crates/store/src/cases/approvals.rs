//! Asking for and deciding supervisor approvals: assessment, care plan, placement, closure.

use super::placement::start_follow_up;
use super::{add_entry, finish, load_case, open_case_for, settle, Case};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use krousar_domain::case::approval::{may_close, may_decide, may_request};
use krousar_domain::case::entries::{reason_text, Closure};
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::case::{ApprovalKind, ApprovalState};
use krousar_domain::notify::{Event, Notice};
use krousar_domain::{new_id, Action, Actor};
use serde_json::json;
use uuid::Uuid;

impl Store {
    /// A worker asks for approval. For a closure, `closure` holds the reason asked for; the
    /// rules are checked now and again when the supervisor decides.
    pub async fn request_approval(
        &self,
        actor: &Actor,
        child_id: Uuid,
        kind: ApprovalKind,
        closure: Option<Closure>,
    ) -> Result<Case, StoreError> {
        let _today = actor.today();
        self.ask_approval(actor, child_id, kind, closure).await.map(|(_, case)| case)
    }

    /// `request_approval`, with the id of the approval asked for (the API answers with it, so
    /// a client can follow or decide that request).
    pub async fn ask_approval(
        &self,
        actor: &Actor,
        child_id: Uuid,
        kind: ApprovalKind,
        closure: Option<Closure>,
    ) -> Result<(Uuid, Case), StoreError> {
        let today = actor.today();
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            let pending: Vec<ApprovalKind> = sqlx::query("SELECT kind FROM case_approvals WHERE child_id = $1 AND state = 'pending'")
                .bind(child.id.to_string())
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| r.code("kind", ApprovalKind::parse))
                .collect::<Result<_, _>>()?;
            let field = if kind == ApprovalKind::Closure { "reason" } else { "kind" };
            may_request(kind, &case.facts, &pending).map_err(|code| StoreError::invalid(field, code))?;
            let closure = match kind {
                ApprovalKind::Closure => {
                    let c = closure.ok_or_else(|| StoreError::invalid("reason", "err-required"))?;
                    may_close(c.reason, &case.facts, today, case.follow_up_until).map_err(|code| StoreError::invalid("reason", code))?;
                    Some(c)
                }
                _ => None,
            };
            // The record being approved: the latest assessment, plan version or the placement.
            let entry = match kind {
                ApprovalKind::Assessment => latest_entry(tx, child.id, &["csi", "risk", "assessment"]).await?,
                ApprovalKind::CarePlan => latest_entry(tx, child.id, &["care_plan"]).await?,
                ApprovalKind::Placement => case.placement_id.map(|p| p.to_string()),
                ApprovalKind::Closure => None,
            };
            let id = new_id();
            sqlx::query(
                "INSERT INTO case_approvals (id, child_id, kind, entry_id, request, state, requested_by, requested_at, org_id) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)",
            )
            .bind(id.to_string())
            .bind(child.id.to_string())
            .bind(kind.code())
            .bind(entry)
            .bind(json!({"closure": closure}).to_string())
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .bind(case.org_id.to_string())
            .execute(&mut **tx)
            .await?;
            // Whoever may decide it hears of it (never the one asking).
            let deciders = crate::notifications::people_who(tx, case.org_id, actor.now, |a| {
                a.user_id != actor.user_id
                    && krousar_domain::policy::decide(a, Action::ApproveCase, krousar_domain::policy::Target::Record(&child.owner(a)))
                        .allowed()
            })
            .await?;
            let link = format!("/children/{}/case", child.id);
            crate::notifications::notify(tx, &deciders, &Notice::one(Event::ApprovalRequested, link), None, actor.now).await?;
            add_entry(
                tx,
                child.id,
                today,
                &CaseEntry::ApprovalRequested(rec::ApprovalRequested { approval: id, kind, closure: closure.clone() }),
                actor,
            )
            .await?;
            let case = finish(tx, actor, &child, "case.approval_request", json!({"approval": id, "kind": kind.code()})).await?;
            Ok((id, case))
        }
        .await;
        settle(self, owned, actor, child_id, "case.approval_request", r).await
    }

    /// A supervisor approves, or returns with a comment. Approving applies what was asked for.
    pub async fn decide_approval(
        &self,
        actor: &Actor,
        child_id: Uuid,
        approval: Uuid,
        approve: bool,
        comment: Option<&str>,
    ) -> Result<Case, StoreError> {
        let today = actor.today();
        let comment = match (approve, comment.map(str::trim).filter(|c| !c.is_empty())) {
            (false, c) => Some(reason_text(c, "comment")?),
            (true, c) => c.map(|c| reason_text(Some(c), "comment")).transpose()?,
        };
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::ApproveCase).await?;
            let row = sqlx::query("SELECT kind, state, requested_by, request FROM case_approvals WHERE id = $1 AND child_id = $2")
                .bind(approval.to_string())
                .bind(child.id.to_string())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            let kind = ApprovalKind::parse(&row.text("kind")?).ok_or_else(|| StoreError::Corrupt("approval kind".into()))?;
            let state = ApprovalState::parse(&row.text("state")?).ok_or_else(|| StoreError::Corrupt("approval state".into()))?;
            // Nobody approves their own request: refused for who they are (403), as a worker is.
            may_decide(row.uuid("requested_by")?, actor.user_id, state).map_err(|code| match code {
                "err-approve-own" => StoreError::Refused(code),
                _ => StoreError::invalid("comment", code),
            })?;
            if approve {
                let cid = child.id.to_string();
                match kind {
                    ApprovalKind::Assessment => {
                        sqlx::query("UPDATE cases SET assessment_approved = 1 WHERE child_id = $1").bind(&cid).execute(&mut **tx).await?;
                    }
                    ApprovalKind::CarePlan => {
                        sqlx::query("UPDATE cases SET care_plan_approved = 1 WHERE child_id = $1").bind(&cid).execute(&mut **tx).await?;
                    }
                    ApprovalKind::Placement => {
                        if case.placement_id.is_none() {
                            return Err(StoreError::invalid("comment", "err-no-placement"));
                        }
                        sqlx::query("UPDATE cases SET placement_approved = 1 WHERE child_id = $1").bind(&cid).execute(&mut **tx).await?;
                        let now = load_case(tx, &child).await?.ok_or(StoreError::NotFound)?;
                        if now.facts.in_family_placement {
                            start_follow_up(tx, &now).await?;
                        }
                        placement_moves_her(tx, actor, &child, &now).await?;
                    }
                    ApprovalKind::Closure => {
                        let request: serde_json::Value = row.json("request").map_err(|e| e.within(format!("approval {approval}")))?;
                        let closure: Closure = serde_json::from_value(request["closure"].clone())
                            .map_err(|_| StoreError::Corrupt("closure request".into()))?;
                        may_close(closure.reason, &case.facts, today, case.follow_up_until)
                            .map_err(|code| StoreError::invalid("comment", code))?;
                        sqlx::query("UPDATE cases SET closed_on = $1, closure_reason = $2 WHERE child_id = $3")
                            .bind(today.to_string())
                            .bind(closure.reason.code())
                            .bind(&cid)
                            .execute(&mut **tx)
                            .await?;
                        // Visits still ahead are no longer owed; past ones stay as the record shows them.
                        sqlx::query("DELETE FROM follow_up_visits WHERE child_id = $1 AND done_on IS NULL AND due_on > $2")
                            .bind(&cid)
                            .bind(today.to_string())
                            .execute(&mut **tx)
                            .await?;
                    }
                }
            }
            let new_state = if approve { ApprovalState::Approved } else { ApprovalState::Returned };
            let link = format!("/children/{}/case", child.id);
            let asker = row.uuid("requested_by")?;
            crate::notifications::notify(tx, &[asker], &Notice::one(Event::ApprovalDecided, link), None, actor.now).await?;
            sqlx::query("UPDATE case_approvals SET state = $1, decided_by = $2, decided_at = $3, comment = $4 WHERE id = $5")
                .bind(new_state.code())
                .bind(actor.user_id.to_string())
                .bind(now_text())
                .bind(comment.clone())
                .bind(approval.to_string())
                .execute(&mut **tx)
                .await?;
            add_entry(
                tx,
                child.id,
                today,
                &CaseEntry::ApprovalDecided(rec::ApprovalDecided { approval, kind, state: new_state, comment: comment.clone() }),
                actor,
            )
            .await?;
            finish(tx, actor, &child, "case.approval_decide", json!({"approval": approval, "kind": kind.code(), "state": new_state.code()}))
                .await
        }
        .await;
        settle(self, owned, actor, child_id, "case.approval_decide", r).await
    }
}

/// An approved placement starts where she lives now (issue 21): one in a family ends her stay
/// in an RCI on the day it began; residential care opens a stay in its institution. The record
/// then follows.
async fn placement_moves_her(tx: &mut crate::db::Tx, actor: &Actor, child: &crate::children::Child, case: &Case) -> Result<(), StoreError> {
    let (Some(id), Some(start)) = (case.placement_id, case.placement_started_on) else { return Ok(()) };
    let entry = sqlx::query("SELECT body FROM case_entries WHERE id = $1").bind(id.to_string()).fetch_optional(&mut **tx).await?;
    let placement: Option<krousar_domain::case::entries::Placement> =
        entry.map(|r| r.json("body")).transpose().map_err(|e| e.within(format!("placement entry {id}")))?;
    match placement {
        Some(p) if p.kind.family_based() => {
            crate::living::end_stay(tx, actor.into(), child.id, start, &format!("placement:{}", p.kind.code())).await?;
        }
        Some(p) => {
            if let Some(rci) = p.rci_id {
                crate::living::open_stay_in(tx, actor.into(), child.id, rci, start, "moved").await?;
            }
        }
        None => {}
    }
    crate::living::follow(tx, actor.into(), child.id).await?;
    Ok(())
}

async fn latest_entry(tx: &mut crate::db::Tx, child: Uuid, kinds: &[&str]) -> Result<Option<String>, StoreError> {
    let list = kinds.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT id FROM case_entries WHERE child_id = $1 AND kind IN ({list}) ORDER BY seq DESC LIMIT 1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(child.to_string()).fetch_optional(&mut **tx).await?;
    row.map(|r| r.text("id")).transpose()
}
