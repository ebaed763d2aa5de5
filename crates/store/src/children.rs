//! Children: registration, reading (audited), editing with optimistic locking, and assignment
//! (lists and name search: `children_list`). Every operation asks the one policy.

use crate::audit::{self, Entry};
use crate::custom_form_records::{keep_extra, Extra, Holder};
use crate::db::{now_text, Backend, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::search_index::{self, Index};
use krousar_domain::child::ChildFields;
use krousar_domain::choices::{BirthRegistration, Disability, IdPoor, LivingArrangement, Protection, Sex};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor, RecordOwner};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Child {
    pub id: Uuid,
    /// Registration order (internal): the key of list pages and of the search index.
    #[serde(skip)]
    pub seq: i64,
    pub version: i64,
    pub org_id: Uuid,
    pub case_number: String,
    pub assigned_worker_id: Option<Uuid>,
    pub assigned_worker_name: Option<String>,
    pub co_worker_id: Option<Uuid>,
    pub co_worker_name: Option<String>,
    /// Set when this record was merged into another (it is kept, and lists leave it out).
    pub merged_into: Option<Uuid>,
    /// How other organisations may read this record: accepted referrals and transfers (read
    /// by `load` only; lists hold the actor's own organisation's records and do not need it).
    #[serde(skip)]
    pub grants: Vec<crate::disclosure::Grant>,
    /// Fields this reader may not read, cut from the record (`disclosure::cut_child`): a page
    /// shows them as not shared, never as empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<&'static str>,
    #[serde(skip)]
    pub team_id: Option<Uuid>,
    #[serde(flatten)]
    pub fields: ChildFields,
    pub created_at: String,
    pub updated_at: String,
}

impl Child {
    pub fn owner(&self, actor: &Actor) -> RecordOwner {
        RecordOwner {
            org_id: self.org_id,
            assigned_worker: self.assigned_worker_id,
            co_worker: self.co_worker_id,
            team_id: self.team_id,
            outside: crate::disclosure::outside_for(&self.grants, actor),
        }
    }

    pub fn display_name(&self, khmer: bool) -> String {
        display_name(
            &self.fields.family_name_km,
            &self.fields.given_name_km,
            &self.fields.family_name_latin,
            &self.fields.given_name_latin,
            khmer,
        )
    }
}

/// "Family Given" (Khmer order) in the preferred script, falling back to the other.
/// The Latin-script name of a child from a row holding the four name columns (lists that show
/// a child without loading the whole record).
pub(crate) fn row_name(r: &sqlx::any::AnyRow) -> Result<String, StoreError> {
    let (fkm, gkm, fl, gl) =
        (r.opt_text("family_name_km")?, r.opt_text("given_name_km")?, r.opt_text("family_name_latin")?, r.opt_text("given_name_latin")?);
    Ok(display_name(&fkm, &gkm, &fl, &gl, false))
}

