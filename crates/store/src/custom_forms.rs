//! An organisation's own forms (`krousar_domain::forms`): the draft its administrator or
//! manager builds (`ManageCaseSettings`), the versions published from it (never changed), and
//! answers kept on a case's timeline by the people working on it (`WorkCase`). Every change is
//! audited; a form of another organisation is not found.

use crate::audit::{self, Entry};
use crate::cases::{add_entry, finish, open_case_for, refuse_if_closed, settle, Case};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::record::CaseEntry;
use krousar_domain::forms::answers::{self, FormAnswers};
use krousar_domain::forms::{FormDef, FormTarget};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor, Invalid};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A form as its organisation sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomForm {
    pub id: Uuid,
    pub org_id: Uuid,
    /// The draft being built (what the next version will be).
    pub draft: FormDef,
    /// The version answered now (0: never published).
    pub current_version: u32,
    /// The current version's definition.
    pub current: Option<FormDef>,
    pub current_version_id: Option<Uuid>,
    /// Retired forms are not offered; their answers stay readable.
    pub active: bool,
    /// Shared with the other organisations (they may adopt it).
    pub shared: bool,
    /// The shared form this one was adopted from.
    pub adopted_from: Option<Uuid>,
    /// Where it is filled in: a case's timeline, or the child's own record.
    pub target: FormTarget,
    /// Its questions are asked on the child's registration form (a child form) or the
    /// household's form (a household form), as fields of that form.
    pub in_registration: bool,
}

impl CustomForm {
    /// Checked answers as kept: naming the version answered and carrying its words.
    pub(crate) fn answered(&self, on: NaiveDate, answers: Vec<answers::Answer>) -> Result<FormAnswers, StoreError> {
        let (Some(def), Some(version_id)) = (self.current.as_ref(), self.current_version_id) else { return Err(StoreError::NotFound) };
        Ok(FormAnswers {
            form_id: self.id,
            version_id,
            version: self.current_version,
            name_km: def.name_km.clone(),
            name_en: def.name_en.clone(),
            answered_on: on,
            answers,
        })
    }
}

/// How an answer came: typed (on a page, through the API or on a phone), with any files sent
/// for it; or brought in from a workbook.
pub(crate) enum Came<'a> {
    Typed(&'a [crate::custom_form_files::Written]),
    Imported,
}

/// Keep checked answers on a child's case timeline (the case already checked), audited with
/// the case; in the caller's transaction. Returns the case as it is now.
pub(crate) async fn keep_case_answer(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    form: &CustomForm,
    child: &crate::children::Child,
    on: NaiveDate,
    answers: Vec<answers::Answer>,
    came: Came<'_>,
) -> Result<Case, StoreError> {
    let (imported, files) = match came {
        Came::Typed(files) => (false, files),
        Came::Imported => (true, &[][..]),
    };
    let body = CaseEntry::CustomForm(form.answered(on, answers)?);
    let id = add_entry(tx, child.id, on, &body, actor).await?;
    crate::custom_form_files::keep_answer_files(tx, actor, child.id, id, files).await?;
    let mut detail = json!({"entry": id, "form": form.id, "version": form.current_version});
    if imported {
        detail["imported"] = json!(true);
    }
    if !files.is_empty() {
        detail["files"] = json!(files.iter().map(|f| json!({"attachment": f.id, "sha256": f.sha256})).collect::<Vec<_>>());
    }
    finish(tx, actor, child, "case.custom_form", detail).await
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("custom form: {e}"))
}

fn json_of<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(corrupt)
}

const SELECT: &str =
    "SELECT f.id, f.org_id, f.draft, f.current_version, f.active, f.shared, f.adopted_from, f.target, f.in_registration, v.id AS version_id, v.definition \
    FROM custom_forms f LEFT JOIN custom_form_versions v ON v.form_id = f.id AND v.number = f.current_version";

