//! The register of residential care institutions and the residence periods of children in them.

use crate::audit::{self, Entry};
use crate::children::{refuse, scope_sql, Page};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::choices::{RciRegistration, RciType};
use krousar_domain::policy::{decide, list_scope, Target};
use krousar_domain::rci::{overlaps, RciFields, ResidencePeriod};
use krousar_domain::rci_transition::TransitionStage;
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rci {
    pub id: Uuid,
    pub version: i64,
    #[serde(flatten)]
    pub fields: RciFields,
    pub created_at: String,
    pub transition_stage: TransitionStage,
    pub stage_since: Option<String>,
    /// The organisation that works with the institution on its transition (it and the ministry
    /// change the record).
    pub partner_org_id: Option<Uuid>,
    /// Children living there now, for whoever may count them (`Action::CountRciResidents`:
    /// the ministry and the partner organisation); hidden (`None`) for everyone else.
    pub residents: Option<i64>,
    /// Why `residents` is hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residents_hidden: Option<String>,
}

impl Rci {
    /// The record as `actor` reads it: the residents hidden unless the policy lets them count.
    fn read_by(mut self, actor: &Actor) -> Rci {
        if !may_count(actor, self.partner_org_id) {
            self.residents = None;
            self.residents_hidden = Some(krousar_domain::figures::HIDDEN_OTHER_ORGANISATIONS.to_string());
        }
        self
    }
}

/// May `actor` count the children in an institution with this partner? The one question every
/// count of an RCI's residents asks (record, list, filter, day, discharged).
pub(crate) fn may_count(actor: &Actor, partner_org: Option<Uuid>) -> bool {
    decide(actor, Action::CountRciResidents, Target::Rci { partner_org }).allowed()
}

/// An institution in a pick-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RciChoice {
    pub id: Uuid,
    pub name: String,
    pub province_code: Option<String>,
}

/// Which RCIs a list shows.
#[derive(Debug, Clone, Default)]
pub struct RciFilter<'a> {
    pub q: Option<&'a str>,
    pub province: Option<&'a str>,
    pub stage: Option<TransitionStage>,
    /// At least this many children living there now.
    pub min_children: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Residence {
    pub id: Uuid,
    pub child_id: Uuid,
    pub rci_id: Uuid,
    pub rci_name: String,
    #[serde(flatten)]
    pub period: ResidencePeriod,
}

impl Residence {
    /// What the stay is now, in a few characters: a form that shows the stay carries it, and
    /// `Store::update_residence_as_seen` refuses a correction if the stay changed since.
    pub fn seen(&self) -> String {
        stay_fingerprint(self.rci_id, &self.period)
    }
}

