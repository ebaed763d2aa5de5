//! Who works on a child's case: the worker whose caseload it is in, and a second worker it is
//! shared with. Both are set by a supervisor within the team's scope.

use crate::audit::{self, Entry};
use crate::children::{load, refuse, Child};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use krousar_domain::notify::{Event, Notice};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor, Role};
use serde_json::json;
use uuid::Uuid;

/// An active user of the organisation who can hold a caseload; returns their team.
async fn caseload_user(tx: &mut Tx, org: Uuid, user: Uuid, field: &'static str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT org_id, team_id, role, disabled FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(r) = row else { return Err(StoreError::invalid(field, "err-invalid-choice")) };
    if r.uuid("org_id")? != org || r.int("disabled")? != 0 || !Role::parse(&r.text("role")?).is_some_and(|role| role.has_caseload()) {
        return Err(StoreError::invalid(field, "err-invalid-choice"));
    }
    r.opt_text("team_id")
}

impl Store {
    /// A write transaction and the child, if the actor may assign it. A refusal is audited in
    /// its own transaction, after this one is dropped (it holds the write lock).
    async fn assignable(&self, actor: &Actor, id: Uuid, action: &str) -> Result<(Tx, Child), StoreError> {
        let mut tx = self.write().await?;
        let before = load(&mut tx, id).await?;
        if !decide(actor, Action::AssignChild, Target::Record(&before.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, action, "child", id).await);
        }
        Ok((tx, before))
    }

    /// Audit the change of assignment, bump the version, commit, and read the child back.
    async fn assigned(
        &self,
        mut tx: Tx,
        actor: &Actor,
        before: &Child,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<Child, StoreError> {
        audit::append(&mut tx, actor.into(), Entry { action, record_type: "child", record_id: Some(before.id.to_string()), detail })
            .await?;
        audit::changed(&mut tx, Some(before.org_id), "child", before.id, before.version + 1).await?;
        let child = load(&mut tx, before.id).await?;
        tx.commit().await?;
        Ok(child)
    }

    /// Move a child to another worker's caseload (supervisors, within their team's scope).
    pub async fn assign_child(&self, actor: &Actor, id: Uuid, worker: Uuid) -> Result<Child, StoreError> {
        let (mut tx, before) = self.assignable(actor, id, "child.assign").await?;
        let team = caseload_user(&mut tx, before.org_id, worker, "worker").await?;
        sqlx::query("UPDATE children SET assigned_worker_id = $1, team_id = $2, updated_at = $3, version = version + 1 WHERE id = $4")
            .bind(worker.to_string())
            .bind(team)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if worker != actor.user_id && before.assigned_worker_id != Some(worker) {
            let notice = Notice::one(Event::CaseAssigned, format!("/children/{id}"));
            crate::notifications::notify(&mut tx, &[worker], &notice, None, actor.now).await?;
        }
        self.assigned(tx, actor, &before, "child.assign", json!({"from": before.assigned_worker_id, "to": worker})).await
    }

    /// Share the case with a second worker of the organisation, or stop sharing it (`None`).
    pub async fn set_co_worker(&self, actor: &Actor, id: Uuid, worker: Option<Uuid>) -> Result<Child, StoreError> {
        let (mut tx, before) = self.assignable(actor, id, "child.co_worker").await?;
        if let Some(w) = worker {
            caseload_user(&mut tx, before.org_id, w, "co_worker").await?;
            if Some(w) == before.assigned_worker_id {
                return Err(StoreError::invalid("co_worker", "err-invalid-choice"));
            }
        }
        sqlx::query("UPDATE children SET co_worker_id = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(worker.map(|w| w.to_string()))
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if let Some(w) = worker.filter(|w| *w != actor.user_id && before.co_worker_id != Some(*w)) {
            let notice = Notice::one(Event::CaseAssigned, format!("/children/{id}"));
            crate::notifications::notify(&mut tx, &[w], &notice, None, actor.now).await?;
        }
        self.assigned(tx, actor, &before, "child.co_worker", json!({"from": before.co_worker_id, "to": worker})).await
    }
}
