//! The organisation's own forms filled in on a record rather than on a case's timeline: the
//! child's record (`FormTarget::Child`: "school and grade"), a household's, or a carer
//! household's (`Household`, `Carer`: "water and sanitation", "home study"). Each answer is
//! kept; the latest of a form is what the record says now. Read only by its organisation's
//! people who read the record in full (never a referral's receiver or a transfer's sender: an
//! answer may hold anything), written by whoever may change the record; audited as the
//! record's other changes are.

use crate::audit::{self, Entry};
use crate::cases::child_for;
use crate::children::Child;
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::households::Household;
use chrono::NaiveDate;
use krousar_domain::forms::answers::{self, FormAnswers};
use krousar_domain::forms::FormTarget;
use krousar_domain::policy::{decide, disclosure, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The record a form is filled in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Child(Uuid),
    Household(Uuid),
    Carer(Uuid),
}

impl Holder {
    /// The record of this id that forms of a target are filled in on (none for a case form).
    pub fn on(target: FormTarget, id: Uuid) -> Option<Holder> {
        match target {
            FormTarget::Case => None,
            FormTarget::Child => Some(Holder::Child(id)),
            FormTarget::Household => Some(Holder::Household(id)),
            FormTarget::Carer => Some(Holder::Carer(id)),
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Holder::Child(id) | Holder::Household(id) | Holder::Carer(id) => id,
        }
    }

    /// The forms filled in on it.
    pub fn target(self) -> FormTarget {
        match self {
            Holder::Child(_) => FormTarget::Child,
            Holder::Household(_) => FormTarget::Household,
            Holder::Carer(_) => FormTarget::Carer,
        }
    }

    /// Its kind, as the audit names it.
    pub fn kind(self) -> &'static str {
        match self {
            Holder::Child(_) => "child",
            Holder::Household(_) => "household",
            Holder::Carer(_) => "carer",
        }
    }

    /// The column of `record_form_answers` naming it.
    fn column(self) -> &'static str {
        match self {
            Holder::Child(_) => "child_id",
            Holder::Household(_) => "household_id",
            Holder::Carer(_) => "carer_id",
        }
    }

    /// The record's page: `/children/{id}`, `/households/{id}` or `/carers/{id}`.
    pub fn path(self) -> String {
        let base = match self {
            Holder::Child(_) => "children",
            Holder::Household(_) => "households",
            Holder::Carer(_) => "carers",
        };
        format!("/{base}/{}", self.id())
    }

    fn audit_action(self) -> &'static str {
        match self {
            Holder::Child(_) => "child.custom_form",
            Holder::Household(_) => "household.custom_form",
            Holder::Carer(_) => "carer.custom_form",
        }
    }
}

/// One answer on a record, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordAnswer {
    pub id: Uuid,
    pub answers: FormAnswers,
    /// Who filled it in (their name).
    pub recorded_by: String,
    pub recorded_at: String,
}

impl Store {
    /// The answers on a child's record (every form, retired ones too), newest first; `None` for
    /// a reader who does not read the record in full.
    pub async fn child_form_answers(&self, actor: &Actor, child: &Child) -> Result<Option<Vec<RecordAnswer>>, StoreError> {
        if !disclosure(actor, &child.owner(actor)).is_some_and(|d| d.is_full()) {
            return Ok(None);
        }
        self.answers_on(Holder::Child(child.id)).await.map(Some)
    }

    /// The answers on a household's record; `None` for a reader outside its organisation or
    /// who may not read it.
    pub async fn household_form_answers(&self, actor: &Actor, h: &Household) -> Result<Option<Vec<RecordAnswer>>, StoreError> {
        if h.org_id != actor.org_id || !decide(actor, Action::ViewHousehold, Target::Record(&h.owner())).allowed() {
            return Ok(None);
        }
        self.answers_on(Holder::Household(h.id)).await.map(Some)
    }

    /// The answers on a carer household's record; `None` for a reader who may not list its
    /// organisation's carers.
    pub async fn carer_form_answers(&self, actor: &Actor, carer: Uuid) -> Result<Option<Vec<RecordAnswer>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let org = carer_org(&mut tx, carer).await?;
        drop(tx);
        if org != actor.org_id || !decide(actor, Action::ListCarers, Target::Organisation(org)).allowed() {
            return Ok(None);
        }
        self.answers_on(Holder::Carer(carer)).await.map(Some)
    }

    async fn answers_on(&self, holder: Holder) -> Result<Vec<RecordAnswer>, StoreError> {
        let column = holder.column();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.id, a.body, a.recorded_at, u.display_name FROM record_form_answers a LEFT JOIN users u ON u.id = a.recorded_by \
             WHERE a.{column} = $1 ORDER BY a.answered_on DESC, a.recorded_at DESC"
        )))
        .bind(holder.id().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RecordAnswer {
                    id: r.uuid("id")?,
                    answers: r.json("body")?,
                    recorded_by: r.opt_text("display_name")?.unwrap_or_default(),
                    recorded_at: r.text("recorded_at")?,
                })
            })
            .collect()
    }

    /// Fill in one of the organisation's forms on a record (the form's target must be the
    /// record's kind): checked against the form's current version, kept with its words.
    /// Returns the answer's id.
    pub async fn answer_record_form(
        &self,
        actor: &Actor,
        holder: Holder,
        form_id: Uuid,
        answered_on: Option<&str>,
        raw: &BTreeMap<String, Vec<String>>,
    ) -> Result<Uuid, StoreError> {
        let form = self.answerable_form(actor, form_id, holder.target()).await?;
        let Some(def) = form.current.as_ref() else { return Err(StoreError::NotFound) };
        let mut tx = self.write().await?;
        match writable(&mut tx, actor, holder).await {
            Ok(org) if org == form.org_id => {}
            Ok(_) => return Err(StoreError::NotFound),
            Err(StoreError::Forbidden) => {
                drop(tx);
                return Err(crate::refusal::refuse(self, actor, holder.audit_action(), holder.kind(), holder.id()).await);
            }
            Err(e) => return Err(e),
        }
        // Checked once the record is known to be the actor's to change: what it may name (its
        // household's members) is looked up only then.
        let known = self.known(&mut tx, def, raw, holder.target(), holder.id()).await?;
        let (on, answers): (NaiveDate, _) = answers::validate(def, answered_on, raw, actor.today(), &known)?;
        let id = insert_answer(&mut tx, actor, &form, holder, on, answers).await?;
        tx.commit().await?;
        Ok(id)
    }
}