pub fn display_name(fkm: &Option<String>, gkm: &Option<String>, fl: &Option<String>, gl: &Option<String>, khmer: bool) -> String {
    let join = |f: &Option<String>, g: &Option<String>| [f.as_deref(), g.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let (km, latin) = (join(fkm, gkm), join(fl, gl));
    match (khmer, km.is_empty(), latin.is_empty()) {
        (true, false, _) | (false, false, true) => km,
        _ => latin,
    }
}

pub(crate) const COLUMNS: &str = "c.seq, c.id, c.version, c.org_id, c.case_number, c.assigned_worker_id, u.display_name AS worker_name, c.co_worker_id, u2.display_name AS co_worker_name, c.merged_into, c.team_id, \
    c.given_name_km, c.family_name_km, c.given_name_latin, c.family_name_latin, c.nickname, c.sex, c.date_of_birth, \
    c.estimated_birth_year, c.birth_registration, c.birth_certificate_number, c.id_poor, c.disability, \
    c.protection, c.protection_note, c.village_code, c.living_arrangement, c.rci_id, c.created_at, c.updated_at";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(crate) fn child_from(r: &AnyRow) -> Result<Child, StoreError> {
    let fields = ChildFields {
        given_name_km: r.opt_text("given_name_km")?,
        family_name_km: r.opt_text("family_name_km")?,
        given_name_latin: r.opt_text("given_name_latin")?,
        family_name_latin: r.opt_text("family_name_latin")?,
        nickname: r.opt_text("nickname")?,
        sex: Sex::parse(&r.text("sex")?).ok_or_else(|| corrupt("sex"))?,
        date_of_birth: r.opt_date("date_of_birth")?,
        estimated_birth_year: r.opt_int("estimated_birth_year")?.map(|y| y as i32),
        birth_registration: BirthRegistration::parse(&r.text("birth_registration")?).ok_or_else(|| corrupt("birth_registration"))?,
        birth_certificate_number: r.opt_text("birth_certificate_number")?,
        id_poor: IdPoor::parse(&r.text("id_poor")?).ok_or_else(|| corrupt("id_poor"))?,
        disability: Disability::parse(&r.text("disability")?).ok_or_else(|| corrupt("disability"))?,
        protection: r.text("protection")?.split(',').filter_map(Protection::parse).collect(),
        protection_note: r.opt_text("protection_note")?,
        village_code: r.opt_text("village_code")?,
        living_arrangement: LivingArrangement::parse(&r.text("living_arrangement")?).ok_or_else(|| corrupt("living_arrangement"))?,
        rci_id: r.opt_uuid("rci_id")?,
    };
    Ok(Child {
        seq: r.int("seq")?,
        id: r.uuid("id")?,
        version: r.int("version")?,
        org_id: r.uuid("org_id")?,
        case_number: r.text("case_number")?,
        assigned_worker_id: r.opt_uuid("assigned_worker_id")?,
        assigned_worker_name: r.opt_text("worker_name")?,
        co_worker_id: r.opt_uuid("co_worker_id")?,
        co_worker_name: r.opt_text("co_worker_name")?,
        merged_into: r.opt_uuid("merged_into")?,
        grants: Vec::new(),
        withheld: Vec::new(),
        team_id: r.opt_uuid("team_id")?,
        fields,
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
    })
}

pub(crate) fn search_keys(f: &ChildFields) -> String {
    let names = [&f.family_name_km, &f.given_name_km, &f.family_name_latin, &f.given_name_latin, &f.nickname];
    krousar_match::name_keys(names.into_iter().flatten().map(String::as_str))
}

/// The place columns derived from a village code, for filters that use an index.
fn place_prefixes(village: &Option<String>) -> [Option<String>; 3] {
    let cut = |n: usize| village.as_ref().filter(|v| v.len() >= n).map(|v| v[..n].to_string());
    [cut(6), cut(4), cut(2)]
}

/// Checks that need the database: the village and the RCI exist.
async fn check_references(tx: &mut Tx, f: &ChildFields) -> Result<(), StoreError> {
    crate::locations::known_village(tx, "village_code", f.village_code.as_deref()).await?;
    if let Some(rci) = f.rci_id {
        crate::rcis::known_rci(tx, rci).await?;
    }
    Ok(())
}

fn bind_fields<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    f: &ChildFields,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let [commune, district, province] = place_prefixes(&f.village_code);
    q = q
        .bind(f.given_name_km.clone())
        .bind(f.family_name_km.clone())
        .bind(f.given_name_latin.clone())
        .bind(f.family_name_latin.clone())
        .bind(f.nickname.clone())
        .bind(f.sex.code())
        .bind(f.date_of_birth.map(|d| d.to_string()))
        .bind(f.estimated_birth_year.map(i64::from))
        .bind(f.birth_date_for_age().map(|d| d.to_string()))
        .bind(f.birth_registration.code())
        .bind(f.birth_certificate_number.clone())
        .bind(f.id_poor.code())
        .bind(f.disability.code())
        .bind(f.protection.iter().map(|p| p.code()).collect::<Vec<_>>().join(","))
        .bind(f.protection_note.clone())
        .bind(f.village_code.clone())
        .bind(commune)
        .bind(district)
        .bind(province)
        .bind(f.living_arrangement.code())
        .bind(f.rci_id.map(|u| u.to_string()));
    q
}

pub(crate) async fn load(tx: &mut Tx, id: Uuid) -> Result<Child, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM children c LEFT JOIN users u ON u.id = c.assigned_worker_id LEFT JOIN users u2 ON u2.id = c.co_worker_id WHERE c.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut **tx).await?;
    let mut child = row.as_ref().map(child_from).transpose()?.ok_or(StoreError::NotFound)?;
    child.grants = crate::disclosure::grants(tx, id).await?;
    Ok(child)
}

pub(crate) use crate::refusal::refuse;
// Lists live in `children_list`; their types keep their old paths.
pub(crate) use crate::children_list::scope_sql;
pub use crate::children_list::{count_cap, ChildFilter, Page, COUNT_CAP, SEARCH_COUNT_CAP};

/// What became of a registration (`register_new_child`).
#[derive(Debug)]
pub enum Registration {
    Registered(Box<Child>),
    /// Not saved: she may be known already (the same candidates as the duplicate check).
    PossibleDuplicates(Vec<crate::duplicates::Candidate>),
}

impl Store {
    pub async fn register_child(&self, actor: &Actor, f: ChildFields) -> Result<Child, StoreError> {
        self.register_child_with(actor, f, None).await
    }

