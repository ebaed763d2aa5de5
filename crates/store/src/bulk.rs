//! Loading many children at once (synthetic data, later imports): rows inserted as JSON arrays
//! (`bulk_rows`), one audit entry per batch, case numbers allocated per batch.

use crate::audit::{self, Entry};
use crate::bulk_rows::{insert_rows, insert_rows_returning, opt_int, opt_text, text};
use crate::db::{now_text, Backend, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::search_index::{self, Index};
use crate::sql::Value;
use krousar_domain::child::ChildFields;
use krousar_domain::household::HouseholdFields;
use krousar_domain::{new_id, Actor};
use serde_json::json;
use std::collections::HashMap;

const CHILD_COLUMNS: [&str; 27] = [
    "id",
    "org_id",
    "case_number",
    "assigned_worker_id",
    "team_id",
    "given_name_km",
    "family_name_km",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "estimated_birth_year",
    "birth_date_sort",
    "birth_registration",
    "id_poor",
    "disability",
    "protection",
    "village_code",
    "commune_code",
    "district_code",
    "province_code",
    "living_arrangement",
    "rci_id",
    "created_by",
    "created_at",
    "updated_at",
    "version",
];

/// A child to insert: its fields, its worker (user, team) if assigned, and its area (a
/// commune, district or province code) when its address is coarser than a village.
pub struct Placed<'a> {
    pub fields: &'a ChildFields,
    pub worker: Option<(uuid::Uuid, Option<uuid::Uuid>)>,
    pub area_code: Option<&'a str>,
}

/// The first `k` digits of a place code (its commune, district or province), when it has them.
fn area_cut(code: Option<&str>, k: usize) -> Value {
    opt_text(code.filter(|c| c.len() >= k).map(|c| c[..k].to_string()))
}

/// id → seq of the rows an insert returned.
fn seqs(rows: &[sqlx::any::AnyRow]) -> Result<HashMap<String, i64>, StoreError> {
    rows.iter().map(|r| Ok((r.text("id")?, r.int("seq")?))).collect()
}

impl BulkLoad {
    /// Insert children into the actor's organisation, each in the caseload (and team) of the
    /// worker at the same position. Returns their ids.
    pub async fn children_assigned(
        &mut self,
        actor: &Actor,
        children: &[ChildFields],
        workers: &[&Actor],
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        if workers.len() != children.len() {
            return Err(StoreError::Config("bulk insert: one worker per child".into()));
        }
        let placed: Vec<Placed> = children
            .iter()
            .zip(workers)
            .map(|(fields, w)| Placed { fields, worker: Some((w.user_id, w.team_id)), area_code: None })
            .collect();
        self.children_placed(actor, &placed).await
    }