async fn carer_org(tx: &mut Tx, carer: Uuid) -> Result<Uuid, StoreError> {
    sqlx::query("SELECT org_id FROM carers WHERE id = $1")
        .bind(carer.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?
        .uuid("org_id")
}

/// Whether the actor may change the record (`Forbidden` if not); its organisation.
pub(crate) async fn writable(tx: &mut Tx, actor: &Actor, holder: Holder) -> Result<Uuid, StoreError> {
    match holder {
        Holder::Child(id) => {
            let child = child_for(tx, actor, id, Action::EditChild).await?;
            if child.merged_into.is_some() {
                return Err(StoreError::NotFound);
            }
            Ok(child.org_id)
        }
        Holder::Household(id) => {
            let row = sqlx::query("SELECT org_id FROM households WHERE id = $1").bind(id.to_string()).fetch_optional(&mut **tx).await?;
            let org = row.ok_or(StoreError::NotFound)?.uuid("org_id")?;
            let owner = krousar_domain::RecordOwner {
                org_id: org,
                assigned_worker: None,
                co_worker: None,
                team_id: None,
                outside: Default::default(),
            };
            if org != actor.org_id || !decide(actor, Action::EditHousehold, Target::Record(&owner)).allowed() {
                return Err(StoreError::Forbidden);
            }
            Ok(org)
        }
        Holder::Carer(id) => {
            let org = carer_org(tx, id).await?;
            if org != actor.org_id || !decide(actor, Action::EditCarer, Target::Organisation(org)).allowed() {
                return Err(StoreError::Forbidden);
            }
            Ok(org)
        }
    }
}

/// Keep an answer (already checked, the record's permission too) on a record, audited; in the
/// caller's transaction.
pub(crate) async fn insert_answer(
    tx: &mut Tx,
    actor: &Actor,
    form: &crate::custom_forms::CustomForm,
    holder: Holder,
    on: NaiveDate,
    answers: Vec<krousar_domain::forms::answers::Answer>,
) -> Result<Uuid, StoreError> {
    let body = form.answered(on, answers)?;
    let version_id = body.version_id;
    let id = new_id();
    let column = holder.column();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO record_form_answers (id, org_id, form_id, version_id, {column}, answered_on, body, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )))
    .bind(id.to_string())
    .bind(form.org_id.to_string())
    .bind(form.id.to_string())
    .bind(version_id.to_string())
    .bind(holder.id().to_string())
    .bind(on.to_string())
    .bind(serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    .bind(actor.user_id.to_string())
    .bind(now_text())
    .execute(&mut **tx)
    .await?;
    let detail = json!({"form": form.id, "version": form.current_version, "answer": id});
    let entry = Entry { action: holder.audit_action(), record_type: holder.kind(), record_id: Some(holder.id().to_string()), detail };
    audit::append(tx, actor.into(), entry).await?;
    Ok(id)
}

/// Answers to the organisation's registration form (its fields on the child's registration
/// form, or the household's form), checked, to be kept with the record they come with.
#[derive(Debug, Clone)]
pub struct Extra {
    pub form: crate::custom_forms::CustomForm,
    pub on: NaiveDate,
    pub answers: Vec<krousar_domain::forms::answers::Answer>,
}

/// Keep `extra` on the record (already allowed) in the caller's transaction, unless the
/// latest answer to the form already says the same (saving a record unchanged keeps nothing).
pub(crate) async fn keep_extra(tx: &mut Tx, actor: &Actor, holder: Holder, extra: &Extra) -> Result<(), StoreError> {
    let f = &extra.form;
    if f.org_id != actor.org_id || f.target != holder.target() || !f.in_registration || !f.active {
        return Err(StoreError::invalid("form", "err-form-retired"));
    }
    let column = holder.column();
    let latest = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT body FROM record_form_answers WHERE {column} = $1 AND form_id = $2 ORDER BY answered_on DESC, recorded_at DESC LIMIT 1"
    )))
    .bind(holder.id().to_string())
    .bind(f.id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let values = |a: &[krousar_domain::forms::answers::Answer]| a.iter().map(|x| (x.code.clone(), x.value.clone())).collect::<Vec<_>>();
    let before = match latest {
        Some(row) => values(&row.json::<FormAnswers>("body")?.answers),
        None => Vec::new(),
    };
    // Nothing new (nothing answered on a record that had nothing, or the same answers again).
    if before == values(&extra.answers) {
        return Ok(());
    }
    insert_answer(tx, actor, f, holder, extra.on, extra.answers.clone()).await.map(|_| ())
}

/// Whether the actor may fill in forms on this child's record (for showing the buttons).
pub fn may_answer(actor: &Actor, child: &Child) -> bool {
    decide(actor, Action::EditChild, Target::Record(&child.owner(actor))).allowed()
}
