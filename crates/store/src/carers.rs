//! The register of foster and kinship carers: recruitment campaigns, carer households and the
//! steps of their pipeline (checked by `krousar_domain::carer`), and the carers a child may be
//! matched with. A carer is also a household, so a child placed with it is an ordinary case
//! placement (`cases.placement_household_id`), and the placement rules are checked there.

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::carer::steps::CarerFields;
use krousar_domain::carer::{CarerFacts, CarerKind, CarerStage, Step};
use krousar_domain::choices::{IdPoor, IncomeBand};
use krousar_domain::household::HouseholdFields;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Carer {
    pub id: Uuid,
    pub household_id: Uuid,
    pub name: String,
    pub kind: CarerKind,
    pub phone: Option<String>,
    pub village_code: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub source: Option<String>,
    pub worker_id: Uuid,
    pub worker_name: String,
    pub languages: Vec<String>,
    pub disability_skills: bool,
    pub note: Option<String>,
    pub facts: CarerFacts,
    pub stage: CarerStage,
    pub next_due_on: Option<NaiveDate>,
    pub next_due_what: Option<&'static str>,
    pub overdue: bool,
    /// Children placed with the household now.
    pub placed: u32,
    /// Room left under the approval.
    pub room: u32,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarerEntry {
    pub kind: String,
    pub on: String,
    pub body: serde_json::Value,
    pub recorded_by: String,
}

const COLUMNS: &str = "k.id, k.household_id, k.name, k.kind, k.phone, k.village_code, k.campaign_id, k.source, k.worker_id, \
    u.display_name AS worker_name, k.languages, k.disability_skills, k.note, k.facts, k.version, \
    (SELECT COUNT(*) FROM cases c WHERE c.placement_household_id = k.household_id AND c.closed_on IS NULL) AS placed";

fn carer_from(r: &sqlx::any::AnyRow, today: NaiveDate) -> Result<Carer, StoreError> {
    let facts: CarerFacts = serde_json::from_str(&r.text("facts")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let placed = r.int("placed")? as u32;
    let due = facts.next_due();
    Ok(Carer {
        id: r.uuid("id")?,
        household_id: r.uuid("household_id")?,
        name: r.text("name")?,
        kind: CarerKind::parse(&r.text("kind")?).ok_or_else(|| StoreError::Corrupt("carer kind".into()))?,
        phone: r.opt_text("phone")?,
        village_code: r.opt_text("village_code")?,
        campaign_id: r.opt_uuid("campaign_id")?,
        source: r.opt_text("source")?,
        worker_id: r.uuid("worker_id")?,
        worker_name: r.opt_text("worker_name")?.unwrap_or_default(),
        languages: r.text("languages")?.split(',').filter(|l| !l.is_empty()).map(str::to_string).collect(),
        disability_skills: r.int("disability_skills")? != 0,
        note: r.opt_text("note")?,
        stage: facts.stage(today),
        next_due_on: due.map(|d| d.0),
        next_due_what: due.map(|d| d.1),
        overdue: due.is_some_and(|d| d.0 < today),
        placed,
        room: facts.approval.as_ref().map(|a| a.max_children.saturating_sub(placed)).unwrap_or(0),
        facts,
        version: r.int("version")?,
    })
}

impl Carer {
    /// The carer as matching sees it (approved carers only).
    pub fn offer(&self) -> Option<krousar_domain::carer::matching::CarerOffer> {
        let a = self.facts.approval.as_ref()?;
        Some(krousar_domain::carer::matching::CarerOffer {
            id: self.id,
            village: self.village_code.clone(),
            room: self.room,
            age_min: a.age_min,
            age_max: a.age_max,
            sex: a.sex,
            kinship: self.kind == CarerKind::Kinship,
            disability_skills: self.disability_skills,
            languages: self.languages.clone(),
        })
    }
}

pub(crate) fn allowed(actor: &Actor, action: Action) -> Result<(), StoreError> {
    if decide(actor, action, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

async fn load(tx: &mut Tx, id: Uuid, today: NaiveDate) -> Result<Carer, StoreError> {
    let sql = format!("SELECT {COLUMNS}, k.org_id FROM carers k LEFT JOIN users u ON u.id = k.worker_id WHERE k.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?;
    let _ = row.uuid("org_id")?;
    carer_from(&row, today)
}

async fn org_of(tx: &mut Tx, id: Uuid) -> Result<Uuid, StoreError> {
    sqlx::query("SELECT org_id FROM carers WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?
        .uuid("org_id")
}

pub(crate) async fn add_entry(
    tx: &mut Tx,
    carer: Uuid,
    kind: &str,
    on: NaiveDate,
    body: &serde_json::Value,
    actor: &Actor,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO carer_entries (id, carer_id, kind, on_date, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id().to_string())
    .bind(carer.to_string())
    .bind(kind)
    .bind(on.to_string())
    .bind(body.to_string())
    .bind(actor.user_id.to_string())
    .bind(now_text())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Register an enquiry: the carer household (also a household record) in the actor's
    /// organisation, followed up by the actor.
    pub async fn register_carer(&self, actor: &Actor, f: CarerFields) -> Result<Carer, StoreError> {
        let today = actor.today();
        allowed(actor, Action::EditCarer)?;
        let mut tx = self.write().await?;
        if let Some(c) = f.campaign_id {
            let org = sqlx::query("SELECT org_id FROM carer_campaigns WHERE id = $1").bind(c.to_string()).fetch_optional(&mut *tx).await?;
            if org.map(|r| r.uuid("org_id")).transpose()? != Some(actor.org_id) {
                return Err(StoreError::invalid("campaign_id", "err-invalid-choice"));
            }
        }
        let household = HouseholdFields {
            name: f.name.clone(),
            phone: f.phone.clone(),
            village_code: f.village_code.clone(),
            address_detail: None,
            income_band: IncomeBand::Unknown,
            id_poor: IdPoor::Unknown,
            id_poor_number: None,
            members: Vec::new(),
        };
        crate::households::check_village(&mut tx, &household).await?;
        let household_id = crate::households::insert_household(&mut tx, self.backend, actor, &household).await?;
        let id = new_id();
        let now = now_text();
        let facts = CarerFacts::new(f.kind, f.enquired_on);
        sqlx::query(
            "INSERT INTO carers (id, org_id, household_id, name, kind, phone, village_code, province_code, campaign_id, source, worker_id, \
             languages, disability_skills, note, facts, next_due_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(household_id.to_string())
        .bind(&f.name)
        .bind(f.kind.code())
        .bind(f.phone.clone())
        .bind(f.village_code.clone())
        .bind(f.village_code.as_ref().map(|v| v[..2].to_string()))
        .bind(f.campaign_id.map(|c| c.to_string()))
        .bind(f.source.clone())
        .bind(actor.user_id.to_string())
        .bind(f.languages.join(","))
        .bind(f.disability_skills as i64)
        .bind(f.note.clone())
        .bind(serde_json::to_string(&facts).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(facts.next_due().map(|d| d.0.to_string()))
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        add_entry(&mut tx, id, "enquiry", f.enquired_on, &json!({"source": f.source, "campaign": f.campaign_id}), actor).await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "carer.enquiry",
                record_type: "carer",
                record_id: Some(id.to_string()),
                detail: json!({"kind": f.kind.code()}),
            },
        )
        .await?;
        let carer = load(&mut tx, id, today).await?;
        tx.commit().await?;
        Ok(carer)
    }

    /// The organisation's carers, with their stage and what is due (newest first).
    pub async fn carers(&self, actor: &Actor) -> Result<Vec<Carer>, StoreError> {
        let today = actor.today();
        allowed(actor, Action::ListCarers)?;
        let sql = format!(
            "SELECT {COLUMNS} FROM carers k LEFT JOIN users u ON u.id = k.worker_id WHERE k.org_id = $1 ORDER BY k.seq DESC LIMIT 2000"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(actor.org_id.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(|r| carer_from(r, today)).collect()
    }

    /// One carer and its history, oldest first.
    pub async fn carer(&self, actor: &Actor, id: Uuid) -> Result<(Carer, Vec<CarerEntry>), StoreError> {
        let today = actor.today();
        allowed(actor, Action::ListCarers)?;
        let mut tx = self.pool.begin().await?;
        if org_of(&mut tx, id).await? != actor.org_id {
            return Err(StoreError::NotFound);
        }
        let carer = load(&mut tx, id, today).await?;
        let rows = sqlx::query(
            "SELECT e.kind, e.on_date, e.body, u.display_name FROM carer_entries e LEFT JOIN users u ON u.id = e.recorded_by \
             WHERE e.carer_id = $1 ORDER BY e.on_date, e.recorded_at",
        )
        .bind(id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok(CarerEntry {
                    kind: r.text("kind")?,
                    on: r.text("on_date")?,
                    body: serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    recorded_by: r.opt_text("display_name")?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((carer, entries))
    }

    /// Record a step of the pipeline, if it is allowed after what came before; the panel's
    /// decision and a suspension or de-registration are a supervisor's or manager's.
    pub async fn record_carer_step(&self, actor: &Actor, id: Uuid, expected_version: i64, mut step: Step) -> Result<Carer, StoreError> {
        let today = actor.today();
        allowed(actor, if step.needs_supervisor() { Action::DecideCarer } else { Action::EditCarer })?;
        let mut tx = self.write().await?;
        if org_of(&mut tx, id).await? != actor.org_id {
            return Err(StoreError::NotFound);
        }
        let before = load(&mut tx, id, today).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { current: before.version });
        }
        // Training from the register: a session of this organisation that has taken place; the
        // course is the register's.
        if let Step::Training { session: Some(sid), on, course } = &mut step {
            let row = sqlx::query(
                "SELECT s.starts_on, c.title FROM training_sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = $1 AND s.org_id = $2",
            )
            .bind(sid.to_string())
            .bind(actor.org_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::invalid("session_id", "err-invalid-choice"))?;
            if row.text("starts_on")? > on.to_string() {
                return Err(StoreError::invalid("session_id", "err-session-not-held"));
            }
            *course = row.text("title")?;
        }
        before.facts.check(&step).map_err(|code| StoreError::invalid("kind", code))?;
        let mut facts = before.facts.clone();
        facts.apply(&step);
        sqlx::query(
            "UPDATE carers SET facts = $1, next_due_on = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(serde_json::to_string(&facts).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(facts.next_due().map(|d| d.0.to_string()))
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        let body = serde_json::to_value(&step).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        add_entry(&mut tx, id, step.kind().code(), step.date(), &body, actor).await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "carer.step",
                record_type: "carer",
                record_id: Some(id.to_string()),
                detail: json!({"step": step.kind().code(), "stage": facts.stage(today).code()}),
            },
        )
        .await?;
        let carer = load(&mut tx, id, today).await?;
        tx.commit().await?;
        Ok(carer)
    }

    /// Give the carer household to another worker of the organisation (a supervisor's or
    /// manager's decision): the worker responsible for its next steps.
    pub async fn assign_carer_worker(&self, actor: &Actor, id: Uuid, worker: Uuid) -> Result<(), StoreError> {
        allowed(actor, Action::DecideCarer)?;
        let mut tx = self.write().await?;
        if org_of(&mut tx, id).await? != actor.org_id {
            return Err(StoreError::NotFound);
        }
        let row =
            sqlx::query("SELECT org_id, role, disabled FROM users WHERE id = $1").bind(worker.to_string()).fetch_optional(&mut *tx).await?;
        let ok = match row {
            Some(r) => {
                r.uuid("org_id")? == actor.org_id
                    && r.int("disabled")? == 0
                    && krousar_domain::Role::parse(&r.text("role")?).is_some_and(|role| role.has_caseload())
            }
            None => false,
        };
        if !ok {
            return Err(StoreError::invalid("worker", "err-invalid-choice"));
        }
        sqlx::query("UPDATE carers SET worker_id = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(worker.to_string())
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "carer.assign", record_type: "carer", record_id: Some(id.to_string()), detail: json!({"worker": worker}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Approved carers of the actor's organisation available today with room left: whom a
    /// child may be matched with.
    pub async fn available_carers(&self, actor: &Actor) -> Result<Vec<Carer>, StoreError> {
        let _today = actor.today();
        Ok(self.carers(actor).await?.into_iter().filter(|c| c.stage == CarerStage::Available).collect())
    }
}

/// Called by a case placement inside its transaction: when the household is a carer's, the
/// carer must be approved, available on the start date, have room, and be approved for the
/// child's age and sex; the placement then appears on the carer's history. `decision` is the
/// worker's reason for choosing this carer (from the matching page).
pub(crate) async fn check_placement(
    tx: &mut Tx,
    child: &crate::children::Child,
    household: Uuid,
    started_on: NaiveDate,
    kind: &str,
    decision: Option<&str>,
    actor: &Actor,
) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT id FROM carers WHERE household_id = $1").bind(household.to_string()).fetch_optional(&mut **tx).await?;
    let Some(row) = row else { return Ok(()) };
    let carer = load(tx, row.uuid("id")?, started_on).await?;
    let age = child.fields.birth_date_for_age().map(|b| krousar_domain::age::age_on(b, started_on));
    let female = child.fields.sex == krousar_domain::choices::Sex::Female;
    krousar_domain::carer::may_place(&carer.facts, carer.placed, age, female, started_on)
        .map_err(|code| StoreError::invalid("household_id", code))?;
    add_entry(tx, carer.id, "placement", started_on, &json!({"child": child.id, "placement": kind, "decision": decision}), actor).await
}