    /// Insert children into the actor's organisation, each with its worker (and team) if it has
    /// one and its area when its address is coarser than a village. Returns their ids.
    pub async fn children_placed(&mut self, actor: &Actor, children: &[Placed<'_>]) -> Result<Vec<uuid::Uuid>, StoreError> {
        if children.is_empty() {
            return Ok(Vec::new());
        }
        let org = actor.org_id.to_string();
        let row =
            sqlx::query("UPDATE organisations SET next_case_number = next_case_number + $1 WHERE id = $2 RETURNING next_case_number, code")
                .bind(children.len() as i64)
                .bind(&org)
                .fetch_one(&mut *self.tx)
                .await?;
        let first = row.int("next_case_number")? - children.len() as i64;
        let code = row.text("code")?;
        let now = now_text();
        let ids: Vec<uuid::Uuid> = children.iter().map(|_| new_id()).collect();
        let rows: Vec<Vec<Value>> = children
            .iter()
            .enumerate()
            .map(|(n, p)| {
                let f = p.fields;
                let v = &f.village_code;
                let cut = |k: usize| area_cut(v.as_deref().or(p.area_code), k);
                vec![
                    text(ids[n].to_string()),
                    text(org.clone()),
                    text(format!("{code}-{:06}", first + n as i64)),
                    opt_text(p.worker.map(|w| w.0.to_string())),
                    opt_text(p.worker.and_then(|w| w.1).map(|t| t.to_string())),
                    opt_text(f.given_name_km.clone()),
                    opt_text(f.family_name_km.clone()),
                    opt_text(f.given_name_latin.clone()),
                    opt_text(f.family_name_latin.clone()),
                    text(f.sex.code()),
                    opt_text(f.date_of_birth.map(|d| d.to_string())),
                    opt_int(f.estimated_birth_year.map(i64::from)),
                    opt_text(f.birth_date_for_age().map(|d| d.to_string())),
                    text(f.birth_registration.code()),
                    text(f.id_poor.code()),
                    text(f.disability.code()),
                    text(f.protection.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")),
                    opt_text(v.clone()),
                    cut(6),
                    cut(4),
                    cut(2),
                    text(f.living_arrangement.code()),
                    opt_text(f.rci_id.map(|r| r.to_string())),
                    text(actor.user_id.to_string()),
                    text(now.clone()),
                    text(now.clone()),
                    Value::Int(1),
                ]
            })
            .collect();
        let returned = insert_rows_returning(&mut self.tx, self.backend, "children", &CHILD_COLUMNS, &rows, "id, seq").await?;
        let seqs = seqs(&returned)?;
        let indexed: Vec<(i64, String)> =
            children.iter().zip(&ids).map(|(p, id)| (seqs[&id.to_string()], crate::children::search_keys(p.fields))).collect();
        search_index::write_many(&mut self.tx, self.backend, Index::Children, &indexed).await?;
        let detail = json!({"count": children.len(), "first_case_number": format!("{code}-{first:06}")});
        audit::append(&mut self.tx, actor.into(), Entry { action: "child.bulk_create", record_type: "child", record_id: None, detail })
            .await?;
        Ok(ids)
    }

    /// Insert households (with members), each linked to the child at the same position.
    /// Returns their ids, in order.
    pub async fn households(&mut self, actor: &Actor, households: &[(HouseholdFields, uuid::Uuid)]) -> Result<Vec<uuid::Uuid>, StoreError> {
        let placed: Vec<(&HouseholdFields, Option<&str>)> = households.iter().map(|(f, _)| (f, None)).collect();
        let ids = self.households_placed(actor, &placed).await?;
        let links: Vec<Vec<Value>> =
            ids.iter().zip(households).map(|(id, (_, child))| vec![text(id.to_string()), text(child.to_string())]).collect();
        insert_rows(&mut self.tx, self.backend, "household_children", &["household_id", "child_id"], &links).await?;
        Ok(ids)
    }

    /// Insert households (with members), each with its area when its address is coarser than a
    /// village. Returns their ids, in order.
    pub async fn households_placed(
        &mut self,
        actor: &Actor,
        households: &[(&HouseholdFields, Option<&str>)],
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        if households.is_empty() {
            return Ok(Vec::new());
        }
        let (org, now, by) = (actor.org_id.to_string(), now_text(), actor.user_id.to_string());
        let ids: Vec<uuid::Uuid> = households.iter().map(|_| new_id()).collect();
        let (mut rows, mut members) = (Vec::new(), Vec::new());
        for ((f, area), id) in households.iter().zip(&ids) {
            let v = &f.village_code;
            let cut = |k: usize| area_cut(v.as_deref().or(*area), k);
            rows.push(vec![
                text(id.to_string()),
                text(org.clone()),
                text(f.name.clone()),
                opt_text(f.phone.clone()),
                opt_text(v.clone()),
                cut(4),
                cut(2),
                text(f.income_band.code()),
                text(f.id_poor.code()),
                text(by.clone()),
                text(now.clone()),
                text(now.clone()),
            ]);
            for (pos, m) in f.members.iter().enumerate() {
                members.push(vec![
                    text(new_id().to_string()),
                    text(id.to_string()),
                    Value::Int(pos as i64),
                    opt_text(m.name_km.clone()),
                    opt_text(m.name_latin.clone()),
                    text(m.relationship.code()),
                    opt_text(m.sex.map(|s| s.code())),
                    opt_int(m.birth_year.map(i64::from)),
                    Value::Int(i64::from(m.is_head)),
                    opt_text(m.phone.clone()),
                ]);
            }
        }
        let columns = [
            "id",
            "org_id",
            "name",
            "phone",
            "village_code",
            "district_code",
            "province_code",
            "income_band",
            "id_poor",
            "created_by",
            "created_at",
            "updated_at",
        ];
        let returned = insert_rows_returning(&mut self.tx, self.backend, "households", &columns, &rows, "id, seq").await?;
        let seqs = seqs(&returned)?;
        let (tx, db) = (&mut self.tx, self.backend);
        let member_columns =
            ["id", "household_id", "position", "name_km", "name_latin", "relationship", "sex", "birth_year", "is_head", "phone"];
        insert_rows(tx, db, "household_members", &member_columns, &members).await?;
        let indexed: Vec<(i64, String)> =
            households.iter().zip(&ids).map(|((f, _), id)| (seqs[&id.to_string()], crate::households::keys(f))).collect();
        search_index::write_many(tx, db, Index::Households, &indexed).await?;
        let detail = json!({"count": households.len()});
        audit::append(tx, actor.into(), Entry { action: "household.bulk_create", record_type: "household", record_id: None, detail })
            .await?;
        Ok(ids)
    }

    /// Insert stays in residential care (synthetic data, imports): (child, RCI, entered).
    pub async fn stays(&mut self, stays: &[(uuid::Uuid, uuid::Uuid, chrono::NaiveDate)]) -> Result<(), StoreError> {
        let now = now_text();
        let rows: Vec<Vec<Value>> = stays
            .iter()
            .map(|(child, rci, entered)| {
                vec![
                    text(new_id().to_string()),
                    text(child.to_string()),
                    text(rci.to_string()),
                    text(entered.to_string()),
                    text(now.clone()),
                ]
            })
            .collect();
        insert_rows(&mut self.tx, self.backend, "residence_periods", &["id", "child_id", "rci_id", "entered", "created_at"], &rows).await
    }

    /// What `living::follow` does one child at a time, for everything loaded: an approved
    /// placement in a family ends the open stay on the day it began (a stay that began later is
    /// moved back to begin then too), and the record then says she lives with a family.
    /// Returns the children moved. For a freshly generated database only: it reaches every
    /// organisation, writes no audit and bumps no version (no phone holds these records yet).
    pub async fn placements_end_stays(&mut self) -> Result<u64, StoreError> {
        use krousar_domain::case::entries::PlacementType;
        let family: Vec<String> = PlacementType::ALL.iter().filter(|k| k.family_based()).map(|k| format!("'{}'", k.code())).collect();
        let placed = format!(
            "SELECT k.child_id FROM cases k WHERE k.placement_approved = 1 AND k.placement_kind IN ({}) AND k.placement_started_on IS NOT NULL",
            family.join(", ")
        );
        let start = "(SELECT k.placement_started_on FROM cases k WHERE k.child_id = residence_periods.child_id)";
        let sql = format!(
            "UPDATE residence_periods SET left_on = {start}, reason_left = 'placement', \
             entered = CASE WHEN entered > {start} THEN {start} ELSE entered END \
             WHERE left_on IS NULL AND child_id IN ({placed})"
        );
        let n = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *self.tx).await?.rows_affected();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE children SET living_arrangement = 'with_family', rci_id = NULL WHERE id IN ({placed}) AND living_arrangement <> 'with_family'"
        )))
        .execute(&mut *self.tx)
        .await?;
        Ok(n)
    }
}