fn stay_fingerprint(rci: Uuid, p: &ResidencePeriod) -> String {
    use sha2::{Digest, Sha256};
    let left = p.left.map(|d| d.to_string()).unwrap_or_default();
    let text = format!("{rci}\n{}\n{left}\n{}", p.entered, p.reason_left.as_deref().unwrap_or(""));
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

const RESIDENTS: &str = "(SELECT COUNT(DISTINCT p.child_id) FROM residence_periods p WHERE p.rci_id = r.id AND p.left_on IS NULL)";
const COLUMNS: &str = "r.id, r.version, r.name, r.rci_type, r.village_code, r.capacity, r.registration_status, r.note, r.created_at, \
    r.transition_stage, r.stage_since, r.partner_org_id, (SELECT COUNT(DISTINCT p.child_id) FROM residence_periods p WHERE p.rci_id = r.id AND p.left_on IS NULL) AS residents";

fn rci_from(r: &AnyRow) -> Result<Rci, StoreError> {
    Ok(Rci {
        id: r.uuid("id")?,
        version: r.int("version")?,
        fields: RciFields {
            name: r.text("name")?,
            rci_type: RciType::parse(&r.text("rci_type")?).ok_or_else(|| StoreError::Corrupt("rci_type".into()))?,
            village_code: r.opt_text("village_code")?,
            capacity: r.opt_int("capacity")?,
            registration_status: RciRegistration::parse(&r.text("registration_status")?)
                .ok_or_else(|| StoreError::Corrupt("registration_status".into()))?,
            note: r.opt_text("note")?,
        },
        created_at: r.text("created_at")?,
        transition_stage: TransitionStage::parse(&r.text("transition_stage")?)
            .ok_or_else(|| StoreError::Corrupt("transition_stage".into()))?,
        stage_since: r.opt_text("stage_since")?,
        partner_org_id: r.opt_uuid("partner_org_id")?,
        residents: Some(r.int("residents")?),
        residents_hidden: None,
    })
}

/// The stays of a child other than `except`, none of which `p` may overlap (a child is in one
/// institution at a time).
async fn no_overlap(tx: &mut Tx, child: Uuid, except: Option<Uuid>, p: &ResidencePeriod) -> Result<(), StoreError> {
    let others = sqlx::query("SELECT id, entered, left_on FROM residence_periods WHERE child_id = $1")
        .bind(child.to_string())
        .fetch_all(&mut **tx)
        .await?;
    for o in others {
        if Some(o.uuid("id")?) == except {
            continue;
        }
        let other = ResidencePeriod { entered: o.date("entered")?, left: o.opt_date("left_on")?, reason_left: None };
        if overlaps(&other, p) {
            return Err(StoreError::invalid("entered", "err-overlapping-stay"));
        }
    }
    Ok(())
}

/// A partner must be an organisation that works with children (not the ministry itself).
async fn known_partner(tx: &mut Tx, org: Uuid) -> Result<(), StoreError> {
    let kind: Option<String> =
        sqlx::query_scalar("SELECT kind FROM organisations WHERE id = $1").bind(org.to_string()).fetch_optional(&mut **tx).await?;
    if kind.as_deref() != Some(krousar_domain::choices::OrgKind::Ngo.code()) {
        return Err(StoreError::invalid("partner_org_id", "err-invalid-choice"));
    }
    Ok(())
}

pub(crate) async fn known_rci(tx: &mut Tx, rci: Uuid) -> Result<(), StoreError> {
    let n = sqlx::query("SELECT COUNT(*) AS n FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_one(&mut **tx).await?.int("n")?;
    if n == 0 {
        return Err(StoreError::invalid("rci_id", "err-invalid-choice"));
    }
    Ok(())
}

impl Store {
    pub async fn create_rci(&self, actor: &Actor, f: RciFields) -> Result<Rci, StoreError> {
        if !decide(actor, Action::EditRci, Target::Nothing).allowed() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        crate::locations::known_village(&mut tx, "village_code", f.village_code.as_deref()).await?;
        let id = new_id();
        let now = now_text();
        sqlx::query(
            "INSERT INTO rcis (id, name, rci_type, village_code, province_code, district_code, capacity, registration_status, note, created_by, created_at, updated_at, partner_org_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id.to_string())
        .bind(&f.name)
        .bind(f.rci_type.code())
        .bind(f.village_code.clone())
        .bind(f.village_code.as_ref().map(|c| c[..2].to_string()))
        .bind(f.village_code.as_ref().map(|c| c[..4].to_string()))
        .bind(f.capacity)
        .bind(f.registration_status.code())
        .bind(f.note.clone())
        .bind(actor.user_id.to_string())
        .bind(&now)
        .bind(&now)
        // An organisation that registers an institution works with it; the ministry's register
        // names no partner until one is given.
        .bind(krousar_domain::policy::rci_partner_on_registration(actor).map(|o| o.to_string()))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "rci.create", record_type: "rci", record_id: Some(id.to_string()), detail: json!({"name": f.name}) },
        )
        .await?;
        audit::changed(&mut tx, None, "rci", id, 1).await?;
        tx.commit().await?;
        self.rci(actor, id).await
    }

    /// The RCI register is shared by everyone signed in (institutions, not children).
    /// May the actor change this institution (its record, transition, documents)? Asked of the
    /// policy with the institution's partner organisation; `NotFound` for an unknown one.
    pub async fn may_edit_rci(&self, actor: &Actor, id: Uuid) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT partner_org_id FROM rcis WHERE id = $1").bind(id.to_string()).fetch_optional(&self.pool).await?;
        let partner_org = row.ok_or(StoreError::NotFound)?.opt_uuid("partner_org_id")?;
        Ok(decide(actor, Action::EditRci, Target::Rci { partner_org }).allowed())
    }

    /// One institution of the shared register, as `actor` reads it (`Rci::read_by`).
    pub async fn rci(&self, actor: &Actor, id: Uuid) -> Result<Rci, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM rcis r WHERE r.id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&self.pool).await?;
        Ok(r.as_ref().map(rci_from).transpose()?.ok_or(StoreError::NotFound)?.read_by(actor))
    }

    /// Every RCI's id and name, by name, for a pick-list: no residents counted (a record page
    /// that counted them for 400 RCIs spent 100 ms on it).
    /// Every institution for a pick-list, by name (pages group them by province).
    pub async fn rci_choices(&self) -> Result<Vec<RciChoice>, StoreError> {
        let rows = sqlx::query("SELECT id, name, province_code FROM rcis ORDER BY name LIMIT 5000").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(RciChoice { id: r.uuid("id")?, name: r.text("name")?, province_code: r.opt_text("province_code")? }))
            .collect()
    }

    /// The register, filtered. `min_children` looks only at the institutions whose residents the
    /// actor may count (the others' counts are hidden, so no filter may test them either).
    pub async fn list_rcis(&self, actor: &Actor, f: &RciFilter<'_>, cursor: Option<Uuid>, limit: i64) -> Result<Page<Rci>, StoreError> {
        let limit = limit.clamp(1, 500);
        let q_text = f.q;
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM rcis r WHERE 1 = 1"));
        if let Some(p) = f.province.filter(|p| p.len() == 2) {
            q.push(" AND r.province_code = ").bind_text(p);
        }
        if let Some(s) = f.stage {
            q.push(" AND r.transition_stage = ").bind_text(s.code());
        }
        if let Some(n) = f.min_children.filter(|n| *n > 0) {
            if !may_count(actor, None) {
                // Not national: only the institutions its organisation works with are counted.
                q.push(" AND r.partner_org_id = ").bind_text(actor.org_id.to_string());
            }
            q.push(&format!(" AND {RESIDENTS} >= ")).bind_int(n);
        }
        if let Some(text) = q_text.map(str::trim).filter(|t| !t.is_empty()) {
            q.push(" AND lower(r.name) LIKE ").bind_text(format!("%{}%", text.to_lowercase().replace(['%', '_', '\\'], "")));
        }
        if let Some(c) = cursor {
            q.push(" AND r.id < ").bind_text(c.to_string());
        }
        q.push(" ORDER BY r.id DESC").limit(limit + 1);
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut items = rows.iter().map(|r| Ok(rci_from(r)?.read_by(actor))).collect::<Result<Vec<_>, StoreError>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// Change an institution's record (the API's edit; the same rules as registering it): its
    /// partner organisation's supervisors and managers, or the ministry (`Action::EditRci`).
    /// `partner`: `Some` names the organisation that works with it (or none), which only the
    /// ministry may change (`Action::NameRciPartner`); `None` keeps it.
    /// `expected_version` is the version the caller read: a stale one changes nothing.
    pub async fn update_rci(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        f: RciFields,
        partner: Option<Option<Uuid>>,
    ) -> Result<Rci, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT partner_org_id, version FROM rcis WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        // The register is shared by everyone signed in: refusing says nothing it does not.
        if !decide(actor, Action::EditRci, Target::Rci { partner_org: row.opt_uuid("partner_org_id")? }).allowed() {
            return Err(StoreError::Forbidden);
        }
        let version = row.int("version")?;
        if version != expected_version {
            return Err(StoreError::Conflict { current: version });
        }
        crate::locations::known_village(&mut tx, "village_code", f.village_code.as_deref()).await?;
        let was = row.opt_uuid("partner_org_id")?;
        let partner_org = match partner {
            Some(p) if p != was => {
                if !decide(actor, Action::NameRciPartner, Target::Nothing).allowed() {
                    return Err(StoreError::Forbidden);
                }
                if let Some(org) = p {
                    known_partner(&mut tx, org).await?;
                }
                p
            }
            _ => was,
        };
        sqlx::query(
            "UPDATE rcis SET name = $1, rci_type = $2, village_code = $3, province_code = $4, district_code = $5, capacity = $6, \
             registration_status = $7, note = $8, updated_at = $9, partner_org_id = $11, version = version + 1 WHERE id = $10",
        )
        .bind(&f.name)
        .bind(f.rci_type.code())
        .bind(f.village_code.clone())
        .bind(f.village_code.as_ref().map(|c| c[..2].to_string()))
        .bind(f.village_code.as_ref().map(|c| c[..4].to_string()))
        .bind(f.capacity)
        .bind(f.registration_status.code())
        .bind(f.note.clone())
        .bind(now_text())
        .bind(id.to_string())
        .bind(partner_org.map(|o| o.to_string()))
        .execute(&mut *tx)
        .await?;
        let detail = json!({"name": f.name, "rci_type": f.rci_type.code(), "village_code": f.village_code, "capacity": f.capacity,
            "registration_status": f.registration_status.code(), "partner_org_id": partner_org, "version": version + 1});
        audit::append(&mut tx, actor.into(), Entry { action: "rci.update", record_type: "rci", record_id: Some(id.to_string()), detail })
            .await?;
        audit::changed(&mut tx, None, "rci", id, version + 1).await?;
        tx.commit().await?;
        self.rci(actor, id).await
    }

    /// Record a stay of a child in an RCI. Stays of one child may not overlap.
    pub async fn add_residence(&self, actor: &Actor, child: Uuid, rci: Uuid, p: ResidencePeriod) -> Result<Residence, StoreError> {
        let mut tx = self.write().await?;
        let c = crate::children::load(&mut tx, child).await?;
        if !decide(actor, Action::EditChild, Target::Record(&c.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "residence.add", "child", child).await);
        }
        known_rci(&mut tx, rci).await?;
        no_overlap(&mut tx, child, None, &p).await?;
        let id = new_id();
        sqlx::query("INSERT INTO residence_periods (id, child_id, rci_id, entered, left_on, reason_left, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id.to_string())
            .bind(child.to_string())
            .bind(rci.to_string())
            .bind(p.entered.to_string())
            .bind(p.left.map(|d| d.to_string()))
            .bind(p.reason_left.clone())
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "residence.add",
                record_type: "child",
                record_id: Some(child.to_string()),
                detail: json!({"stay": id, "rci": rci, "entered": p.entered, "left": p.left}),
            },
        )
        .await?;
        // A stay that has not ended says where she lives now (issue 21).
        crate::living::follow(&mut tx, actor.into(), child).await?;
        tx.commit().await?;
        self.residence(child, id).await
    }

    /// Correct a recorded stay — its institution or dates, or that she left — with the rules of
    /// adding one (the child's workers; real institution; no overlap with her other stays);
    /// the record follows the stays (issue 21). A stay of another child is not found.
    pub async fn update_residence(
        &self,
        actor: &Actor,
        child: Uuid,
        stay: Uuid,
        rci: Uuid,
        p: ResidencePeriod,
    ) -> Result<Residence, StoreError> {
        self.correct_residence(actor, child, stay, None, rci, p).await
    }

    /// `update_residence` for a form that showed the stay: `seen` is the stay's
    /// `Residence::seen` when the form was opened, and a stay changed since is refused
    /// (`Conflict`; stays carry no version number, so `current` is 0) with nothing written —
    /// two workers correcting one stay do not silently undo each other.
    pub async fn update_residence_as_seen(
        &self,
        actor: &Actor,
        child: Uuid,
        stay: Uuid,
        seen: &str,
        rci: Uuid,
        p: ResidencePeriod,
    ) -> Result<Residence, StoreError> {
        self.correct_residence(actor, child, stay, Some(seen), rci, p).await
    }

    async fn correct_residence(
        &self,
        actor: &Actor,
        child: Uuid,
        stay: Uuid,
        seen: Option<&str>,
        rci: Uuid,
        p: ResidencePeriod,
    ) -> Result<Residence, StoreError> {
        let mut tx = self.write().await?;
        let c = crate::children::load(&mut tx, child).await?;
        if !decide(actor, Action::EditChild, Target::Record(&c.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "residence.update", "child", child).await);
        }
        let before = sqlx::query("SELECT rci_id, entered, left_on, reason_left FROM residence_periods WHERE id = $1 AND child_id = $2")
            .bind(stay.to_string())
            .bind(child.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if let Some(seen) = seen {
            let period = ResidencePeriod {
                entered: before.date("entered")?,
                left: before.opt_date("left_on")?,
                reason_left: before.opt_text("reason_left")?,
            };
            if stay_fingerprint(before.uuid("rci_id")?, &period) != seen {
                return Err(StoreError::Conflict { current: 0 });
            }
        }
        known_rci(&mut tx, rci).await?;
        no_overlap(&mut tx, child, Some(stay), &p).await?;
        sqlx::query("UPDATE residence_periods SET rci_id = $1, entered = $2, left_on = $3, reason_left = $4 WHERE id = $5")
            .bind(rci.to_string())
            .bind(p.entered.to_string())
            .bind(p.left.map(|d| d.to_string()))
            .bind(p.reason_left.clone())
            .bind(stay.to_string())
            .execute(&mut *tx)
            .await?;
        let was = json!({"rci": before.uuid("rci_id")?, "entered": before.text("entered")?, "left": before.opt_text("left_on")?});
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "residence.update",
                record_type: "child",
                record_id: Some(child.to_string()),
                detail: json!({"stay": stay, "rci": rci, "entered": p.entered, "left": p.left, "was": was}),
            },
        )
        .await?;
        crate::living::follow(&mut tx, actor.into(), child).await?;
        tx.commit().await?;
        self.residence(child, stay).await
    }

    async fn residence(&self, child: Uuid, stay: Uuid) -> Result<Residence, StoreError> {
        self.residences_of_child(child).await?.into_iter().find(|r| r.id == stay).ok_or(StoreError::NotFound)
    }

    /// A child's stays as `actor` may read them: the case's own people (full disclosure) read
    /// them; whoever else may open the record (a referral's receiver, a transfer's sender)
    /// reads it as the policy cut it, without them (`None`: withheld). `child` was read with
    /// `view_child` (which refused anyone who may not open it).
    pub async fn stays_as_read_by(&self, actor: &Actor, child: &crate::children::Child) -> Result<Option<Vec<Residence>>, StoreError> {
        let full = krousar_domain::policy::disclosure(actor, &child.owner(actor)).is_some_and(|d| d.is_full());
        if !full {
            return Ok(None);
        }
        self.residences_of_child(child.id).await.map(Some)
    }

    /// Stays of one child (the caller has already been allowed to view the child).
    pub async fn residences_of_child(&self, child: Uuid) -> Result<Vec<Residence>, StoreError> {
        let rows = sqlx::query("SELECT p.id, p.child_id, p.rci_id, r.name AS rci_name, p.entered, p.left_on, p.reason_left FROM residence_periods p JOIN rcis r ON r.id = p.rci_id WHERE p.child_id = $1 ORDER BY p.entered DESC")
            .bind(child.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Residence {
                    id: r.uuid("id")?,
                    child_id: r.uuid("child_id")?,
                    rci_id: r.uuid("rci_id")?,
                    rci_name: r.text("rci_name")?,
                    period: ResidencePeriod {
                        entered: r.date("entered")?,
                        left: r.opt_date("left_on")?,
                        reason_left: r.opt_text("reason_left")?,
                    },
                })
            })
            .collect()
    }

    /// How many children lived in the RCI on `day`, for whoever may count them (`None`: hidden).
    /// Asked day after day, the count would tell when a child came or left.
    pub async fn residents_on(&self, actor: &Actor, rci: Uuid, day: NaiveDate) -> Result<Option<i64>, StoreError> {
        let partner = sqlx::query("SELECT partner_org_id FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_optional(&self.pool).await?;
        if !may_count(actor, partner.ok_or(StoreError::NotFound)?.opt_uuid("partner_org_id")?) {
            return Ok(None);
        }
        self.count_residents_on(rci, day).await.map(Some)
    }

    /// The count itself, for `krousar check`.
    pub(crate) async fn count_residents_on(&self, rci: Uuid, day: NaiveDate) -> Result<i64, StoreError> {
        let d = day.to_string();
        sqlx::query("SELECT COUNT(DISTINCT child_id) AS n FROM residence_periods WHERE rci_id = $1 AND entered <= $2 AND (left_on IS NULL OR left_on > $2)")
            .bind(rci.to_string())
            .bind(&d)
            .fetch_one(&self.pool)
            .await?
            .int("n")
    }

    /// Residents on `day` that the actor may open (for the RCI page's list).
    pub async fn visible_residents_on(&self, actor: &Actor, rci: Uuid, day: NaiveDate) -> Result<Vec<(Uuid, String, String)>, StoreError> {
        let mut q = Sql::new(
            "SELECT c.id, c.case_number, c.given_name_km, c.family_name_km, c.given_name_latin, c.family_name_latin \
             FROM residence_periods p JOIN children c ON c.id = p.child_id WHERE p.rci_id = ",
        );
        q.bind_text(rci.to_string())
            .push(" AND p.entered <= ")
            .bind_text(day.to_string())
            .push(" AND (p.left_on IS NULL OR p.left_on > ")
            .bind_text(day.to_string())
            .push(")");
        if scope_sql(&mut q, list_scope(actor, Action::ListChildren), "c").is_err() {
            return Ok(Vec::new());
        }
        q.push(" ORDER BY c.case_number LIMIT 500");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let name = crate::children::row_name(r)?;
                Ok((r.uuid("id")?, r.text("case_number")?, name))
            })
            .collect()
    }
}