fn form_from(r: &sqlx::any::AnyRow) -> Result<CustomForm, StoreError> {
    let current = match r.opt_text("definition")? {
        Some(d) => Some(serde_json::from_str(&d).map_err(corrupt)?),
        None => None,
    };
    Ok(CustomForm {
        id: r.uuid("id")?,
        org_id: r.uuid("org_id")?,
        draft: serde_json::from_str(&r.text("draft")?).map_err(corrupt)?,
        current_version: u32::try_from(r.int("current_version")?).map_err(corrupt)?,
        current,
        current_version_id: r.opt_uuid("version_id")?,
        active: r.int("active")? != 0,
        shared: r.int("shared")? != 0,
        adopted_from: r.opt_uuid("adopted_from")?,
        target: FormTarget::parse(&r.text("target")?).ok_or_else(|| corrupt("target"))?,
        in_registration: r.int("in_registration")? != 0,
    })
}

/// A form's switches: in use (or retired), shared with other organisations (or not), asked on
/// the registration form (or not).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Switch {
    Active,
    Shared,
    Registration,
}

pub(crate) fn allowed(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::ManageCaseSettings, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

impl Store {
    /// The organisation's forms (`only_answerable`: published and not retired), by name.
    pub async fn custom_forms(&self, org: Uuid, only_answerable: bool) -> Result<Vec<CustomForm>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE f.org_id = $1 ORDER BY f.created_at")))
            .bind(org.to_string())
            .fetch_all(&self.pool)
            .await?;
        let forms: Vec<CustomForm> = rows.iter().map(form_from).collect::<Result<_, _>>()?;
        Ok(forms.into_iter().filter(|f| !only_answerable || (f.active && f.current.is_some())).collect())
    }

    /// One form of the actor's organisation.
    pub async fn custom_form(&self, actor: &Actor, id: Uuid) -> Result<CustomForm, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE f.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let form = form_from(&row)?;
        // Another organisation's form is not found (its name says what it works on).
        if form.org_id != actor.org_id {
            return Err(StoreError::NotFound);
        }
        Ok(form)
    }

    /// Start a form: a named, empty draft.
    pub async fn create_custom_form(&self, actor: &Actor, draft: FormDef) -> Result<Uuid, StoreError> {
        self.create_custom_form_for(actor, draft, FormTarget::Case).await
    }

    /// Start a form filled in on `target` (a case's timeline or the child's record).
    pub async fn create_custom_form_for(&self, actor: &Actor, draft: FormDef, target: FormTarget) -> Result<Uuid, StoreError> {
        self.insert_custom_form(actor, &draft, target, None, json!({"target": target.code()})).await
    }

    /// Change the draft with `edit` (add, change, remove or move a field; rename). The draft
    /// is read and written in one transaction, so two people editing at once lose nothing.
    pub async fn edit_custom_form<F>(&self, actor: &Actor, id: Uuid, what: &'static str, edit: F) -> Result<(), StoreError>
    where
        F: FnOnce(&mut FormDef) -> Result<(), Invalid> + Send,
    {
        allowed(actor)?;
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT org_id, draft FROM custom_forms WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if row.uuid("org_id")? != actor.org_id {
            return Err(StoreError::NotFound);
        }
        let mut draft: FormDef = serde_json::from_str(&row.text("draft")?).map_err(corrupt)?;
        edit(&mut draft).map_err(StoreError::Invalid)?;
        sqlx::query("UPDATE custom_forms SET draft = $1, updated_at = $2 WHERE id = $3")
            .bind(json_of(&draft)?)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let entry = Entry {
            action: "custom_form.edit",
            record_type: "custom_form",
            record_id: Some(id.to_string()),
            detail: json!({"edit": what}),
        };
        audit::append(&mut tx, actor.into(), entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publish the draft as the next version: from now on it is what the form asks. Versions
    /// already published are never changed. Returns the version's number.
    pub async fn publish_custom_form(&self, actor: &Actor, id: Uuid) -> Result<u32, StoreError> {
        allowed(actor)?;
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT org_id, draft, current_version, target FROM custom_forms WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if row.uuid("org_id")? != actor.org_id {
            return Err(StoreError::NotFound);
        }
        let draft: FormDef = serde_json::from_str(&row.text("draft")?).map_err(corrupt)?;
        draft.check_publishable().map_err(StoreError::Invalid)?;
        // Files are kept with a case: a form on a record cannot ask for one.
        if draft.asks_for_files() && row.text("target")? != FormTarget::Case.code() {
            return Err(StoreError::invalid("fields", "err-form-file-case-only"));
        }
        let number = row.int("current_version")? + 1;
        let now = now_text();
        sqlx::query(
            "INSERT INTO custom_form_versions (id, form_id, number, definition, published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id().to_string())
        .bind(id.to_string())
        .bind(number)
        .bind(json_of(&draft)?)
        .bind(actor.user_id.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE custom_forms SET current_version = $1, updated_at = $2 WHERE id = $3")
            .bind(number)
            .bind(&now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let entry = Entry {
            action: "custom_form.publish",
            record_type: "custom_form",
            record_id: Some(id.to_string()),
            detail: json!({"version": number, "fields": draft.fields.len()}),
        };
        audit::append(&mut tx, actor.into(), entry).await?;
        tx.commit().await?;
        u32::try_from(number).map_err(corrupt)
    }

    /// Retire a form (or bring it back): a retired form is not offered; its answers stay.
    pub async fn set_custom_form_active(&self, actor: &Actor, id: Uuid, active: bool) -> Result<(), StoreError> {
        allowed(actor)?;
        self.custom_form(actor, id).await?;
        self.set_form_switch(actor, id, Switch::Active, active).await
    }

    /// Turn one of a form's switches on or off, audited (`custom_form.<switch>`).
    pub(crate) async fn set_form_switch(&self, actor: &Actor, id: Uuid, switch: Switch, on: bool) -> Result<(), StoreError> {
        let (column, action) = match switch {
            Switch::Active => ("active", "custom_form.active"),
            Switch::Shared => ("shared", "custom_form.share"),
            Switch::Registration => ("in_registration", "custom_form.registration"),
        };
        let mut tx = self.write().await?;
        if matches!(switch, Switch::Registration) && on {
            // One form of a kind joins the registration form: the one asked before leaves it.
            sqlx::query(
                "UPDATE custom_forms SET in_registration = 0 WHERE org_id = $1 AND id <> $2 \
                 AND target = (SELECT target FROM custom_forms WHERE id = $2)",
            )
            .bind(actor.org_id.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE custom_forms SET {column} = $1, updated_at = $2 WHERE id = $3 AND org_id = $4")))
            .bind(i64::from(on))
            .bind(now_text())
            .bind(id.to_string())
            .bind(actor.org_id.to_string())
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::Value::Object([(column.to_string(), serde_json::Value::Bool(on))].into_iter().collect());
        let entry = Entry { action, record_type: "custom_form", record_id: Some(id.to_string()), detail };
        audit::append(&mut tx, actor.into(), entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ask a child form's questions on the registration form (a household form's on the
    /// household's form), or stop.
    pub async fn set_custom_form_in_registration(&self, actor: &Actor, id: Uuid, on: bool) -> Result<(), StoreError> {
        allowed(actor)?;
        let form = self.custom_form(actor, id).await?;
        if on && !matches!(form.target, FormTarget::Child | FormTarget::Household) {
            return Err(StoreError::invalid("in_registration", "err-form-registration-target"));
        }
        self.set_form_switch(actor, id, Switch::Registration, on).await
    }

    /// The organisation's form asked on the registration form of `target` (the child's or the
    /// household's), if one is, published and in use.
    pub async fn registration_form(&self, org: Uuid, target: FormTarget) -> Result<Option<CustomForm>, StoreError> {
        Ok(self.custom_forms(org, true).await?.into_iter().find(|f| f.in_registration && f.target == target))
    }

    /// A form of the actor's organisation that can be filled in now on `target`: published (a
    /// form on another target is not found) and in use.
    pub(crate) async fn answerable_form(&self, actor: &Actor, form_id: Uuid, target: FormTarget) -> Result<CustomForm, StoreError> {
        let form = self.custom_form(actor, form_id).await?;
        if form.current.is_none() || form.current_version_id.is_none() || form.target != target {
            return Err(StoreError::NotFound);
        }
        if !form.active {
            return Err(StoreError::invalid("form", "err-form-retired"));
        }
        Ok(form)
    }

    /// Answer a form on a child's case: checked against the form's current version and kept
    /// with that version's words.
    pub async fn answer_custom_form(
        &self,
        actor: &Actor,
        child_id: Uuid,
        form_id: Uuid,
        answered_on: Option<&str>,
        raw: &BTreeMap<String, Vec<String>>,
    ) -> Result<Case, StoreError> {
        self.answer_custom_form_with(actor, child_id, form_id, answered_on, raw, &[]).await
    }

    /// `answer_custom_form` with files sent for its file questions: kept with the case's files,
    /// linked to the answer, in the same transaction (a file refused keeps nothing).
    pub async fn answer_custom_form_with(
        &self,
        actor: &Actor,
        child_id: Uuid,
        form_id: Uuid,
        answered_on: Option<&str>,
        raw: &BTreeMap<String, Vec<String>>,
        files: &[crate::custom_form_files::NewFile],
    ) -> Result<Case, StoreError> {
        let form = self.answerable_form(actor, form_id, FormTarget::Case).await?;
        let Some(def) = form.current.as_ref() else { return Err(StoreError::NotFound) };
        // Only files for the form's file questions, one each.
        let files: Vec<_> = files
            .iter()
            .filter(|f| def.field(&f.code).is_some_and(|q| q.kind == krousar_domain::forms::FieldKind::File))
            .cloned()
            .collect();
        let mut written = Vec::new();
        let mut owned = self.write().await?;
        let tx = &mut owned;
        let r = async {
            let (child, case) = open_case_for(tx, actor, child_id, Action::WorkCase).await?;
            refuse_if_closed(&case)?;
            if form.org_id != child.org_id {
                return Err(StoreError::NotFound);
            }
            // Checked once the case is known to be the actor's: what it may name (the child's
            // household, the case's files) is looked up only then, so no answer tells about
            // another's record.
            self.write_answer_files(tx, &files, &mut written).await?;
            let mut raw = raw.clone();
            for w in &written {
                raw.insert(w.code.clone(), vec![w.id.to_string()]);
            }
            let mut known = self.known(tx, def, &raw, FormTarget::Case, child_id).await?;
            known.files.extend(written.iter().map(|w| (w.id.to_string(), w.name.clone())));
            let (on, answers): (NaiveDate, _) = answers::validate(def, answered_on, &raw, actor.today(), &known)?;
            if on < case.opened_on {
                return Err(StoreError::invalid("answered_on", "err-before-case-opened"));
            }
            keep_case_answer(tx, actor, &form, &child, on, answers, Came::Typed(&written)).await
        }
        .await;
        let done = settle(self, owned, actor, child_id, "case.custom_form", r).await;
        if done.is_err() {
            crate::custom_form_files::forget(self, &written).await;
        }
        done
    }
}

impl Store {
    /// The villages named in answers (8-digit codes), looked up in the gazetteer with their
    /// paths in Khmer and in Latin letters; a code it does not hold is left out (not a place).
    pub async fn answer_places(&self, codes: &[&str]) -> Result<answers::Places, StoreError> {
        let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        Ok(self.location_paths(&codes).await?.into_iter().map(|p| (p.code.clone(), (p.label(true), p.label(false)))).collect())
    }

    /// What answers on a record may name: the villages given to its place questions, and the
    /// members of the record's household (the child's households, for a case or a child form;
    /// the carer's own household for a carer). In the caller's transaction, after its check.
    pub(crate) async fn known(
        &self,
        tx: &mut crate::db::Tx,
        def: &FormDef,
        raw: &BTreeMap<String, Vec<String>>,
        target: FormTarget,
        id: Uuid,
    ) -> Result<answers::Known, StoreError> {
        let places = self.answer_places(&answers::place_codes(def, raw)).await?;
        let people = if def.questions().any(|f| f.kind == krousar_domain::forms::FieldKind::Person) {
            people_in(tx, target, id).await?
        } else {
            answers::People::new()
        };
        // The case's files (one already kept may be named again, as through the API).
        let mut files = BTreeMap::new();
        if target == FormTarget::Case && def.asks_for_files() {
            let rows =
                sqlx::query("SELECT id, file_name FROM attachments WHERE child_id = $1").bind(id.to_string()).fetch_all(&mut **tx).await?;
            for r in &rows {
                files.insert(r.text("id")?, r.text("file_name")?);
            }
        }
        Ok(answers::Known { places, people, files })
    }
}

impl Store {
    /// The people a person question on this record may name, for a reader who may answer on
    /// it (work on the case, change the record) in its organisation; nobody for anyone else:
    /// who lives in a household is told only to those who keep the record.
    pub async fn record_people(&self, actor: &Actor, target: FormTarget, id: Uuid) -> Result<answers::People, StoreError> {
        let mut tx = self.pool.begin().await?;
        let allowed = match target {
            FormTarget::Case => crate::cases::open_case_for(&mut tx, actor, id, Action::WorkCase).await.map(|(c, _)| c.org_id),
            _ => {
                let holder = crate::custom_form_records::Holder::on(target, id).ok_or(StoreError::NotFound)?;
                crate::custom_form_records::writable(&mut tx, actor, holder).await
            }
        };
        let people = match allowed {
            Ok(org) if org == actor.org_id => people_in(&mut tx, target, id).await?,
            Ok(_) | Err(StoreError::Forbidden | StoreError::NotFound) => answers::People::new(),
            Err(e) => return Err(e),
        };
        tx.rollback().await?;
        Ok(people)
    }
}

/// The members of the record's household: of each of the child's households for a case or a
/// child form, of the carer's own household for a carer, of the household itself.
async fn people_in(tx: &mut crate::db::Tx, target: FormTarget, id: Uuid) -> Result<answers::People, StoreError> {
    let households: Vec<Uuid> = match target {
        FormTarget::Case | FormTarget::Child => {
            // The child's households of its own organisation (a transfer moves the child, not
            // the households another organisation keeps).
            let rows = sqlx::query(
                "SELECT hc.household_id FROM household_children hc JOIN households h ON h.id = hc.household_id \
                 JOIN children c ON c.id = hc.child_id WHERE hc.child_id = $1 AND h.org_id = c.org_id ORDER BY hc.household_id",
            )
            .bind(id.to_string())
            .fetch_all(&mut **tx)
            .await?;
            rows.iter().map(|r| r.uuid("household_id")).collect::<Result<_, _>>()?
        }
        FormTarget::Household => vec![id],
        FormTarget::Carer => {
            let row = sqlx::query("SELECT household_id FROM carers WHERE id = $1").bind(id.to_string()).fetch_optional(&mut **tx).await?;
            row.map(|r| r.uuid("household_id")).transpose()?.into_iter().collect()
        }
    };
    let mut people = answers::People::new();
    for h in households {
        for m in crate::households::members(tx, h).await? {
            let key = answers::person_key(m.name_km.as_deref(), m.name_latin.as_deref());
            people.insert(key, answers::person_names(m.name_km.as_deref(), m.name_latin.as_deref()));
        }
    }
    Ok(people)
}