/// One transaction for loading many records — an organisation's children, households, stays
/// and cases, or several organisations' at once. The generator and importers commit when they
/// choose: a bigger transaction rewrites each index page fewer times (every commit writes each
/// page it touched, and random keys such as villages touch pages all over each index).
pub struct BulkLoad {
    pub(crate) tx: Tx,
    pub(crate) backend: Backend,
}

impl BulkLoad {
    /// For data the caller vouches for (the synthetic nation, whose consistency a test checks by
    /// reading it back): PostgreSQL skips its per-row foreign-key triggers for the rest of this
    /// transaction, as `pg_restore --disable-triggers` does — half of the backend's time when
    /// loading (`AfterTriggerEndQuery`, perf). Only a superuser may; otherwise every reference
    /// is checked as usual. SQLite checks its references cheaply and is left alone. Returns
    /// whether the checks were skipped.
    pub async fn trust_references(&mut self) -> Result<bool, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(false);
        }
        let superuser: bool = sqlx::query("SELECT CASE WHEN rolsuper THEN 1 ELSE 0 END AS s FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *self.tx)
            .await?
            .int("s")?
            == 1;
        if superuser {
            sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *self.tx).await?;
        }
        Ok(superuser)
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Start loading in bulk: the write lock is held until `commit`.
    pub async fn bulk_load(&self) -> Result<BulkLoad, StoreError> {
        Ok(BulkLoad { tx: self.write().await?, backend: self.backend })
    }

    /// Insert children into the actor's organisation and caseload. Returns their ids.
    pub async fn bulk_insert_children(&self, actor: &Actor, children: &[ChildFields]) -> Result<Vec<uuid::Uuid>, StoreError> {
        let assigned: Vec<&Actor> = children.iter().map(|_| actor).collect();
        self.bulk_insert_children_assigned(actor, children, &assigned).await
    }

    /// `BulkLoad::children_assigned` in a transaction of its own.
    pub async fn bulk_insert_children_assigned(
        &self,
        actor: &Actor,
        children: &[ChildFields],
        workers: &[&Actor],
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        let mut load = self.bulk_load().await?;
        let ids = load.children_assigned(actor, children, workers).await?;
        load.commit().await?;
        Ok(ids)
    }

    /// `BulkLoad::households` in a transaction of its own.
    pub async fn bulk_insert_households(
        &self,
        actor: &Actor,
        households: &[(HouseholdFields, uuid::Uuid)],
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        let mut load = self.bulk_load().await?;
        let ids = load.households(actor, households).await?;
        load.commit().await?;
        Ok(ids)
    }

    /// `BulkLoad::stays` in a transaction of its own.
    pub async fn bulk_insert_stays(&self, stays: &[(uuid::Uuid, uuid::Uuid, chrono::NaiveDate)]) -> Result<(), StoreError> {
        let mut load = self.bulk_load().await?;
        load.stays(stays).await?;
        load.commit().await
    }
}
