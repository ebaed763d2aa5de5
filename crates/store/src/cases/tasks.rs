//! Tasks (with owner and due date) and case notes.

use super::{add_entry, finish, open_case_for, refuse_if_closed, settle, Case};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::entries::{Note, Task};
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::{new_id, Action, Actor, Role};
use serde_json::json;
use uuid::Uuid;

pub(super) async fn insert_task(
    tx: &mut Tx,
    child: Uuid,
    title: &str,
    owner: Uuid,
    due_on: NaiveDate,
    source: &str,
    actor: &Actor,
) -> Result<Uuid, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO case_tasks (id, child_id, title, owner_id, due_on, source, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(child.to_string())
    .bind(title)
    .bind(owner.to_string())
    .bind(due_on.to_string())
    .bind(source)
    .bind(actor.user_id.to_string())
    .bind(now_text())
    .execute(&mut **tx)
    .await?;
    add_entry(
        tx,
        child,
        due_on,
        &CaseEntry::Task(rec::TaskSet { task: id, title: title.to_string(), owner_id: owner, source: source.to_string() }),
        actor,
    )
    .await?;
    Ok(id)
}

impl Store {
    /// A task on the case for a worker or supervisor of the same organisation.
    pub async fn add_task(&self, actor: &Actor, child_id: Uuid, t: Task) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if t.due_on < case.opened_on {
                return Err(StoreError::invalid("due_on", "err-task-before-case"));
            }
            let owner = sqlx::query("SELECT org_id, role, disabled FROM users WHERE id = $1")
                .bind(t.owner_id.to_string())
                .fetch_optional(&mut **tx)
                .await?;
            let ok = match owner {
                Some(r) => {
                    r.uuid("org_id")? == child.org_id
                        && r.int("disabled")? == 0
                        && Role::parse(&r.text("role")?).is_some_and(krousar_domain::policy::holds_tasks)
                }
                None => false,
            };
            if !ok {
                return Err(StoreError::invalid("owner_id", "err-invalid-choice"));
            }
            let id = insert_task(tx, child.id, &t.title, t.owner_id, t.due_on, "manual", actor).await?;
            finish(tx, actor, &child, "case.task", json!({"task": id})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.task", r).await
    }

    /// Mark a task done (its owner, or anyone who may work on the case).
    pub async fn complete_task(&self, actor: &Actor, child_id: Uuid, task: Uuid, done_on: NaiveDate) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, _case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            let n = sqlx::query("UPDATE case_tasks SET done_on = $1 WHERE id = $2 AND child_id = $3 AND done_on IS NULL")
                .bind(done_on.to_string())
                .bind(task.to_string())
                .bind(child.id.to_string())
                .execute(&mut **tx)
                .await?
                .rows_affected();
            if n != 1 {
                return Err(StoreError::NotFound);
            }
            add_entry(tx, child.id, done_on, &CaseEntry::TaskDone(rec::TaskDone { task }), actor).await?;
            finish(tx, actor, &child, "case.task_done", json!({"task": task})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.task_done", r).await
    }

    /// A case note. A home or office visit or a call is also the first contact, if none was yet.
    pub async fn add_note(&self, actor: &Actor, child_id: Uuid, note: Note) -> Result<Case, StoreError> {
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async move {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if note.noted_on < case.opened_on {
                return Err(StoreError::invalid("noted_on", "err-before-case-opened"));
            }
            use krousar_domain::case::entries::NoteKind::*;
            if matches!(note.kind, HomeVisit | OfficeVisit | Phone) {
                sqlx::query("UPDATE cases SET first_contact_on = COALESCE(first_contact_on, $1) WHERE child_id = $2")
                    .bind(note.noted_on.to_string())
                    .bind(child.id.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
            let id = add_entry(tx, child.id, note.noted_on, &CaseEntry::Note(note.clone()), actor).await?;
            finish(tx, actor, &child, "case.note", json!({"note": id, "kind": note.kind.code()})).await
        }
        .await;
        settle(self, owned, actor, child_id, "case.note", r).await
    }
}
