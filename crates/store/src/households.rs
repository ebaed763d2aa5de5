//! Households (families), their members, and their links to children.

use crate::audit::{self, Entry};
use crate::children::{refuse, scope_sql, Page};
use crate::custom_form_records::{keep_extra, Extra, Holder};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::search_index::{self, Index};
use crate::sql::Sql;
use krousar_domain::choices::{IdPoor, IncomeBand, Relationship, Sex};
use krousar_domain::household::{HouseholdFields, Member};
use krousar_domain::policy::{decide, list_scope, Target};
use krousar_domain::{new_id, Action, Actor, RecordOwner};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Household {
    pub id: Uuid,
    /// Registration order (internal): the key of list pages and of the search index.
    #[serde(skip)]
    pub seq: i64,
    pub version: i64,
    pub org_id: Uuid,
    #[serde(flatten)]
    pub fields: HouseholdFields,
    pub created_at: String,
    pub updated_at: String,
}

impl Household {
    pub fn owner(&self) -> RecordOwner {
        RecordOwner { org_id: self.org_id, assigned_worker: None, co_worker: None, team_id: None, outside: Default::default() }
    }
}

/// A child linked to a household, as far as the viewer may know it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedChild {
    pub id: Uuid,
    pub case_number: String,
    pub name_km: String,
    pub name_latin: String,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn household_from(r: &AnyRow, members: Vec<Member>) -> Result<Household, StoreError> {
    Ok(Household {
        seq: r.int("seq")?,
        id: r.uuid("id")?,
        version: r.int("version")?,
        org_id: r.uuid("org_id")?,
        fields: HouseholdFields {
            name: r.text("name")?,
            phone: r.opt_text("phone")?,
            village_code: r.opt_text("village_code")?,
            address_detail: r.opt_text("address_detail")?,
            income_band: IncomeBand::parse(&r.text("income_band")?).ok_or_else(|| corrupt("income_band"))?,
            id_poor: IdPoor::parse(&r.text("id_poor")?).ok_or_else(|| corrupt("id_poor"))?,
            id_poor_number: r.opt_text("id_poor_number")?,
            members,
        },
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
    })
}

const COLUMNS: &str = "h.seq, h.id, h.version, h.org_id, h.name, h.phone, h.village_code, h.address_detail, h.income_band, h.id_poor, h.id_poor_number, h.created_at, h.updated_at";

pub(crate) async fn members(tx: &mut Tx, id: Uuid) -> Result<Vec<Member>, StoreError> {
    let rows = sqlx::query("SELECT id, name_km, name_latin, relationship, sex, birth_year, is_head, phone FROM household_members WHERE household_id = $1 ORDER BY position")
        .bind(id.to_string())
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Member {
                id: Some(r.uuid("id")?),
                name_km: r.opt_text("name_km")?,
                name_latin: r.opt_text("name_latin")?,
                relationship: Relationship::parse(&r.text("relationship")?).ok_or_else(|| corrupt("relationship"))?,
                sex: r.opt_text("sex")?.as_deref().and_then(Sex::parse),
                birth_year: r.opt_int("birth_year")?.map(|y| y as i32),
                is_head: r.int("is_head")? != 0,
                phone: r.opt_text("phone")?,
            })
        })
        .collect()
}

pub(crate) async fn load(tx: &mut Tx, id: Uuid) -> Result<Household, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM households h WHERE h.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut **tx).await?.ok_or(StoreError::NotFound)?;
    let m = members(tx, id).await?;
    household_from(&row, m)
}