    /// Register a child with the answers to the organisation's fields on the registration form,
    /// in one transaction.
    pub async fn register_child_with(&self, actor: &Actor, f: ChildFields, extra: Option<&Extra>) -> Result<Child, StoreError> {
        if !decide(actor, Action::CreateChild, Target::Nothing).allowed() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        let child = register_in(&mut tx, self.backend, actor, &f).await?;
        if let Some(x) = extra {
            keep_extra(&mut tx, actor, Holder::Child(child.id), x).await?;
        }
        tx.commit().await?;
        Ok(child)
    }

    /// Register a child, asking first whether she is known already, as every registration from
    /// a person does (the page and the API): unless the caller says the child is new
    /// (`confirmed_new`, after seeing the candidates), a likely duplicate is answered with the
    /// candidates and nothing is saved. The check is the duplicate check itself
    /// (`possible_duplicates`): counted against the same hourly limit and audited, and other
    /// organisations' records are only "a possible match is known at X" — so registering is
    /// no way around the limit. Saying the child is new skips the check (and the count): it
    /// learns nothing.
    pub async fn register_new_child(&self, actor: &Actor, f: ChildFields, confirmed_new: bool) -> Result<Registration, StoreError> {
        self.register_new_child_with(actor, f, confirmed_new, None).await
    }

    /// `register_new_child` with the answers to the organisation's registration fields.
    pub async fn register_new_child_with(
        &self,
        actor: &Actor,
        f: ChildFields,
        confirmed_new: bool,
        extra: Option<&Extra>,
    ) -> Result<Registration, StoreError> {
        // Who may not register is refused before any check is counted or made.
        if !decide(actor, Action::CreateChild, Target::Nothing).allowed() {
            return Err(StoreError::Forbidden);
        }
        if !confirmed_new {
            let found = self.possible_duplicates(actor, &f, None).await?;
            if !found.is_empty() {
                return Ok(Registration::PossibleDuplicates(found));
            }
        }
        self.register_child_with(actor, f, extra).await.map(|c| Registration::Registered(Box::new(c)))
    }

    /// Open one child's record. Every read is audited (`via` says through what: page, api, export).
    pub async fn view_child(&self, actor: &Actor, id: Uuid, via: &str) -> Result<Child, StoreError> {
        let mut tx = self.pool.begin().await?;
        let child = load(&mut tx, id).await?;
        tx.rollback().await?;
        if !decide(actor, Action::ViewChild, Target::Record(&child.owner(actor))).allowed() {
            return Err(refuse(self, actor, "child.view", "child", id).await);
        }
        let entry = Entry { action: "child.view", record_type: "child", record_id: Some(id.to_string()), detail: json!({"via": via}) };
        self.audit_read(actor.into(), entry).await?;
        let mut child = child;
        crate::disclosure::cut_child(&mut child, actor);
        Ok(child)
    }

    /// Save edited fields if the record is still at `expected_version`; otherwise `Conflict` and
    /// nothing is written.
    pub async fn update_child(&self, actor: &Actor, id: Uuid, expected_version: i64, f: ChildFields) -> Result<Child, StoreError> {
        self.update_child_with(actor, id, expected_version, f, None).await
    }

    /// `update_child` with the answers to the organisation's registration fields (kept only if
    /// they changed), in one transaction.
    pub async fn update_child_with(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        f: ChildFields,
        extra: Option<&Extra>,
    ) -> Result<Child, StoreError> {
        let mut tx = self.write().await?;
        let before = load(&mut tx, id).await?;
        if !decide(actor, Action::EditChild, Target::Record(&before.owner(actor))).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "child.edit", "child", id).await);
        }
        // The organisation's own fields are asked on its own children's records only.
        if extra.is_some_and(|x| x.form.org_id != before.org_id) {
            return Err(StoreError::invalid("form", "err-form-retired"));
        }
        let child = update_in(&mut tx, self.backend, actor, &before, expected_version, &f).await?;
        if let Some(x) = extra {
            keep_extra(&mut tx, actor, Holder::Child(id), x).await?;
        }
        tx.commit().await?;
        Ok(child)
    }
}

