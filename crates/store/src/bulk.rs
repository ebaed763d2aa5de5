//! Loading many children at once (synthetic data, later imports): multi-row inserts, one
//! transaction and one audit entry per batch, case numbers allocated per batch.

use crate::audit::{self, Entry};
use crate::db::{now_text, Backend, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::search_index::{self, Index};
use crate::sql::Sql;
use krousar_domain::child::ChildFields;
use krousar_domain::household::HouseholdFields;
use krousar_domain::{new_id, Actor};
use serde_json::json;

/// Rows per multi-row statement: small enough that SQLite's parameter lookup stays cheap.
const ROWS_PER_STATEMENT: usize = 20;

impl BulkLoad {
    /// Insert children into the actor's organisation, each in the caseload (and team) of the
    /// worker at the same position: one transaction for a whole organisation's batch.
    pub async fn children_assigned(
        &mut self,
        actor: &Actor,
        children: &[ChildFields],
        workers: &[&Actor],
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        if workers.len() != children.len() {
            return Err(StoreError::Config("bulk insert: one worker per child".into()));
        }
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
        let mut indexed: Vec<(i64, String)> = Vec::with_capacity(children.len());
        for (chunk_no, chunk) in children.chunks(ROWS_PER_STATEMENT).enumerate() {
            let mut q = Sql::new(
                "INSERT INTO children (id, org_id, case_number, assigned_worker_id, team_id, given_name_km, family_name_km, given_name_latin, \
                 family_name_latin, sex, date_of_birth, estimated_birth_year, birth_date_sort, birth_registration, id_poor, disability, protection, \
                 village_code, commune_code, district_code, province_code, living_arrangement, rci_id, created_by, created_at, updated_at, version) VALUES ",
            );
            let mut keys: Vec<(String, String)> = Vec::with_capacity(chunk.len());
            for (i, f) in chunk.iter().enumerate() {
                let n = chunk_no * ROWS_PER_STATEMENT + i;
                if i > 0 {
                    q.push(", ");
                }
                let text = |o: &Option<String>| o.clone();
                let v = &f.village_code;
                let cut = |k: usize| v.as_ref().map(|c| c[..k].to_string());
                q.push("(");
                let vals: Vec<Option<String>> = vec![
                    Some(ids[n].to_string()),
                    Some(org.clone()),
                    Some(format!("{code}-{:06}", first + n as i64)),
                    Some(workers[n].user_id.to_string()),
                    workers[n].team_id.map(|t| t.to_string()),
                    text(&f.given_name_km),
                    text(&f.family_name_km),
                    text(&f.given_name_latin),
                    text(&f.family_name_latin),
                    Some(f.sex.code().into()),
                    f.date_of_birth.map(|d| d.to_string()),
                ];
                for (j, val) in vals.into_iter().enumerate() {
                    if j > 0 {
                        q.push(", ");
                    }
                    q.bind_opt_text(val);
                }
                q.push(", ").bind_opt_int(f.estimated_birth_year.map(i64::from));
                let rest: Vec<Option<String>> = vec![
                    f.birth_date_for_age().map(|d| d.to_string()),
                    Some(f.birth_registration.code().into()),
                    Some(f.id_poor.code().into()),
                    Some(f.disability.code().into()),
                    Some(f.protection.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")),
                    v.clone(),
                    cut(6),
                    cut(4),
                    cut(2),
                    Some(f.living_arrangement.code().into()),
                    f.rci_id.map(|r| r.to_string()),
                    Some(actor.user_id.to_string()),
                    Some(now.clone()),
                    Some(now.clone()),
                ];
                for val in rest {
                    q.push(", ").bind_opt_text(val);
                }
                q.push(", 1)");
                keys.push((ids[n].to_string(), crate::children::search_keys(f)));
            }
            q.push(" RETURNING id, seq");
            let rows = q.query_on(self.backend).fetch_all(&mut *self.tx).await?;
            let seqs: std::collections::HashMap<String, i64> =
                rows.iter().map(|r| Ok((r.text("id")?, r.int("seq")?))).collect::<Result<_, StoreError>>()?;
            indexed.extend(keys.into_iter().map(|(id, k)| (seqs[&id], k)));
        }
        search_index::write_many(&mut self.tx, self.backend, Index::Children, &indexed).await?;
        let detail = json!({"count": children.len(), "first_case_number": format!("{code}-{first:06}")});
        audit::append(&mut self.tx, actor.into(), Entry { action: "child.bulk_create", record_type: "child", record_id: None, detail })
            .await?;
        Ok(ids)
    }
}

impl BulkLoad {
    /// Insert households (with members), each linked to the child at the same position.
    /// Returns their ids, in order.
    pub async fn households(&mut self, actor: &Actor, households: &[(HouseholdFields, uuid::Uuid)]) -> Result<Vec<uuid::Uuid>, StoreError> {
        let mut made = Vec::with_capacity(households.len());
        if households.is_empty() {
            return Ok(made);
        }
        let org = actor.org_id.to_string();
        let now = now_text();
        let mut indexed: Vec<(i64, String)> = Vec::with_capacity(households.len());
        for chunk in households.chunks(ROWS_PER_STATEMENT) {
            let uuids: Vec<uuid::Uuid> = chunk.iter().map(|_| new_id()).collect();
            let ids: Vec<String> = uuids.iter().map(uuid::Uuid::to_string).collect();
            made.extend(uuids);
            let mut h = Sql::new(
                "INSERT INTO households (id, org_id, name, phone, village_code, district_code, province_code, income_band, id_poor, created_by, created_at, updated_at) VALUES ",
            );
            let mut link = Sql::new("INSERT INTO household_children (household_id, child_id) VALUES ");
            let mut m = Sql::new("INSERT INTO household_members (id, household_id, position, name_km, name_latin, relationship, sex, birth_year, is_head, phone) VALUES ");
            let mut first_member = true;
            for (i, (f, child)) in chunk.iter().enumerate() {
                if i > 0 {
                    h.push(", ");
                    link.push(", ");
                }
                let v = &f.village_code;
                let opt = |q: &mut Sql, val: Option<String>| {
                    q.bind_opt_text(val);
                };
                h.push("(").bind_text(ids[i].clone()).push(", ").bind_text(org.clone()).push(", ").bind_text(f.name.clone()).push(", ");
                opt(&mut h, f.phone.clone());
                h.push(", ");
                opt(&mut h, v.clone());
                h.push(", ");
                opt(&mut h, v.as_ref().map(|c| c[..4].to_string()));
                h.push(", ");
                opt(&mut h, v.as_ref().map(|c| c[..2].to_string()));
                h.push(", ").bind_text(f.income_band.code()).push(", ").bind_text(f.id_poor.code()).push(", ");
                h.bind_text(actor.user_id.to_string()).push(", ").bind_text(now.clone()).push(", ").bind_text(now.clone()).push(")");
                link.push("(").bind_text(ids[i].clone()).push(", ").bind_text(child.to_string()).push(")");
                for (pos, mem) in f.members.iter().enumerate() {
                    if !first_member {
                        m.push(", ");
                    }
                    first_member = false;
                    m.push("(")
                        .bind_text(new_id().to_string())
                        .push(", ")
                        .bind_text(ids[i].clone())
                        .push(", ")
                        .bind_int(pos as i64)
                        .push(", ");
                    opt(&mut m, mem.name_km.clone());
                    m.push(", ");
                    opt(&mut m, mem.name_latin.clone());
                    m.push(", ").bind_text(mem.relationship.code()).push(", ");
                    opt(&mut m, mem.sex.map(|s| s.code().to_string()));
                    m.push(", ");
                    m.bind_opt_int(mem.birth_year.map(i64::from));
                    m.push(", ").bind_int(mem.is_head as i64).push(", ");
                    opt(&mut m, mem.phone.clone());
                    m.push(")");
                }
            }
            h.push(" RETURNING id, seq");
            let rows = h.query_on(self.backend).fetch_all(&mut *self.tx).await?;
            let seqs: std::collections::HashMap<String, i64> =
                rows.iter().map(|r| Ok((r.text("id")?, r.int("seq")?))).collect::<Result<_, StoreError>>()?;
            indexed.extend(chunk.iter().zip(&ids).map(|((f, _), id)| (seqs[id], crate::households::keys(f))));
            link.query_on(self.backend).execute(&mut *self.tx).await?;
            if !first_member {
                m.query_on(self.backend).execute(&mut *self.tx).await?;
            }
        }
        search_index::write_many(&mut self.tx, self.backend, Index::Households, &indexed).await?;
        audit::append(
            &mut self.tx,
            actor.into(),
            Entry {
                action: "household.bulk_create",
                record_type: "household",
                record_id: None,
                detail: json!({"count": households.len()}),
            },
        )
        .await?;
        Ok(made)
    }
}

impl BulkLoad {
    /// Insert stays in residential care (synthetic data, imports): (child, RCI, entered).
    pub async fn stays(&mut self, stays: &[(uuid::Uuid, uuid::Uuid, chrono::NaiveDate)]) -> Result<(), StoreError> {
        let now = now_text();
        for chunk in stays.chunks(ROWS_PER_STATEMENT) {
            let mut q = Sql::new("INSERT INTO residence_periods (id, child_id, rci_id, entered, created_at) VALUES ");
            for (i, (child, rci, entered)) in chunk.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" });
                q.bind_text(new_id().to_string()).push(", ").bind_text(child.to_string()).push(", ").bind_text(rci.to_string());
                q.push(", ").bind_text(entered.to_string()).push(", ").bind_text(now.clone()).push(")");
            }
            q.query_on(self.backend).execute(&mut *self.tx).await?;
        }
        Ok(())
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