async fn write_members(tx: &mut Tx, id: Uuid, f: &HouseholdFields) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM household_members WHERE household_id = $1").bind(id.to_string()).execute(&mut **tx).await?;
    for (i, m) in f.members.iter().enumerate() {
        sqlx::query("INSERT INTO household_members (id, household_id, position, name_km, name_latin, relationship, sex, birth_year, is_head, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(new_id().to_string())
            .bind(id.to_string())
            .bind(i as i64)
            .bind(m.name_km.clone())
            .bind(m.name_latin.clone())
            .bind(m.relationship.code())
            .bind(m.sex.map(|s| s.code()))
            .bind(m.birth_year.map(i64::from))
            .bind(m.is_head as i64)
            .bind(m.phone.clone())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn link(tx: &mut Tx, household: Uuid, child: Uuid) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO household_children (household_id, child_id) VALUES ($1, $2)")
        .bind(household.to_string())
        .bind(child.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) fn keys(f: &HouseholdFields) -> String {
    let mut names: Vec<&str> = vec![f.name.as_str()];
    for m in &f.members {
        names.extend(m.name_km.as_deref());
        names.extend(m.name_latin.as_deref());
    }
    krousar_match::name_keys(names)
}

pub(crate) async fn check_village(tx: &mut Tx, f: &HouseholdFields) -> Result<(), StoreError> {
    crate::locations::known_village(tx, "village_code", f.village_code.as_deref()).await
}

/// Insert a household of the actor's organisation with its members and search keys (the caller
/// checked the permission and the village). Also used for a carer household.
pub(crate) async fn insert_household(
    tx: &mut Tx,
    backend: crate::db::Backend,
    actor: &Actor,
    f: &HouseholdFields,
) -> Result<Uuid, StoreError> {
    let id = new_id();
    let now = now_text();
    let v = &f.village_code;
    let seq = sqlx::query(
            "INSERT INTO households (id, org_id, name, phone, village_code, district_code, province_code, address_detail, income_band, id_poor, id_poor_number, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING seq",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(&f.name)
        .bind(f.phone.clone())
        .bind(v.clone())
        .bind(v.as_ref().map(|c| c[..4].to_string()))
        .bind(v.as_ref().map(|c| c[..2].to_string()))
        .bind(f.address_detail.clone())
        .bind(f.income_band.code())
        .bind(f.id_poor.code())
        .bind(f.id_poor_number.clone())
        .bind(actor.user_id.to_string())
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?
        .int("seq")?;
    search_index::write(tx, backend, Index::Households, seq, &keys(f)).await?;
    write_members(tx, id, f).await?;
    Ok(id)
}

impl Store {
    /// Create a household, optionally linked at once to a child the actor may edit.
    pub async fn create_household(&self, actor: &Actor, f: HouseholdFields, child: Option<Uuid>) -> Result<Household, StoreError> {
        self.create_household_with(actor, f, child, None).await
    }

    /// `create_household` with the answers to the organisation's fields on the household's form,
    /// in one transaction.
    pub async fn create_household_with(
        &self,
        actor: &Actor,
        f: HouseholdFields,
        child: Option<Uuid>,
        extra: Option<&Extra>,
    ) -> Result<Household, StoreError> {
        if !decide(actor, Action::CreateHousehold, Target::Nothing).allowed() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        check_village(&mut tx, &f).await?;
        if let Some(c) = child {
            let ch = crate::children::load(&mut tx, c).await?;
            if !decide(actor, Action::EditChild, Target::Record(&ch.owner(actor))).allowed() {
                drop(tx);
                return Err(refuse(self, actor, "household.link", "child", c).await);
            }
        }
        let id = insert_household(&mut tx, self.backend, actor, &f).await?;
        if let Some(c) = child {
            link(&mut tx, id, c).await?;
        }
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "household.create",
                record_type: "household",
                record_id: Some(id.to_string()),
                detail: json!({"child": child, "members": f.members.len()}),
            },
        )
        .await?;
        audit::changed(&mut tx, Some(actor.org_id), "household", id, 1).await?;
        if let Some(x) = extra {
            keep_extra(&mut tx, actor, Holder::Household(id), x).await?;
        }
        let h = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(h)
    }

    pub async fn view_household(&self, actor: &Actor, id: Uuid, via: &str) -> Result<Household, StoreError> {
        let mut tx = self.pool.begin().await?;
        let h = load(&mut tx, id).await?;
        tx.rollback().await?;
        if !decide(actor, Action::ViewHousehold, Target::Record(&h.owner())).allowed() {
            return Err(refuse(self, actor, "household.view", "household", id).await);
        }
        let entry =
            Entry { action: "household.view", record_type: "household", record_id: Some(id.to_string()), detail: json!({"via": via}) };
        self.audit_read(actor.into(), entry).await?;
        Ok(h)
    }

    pub async fn update_household(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        f: HouseholdFields,
    ) -> Result<Household, StoreError> {
        self.update_household_with(actor, id, expected_version, f, None).await
    }

    /// `update_household` with the answers to the organisation's fields on the household's
    /// form (kept only if they changed), in one transaction.
    pub async fn update_household_with(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        f: HouseholdFields,
        extra: Option<&Extra>,
    ) -> Result<Household, StoreError> {
        let mut tx = self.write().await?;
        let before = load(&mut tx, id).await?;
        if !decide(actor, Action::EditHousehold, Target::Record(&before.owner())).allowed() {
            drop(tx);
            return Err(refuse(self, actor, "household.edit", "household", id).await);
        }
        if before.version != expected_version {
            return Err(StoreError::Conflict { current: before.version });
        }
        check_village(&mut tx, &f).await?;
        let v = &f.village_code;
        sqlx::query(
            "UPDATE households SET name = $1, phone = $2, village_code = $3, district_code = $4, province_code = $5, address_detail = $6, \
             income_band = $7, id_poor = $8, id_poor_number = $9, updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12",
        )
        .bind(&f.name)
        .bind(f.phone.clone())
        .bind(v.clone())
        .bind(v.as_ref().map(|c| c[..4].to_string()))
        .bind(v.as_ref().map(|c| c[..2].to_string()))
        .bind(f.address_detail.clone())
        .bind(f.income_band.code())
        .bind(f.id_poor.code())
        .bind(f.id_poor_number.clone())
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        search_index::write(&mut tx, self.backend, Index::Households, before.seq, &keys(&f)).await?;
        write_members(&mut tx, id, &f).await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "household.update",
                record_type: "household",
                record_id: Some(id.to_string()),
                detail: json!({"version": expected_version + 1}),
            },
        )
        .await?;
        audit::changed(&mut tx, Some(before.org_id), "household", id, expected_version + 1).await?;
        if let Some(x) = extra {
            if x.form.org_id != before.org_id {
                return Err(StoreError::invalid("form", "err-form-retired"));
            }
            keep_extra(&mut tx, actor, Holder::Household(id), x).await?;
        }
        let h = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(h)
    }

    /// Link a child to a household: the actor must be allowed to edit both.
    pub async fn link_child_to_household(&self, actor: &Actor, household: Uuid, child: Uuid) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let h = load(&mut tx, household).await?;
        let c = crate::children::load(&mut tx, child).await?;
        let ok = decide(actor, Action::EditHousehold, Target::Record(&h.owner())).allowed()
            && decide(actor, Action::EditChild, Target::Record(&c.owner(actor))).allowed();
        if !ok {
            drop(tx);
            return Err(refuse(self, actor, "household.link", "household", household).await);
        }
        let exists = sqlx::query("SELECT COUNT(*) AS n FROM household_children WHERE household_id = $1 AND child_id = $2")
            .bind(household.to_string())
            .bind(child.to_string())
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        if exists == 0 {
            link(&mut tx, household, child).await?;
            audit::append(
                &mut tx,
                actor.into(),
                Entry {
                    action: "household.link_child",
                    record_type: "household",
                    record_id: Some(household.to_string()),
                    detail: json!({"child": child}),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Households a child belongs to (the caller has already been allowed to view the child).
    pub async fn households_of_child(&self, child: Uuid) -> Result<Vec<(Uuid, String)>, StoreError> {
        let rows = sqlx::query("SELECT h.id, h.name FROM household_children hc JOIN households h ON h.id = hc.household_id WHERE hc.child_id = $1 ORDER BY h.name")
            .bind(child.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.uuid("id")?, r.text("name")?))).collect()
    }

    /// Children linked to a household, limited to those the actor may open: a household page
    /// never reveals a child outside the actor's scope.
    pub async fn children_of_household(&self, actor: &Actor, household: Uuid) -> Result<Vec<LinkedChild>, StoreError> {
        let mut q = Sql::new(
            "SELECT c.id, c.case_number, c.given_name_km, c.family_name_km, c.given_name_latin, c.family_name_latin \
             FROM household_children hc JOIN children c ON c.id = hc.child_id WHERE hc.household_id = ",
        );
        q.bind_text(household.to_string());
        match scope_sql(&mut q, list_scope(actor, Action::ListChildren), "c") {
            Ok(()) => {}
            Err(StoreError::Forbidden) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        }
        q.push(" ORDER BY c.case_number");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let (fkm, gkm, fl, gl) = (
                    r.opt_text("family_name_km")?,
                    r.opt_text("given_name_km")?,
                    r.opt_text("family_name_latin")?,
                    r.opt_text("given_name_latin")?,
                );
                Ok(LinkedChild {
                    id: r.uuid("id")?,
                    case_number: r.text("case_number")?,
                    name_km: crate::children::display_name(&fkm, &gkm, &fl, &gl, true),
                    name_latin: crate::children::display_name(&fkm, &gkm, &fl, &gl, false),
                })
            })
            .collect()
    }

    /// One page of the households the actor may see, newest first; audited like
    /// `list_children`.
    pub async fn list_households(
        &self,
        actor: &Actor,
        q_text: Option<&str>,
        province: Option<&str>,
        district: Option<&str>,
        cursor: Option<i64>,
        limit: i64,
    ) -> Result<Page<Household>, StoreError> {
        let limit = limit.clamp(1, 200);
        let terms = q_text.map(krousar_match::query_terms).unwrap_or_default();
        let (mut q, order) = search_index::list_from(self.backend, Index::Households, COLUMNS, "households h", "h", &terms, false);
        scope_sql(&mut q, list_scope(actor, Action::ListHouseholds), "h")?;
        if let Some(p) = province.filter(|p| p.len() == 2) {
            q.push(" AND h.province_code = ").bind_text(p);
        }
        if let Some(d) = district.filter(|d| d.len() == 4) {
            q.push(" AND h.district_code = ").bind_text(d);
        }
        if let Some(c) = cursor {
            q.push(&format!(" AND {order} < ")).bind_int(c);
        }
        q.push(&format!(" ORDER BY {order} DESC")).limit(limit + 1);
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut items = rows.iter().map(|r| household_from(r, Vec::new())).collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|h| h.seq.to_string())
        } else {
            None
        };
        let filters = serde_json::json!({"q": q_text, "province": province, "district": district, "after": cursor, "limit": limit});
        self.audit_list(actor.into(), "household.list", "household", filters, items.iter().map(|h| h.id.to_string()).collect()).await?;
        Ok(Page { items, next })
    }
}