/// Save edited fields over `before` (already loaded and allowed) if the record is still at
/// `expected_version`, with the audit and change-log entries; otherwise `Conflict`.
pub(crate) async fn update_in(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    before: &Child,
    expected_version: i64,
    f: &ChildFields,
) -> Result<Child, StoreError> {
    let id = before.id;
    if before.version != expected_version {
        return Err(StoreError::Conflict { current: before.version });
    }
    check_references(tx, f).await?;
    if !write_fields(tx, backend, id, before.seq, Some(expected_version), f).await? {
        return Err(StoreError::Conflict { current: before.version });
    }
    crate::living::follow_record(tx, actor, id, Some(&before.fields), f).await?;
    let changed = changed_fields(&before.fields, f);
    audit::append(
        tx,
        actor.into(),
        Entry {
            action: "child.update",
            record_type: "child",
            record_id: Some(id.to_string()),
            detail: json!({"fields": changed, "version": expected_version + 1}),
        },
    )
    .await?;
    audit::changed(tx, Some(before.org_id), "child", id, expected_version + 1).await?;
    load(tx, id).await
}

/// Write a child's fields and search keys, bumping its version; with `expected_version`, only
/// if the record is still at it (returns false otherwise, writing nothing).
pub(crate) async fn write_fields(
    tx: &mut Tx,
    backend: Backend,
    id: Uuid,
    seq: i64,
    expected_version: Option<i64>,
    f: &ChildFields,
) -> Result<bool, StoreError> {
    let sql = format!(
        "UPDATE children SET given_name_km = $1, family_name_km = $2, given_name_latin = $3, family_name_latin = $4, nickname = $5, \
         sex = $6, date_of_birth = $7, estimated_birth_year = $8, birth_date_sort = $9, birth_registration = $10, \
         birth_certificate_number = $11, id_poor = $12, disability = $13, protection = $14, \
         protection_note = $15, village_code = $16, commune_code = $17, district_code = $18, province_code = $19, \
         living_arrangement = $20, rci_id = $21, updated_at = $22, version = version + 1 WHERE id = $23{}",
        if expected_version.is_some() { " AND version = $24" } else { "" }
    );
    let mut q = bind_fields(sqlx::query(sqlx::AssertSqlSafe(sql)), f).bind(now_text()).bind(id.to_string());
    if let Some(v) = expected_version {
        q = q.bind(v);
    }
    let n = q.execute(&mut **tx).await?.rows_affected();
    if n != 1 {
        return Ok(false);
    }
    search_index::write(tx, backend, Index::Children, seq, &search_keys(f)).await?;
    Ok(true)
}

/// Register a child inside a write transaction (the caller checked `CreateChild`).
pub(crate) async fn register_in(tx: &mut Tx, backend: Backend, actor: &Actor, f: &ChildFields) -> Result<Child, StoreError> {
    check_references(tx, f).await?;
    let org = actor.org_id.to_string();
    let number_row =
        sqlx::query("UPDATE organisations SET next_case_number = next_case_number + 1 WHERE id = $1 RETURNING next_case_number, code")
            .bind(&org)
            .fetch_one(&mut **tx)
            .await?;
    let case_number = format!("{}-{:06}", number_row.text("code")?, number_row.int("next_case_number")? - 1);
    let id = actor.via.record_id(krousar_domain::context::Slot::Child);
    let now = now_text();
    let q = sqlx::query(
        "INSERT INTO children (given_name_km, family_name_km, given_name_latin, family_name_latin, nickname, sex, date_of_birth, \
             estimated_birth_year, birth_date_sort, birth_registration, birth_certificate_number, id_poor, disability, \
             protection, protection_note, village_code, commune_code, district_code, province_code, living_arrangement, rci_id, \
             id, org_id, case_number, assigned_worker_id, team_id, created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
             $22, $23, $24, $25, $26, $27, $28, $29, 1) RETURNING seq",
    );
    // The worker who registers a child holds the case until a supervisor assigns it.
    let seq = bind_fields(q, f)
        .bind(id.to_string())
        .bind(&org)
        .bind(&case_number)
        .bind(actor.user_id.to_string())
        .bind(actor.team_id.map(|t| t.to_string()))
        .bind(actor.user_id.to_string())
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?
        .int("seq")?;
    search_index::write(tx, backend, Index::Children, seq, &search_keys(f)).await?;
    // Registered as living in an RCI: her stay there begins the day she is registered (the
    // stays are the fact the record follows, issue 21).
    crate::living::follow_record(tx, actor, id, None, f).await?;
    audit::append(
        tx,
        actor.into(),
        Entry {
            action: "child.create",
            record_type: "child",
            record_id: Some(id.to_string()),
            detail: json!({"case_number": case_number}),
        },
    )
    .await?;
    audit::changed(tx, Some(actor.org_id), "child", id, 1).await?;
    load(tx, id).await
}

fn changed_fields(a: &ChildFields, b: &ChildFields) -> Vec<String> {
    let (a, b) = (serde_json::to_value(a).unwrap_or_default(), serde_json::to_value(b).unwrap_or_default());
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else { return Vec::new() };
    a.iter().filter(|(k, v)| b.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect()
}