/// Add a relative found by tracing to the child's first household, or to a new household
/// named after the relative and linked to the child. Returns the household.
pub(crate) async fn add_relative(
    tx: &mut Tx,
    backend: crate::db::Backend,
    actor: &Actor,
    child: &crate::children::Child,
    rel: &krousar_domain::case::family::RelativeFound,
    village: Option<String>,
) -> Result<Uuid, StoreError> {
    let member = Member {
        id: None,
        name_km: rel.name_km.clone(),
        name_latin: rel.name_latin.clone(),
        relationship: rel.relationship,
        sex: None,
        birth_year: None,
        is_head: false,
        phone: None,
    };
    let existing = sqlx::query("SELECT household_id FROM household_children WHERE child_id = $1 ORDER BY household_id LIMIT 1")
        .bind(child.id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let (id, version, fields, seq) = match existing {
        Some(r) => {
            let h = load(tx, r.uuid("household_id")?).await?;
            let mut f = h.fields.clone();
            f.members.push(member);
            sqlx::query("UPDATE households SET updated_at = $1, version = version + 1 WHERE id = $2")
                .bind(now_text())
                .bind(h.id.to_string())
                .execute(&mut **tx)
                .await?;
            (h.id, h.version + 1, f, h.seq)
        }
        None => {
            let id = new_id();
            let now = now_text();
            let name = rel.name_km.clone().or_else(|| rel.name_latin.clone()).unwrap_or_default();
            let f = HouseholdFields {
                name,
                phone: None,
                village_code: village.clone(),
                address_detail: None,
                income_band: IncomeBand::Unknown,
                id_poor: IdPoor::Unknown,
                id_poor_number: None,
                members: vec![Member { is_head: true, ..member }],
            };
            let v = &f.village_code;
            let seq = sqlx::query(
                "INSERT INTO households (id, org_id, name, phone, village_code, district_code, province_code, address_detail, income_band, id_poor, id_poor_number, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, NULL, $4, $5, $6, NULL, $7, $8, NULL, $9, $10, $11) RETURNING seq",
            )
            .bind(id.to_string())
            .bind(child.org_id.to_string())
            .bind(&f.name)
            .bind(v.clone())
            .bind(v.as_ref().map(|c| c[..4].to_string()))
            .bind(v.as_ref().map(|c| c[..2].to_string()))
            .bind(f.income_band.code())
            .bind(f.id_poor.code())
            .bind(actor.user_id.to_string())
            .bind(&now)
            .bind(&now)
            .fetch_one(&mut **tx)
            .await?
            .int("seq")?;
            link(tx, id, child.id).await?;
            (id, 1, f, seq)
        }
    };
    search_index::write(tx, backend, Index::Households, seq, &keys(&fields)).await?;
    write_members(tx, id, &fields).await?;
    audit::append(
        tx,
        actor.into(),
        Entry {
            action: "household.relative_found",
            record_type: "household",
            record_id: Some(id.to_string()),
            detail: json!({"child": child.id}),
        },
    )
    .await?;
    audit::changed(tx, Some(child.org_id), "household", id, version).await?;
    Ok(id)
}
