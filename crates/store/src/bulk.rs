//! Loading many children at once (synthetic data, later imports): multi-row inserts, one
//! transaction and one audit entry per batch, case numbers allocated per batch.

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use krousar_domain::child::ChildFields;
use krousar_domain::{new_id, Actor};
use serde_json::json;

const ROWS_PER_STATEMENT: usize = 400;

impl Store {
    /// Insert children into the actor's organisation and caseload. Returns their ids.
    pub async fn bulk_insert_children(&self, actor: &Actor, children: &[ChildFields]) -> Result<Vec<uuid::Uuid>, StoreError> {
        if children.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        let org = actor.org_id.to_string();
        let row =
            sqlx::query("UPDATE organisations SET next_case_number = next_case_number + $1 WHERE id = $2 RETURNING next_case_number, code")
                .bind(children.len() as i64)
                .bind(&org)
                .fetch_one(&mut *tx)
                .await?;
        let first = row.int("next_case_number")? - children.len() as i64;
        let code = row.text("code")?;
        let now = now_text();
        let ids: Vec<uuid::Uuid> = children.iter().map(|_| new_id()).collect();
        for (chunk_no, chunk) in children.chunks(ROWS_PER_STATEMENT).enumerate() {
            let mut q = Sql::new(
                "INSERT INTO children (id, org_id, case_number, assigned_worker_id, team_id, given_name_km, family_name_km, given_name_latin, \
                 family_name_latin, sex, date_of_birth, estimated_birth_year, birth_date_sort, birth_registration, id_poor, disability, protection, \
                 village_code, commune_code, district_code, province_code, living_arrangement, rci_id, created_by, created_at, updated_at, version) VALUES ",
            );
            let mut s = Sql::new("INSERT INTO child_search (child_id, keys) VALUES ");
            for (i, f) in chunk.iter().enumerate() {
                let n = chunk_no * ROWS_PER_STATEMENT + i;
                if i > 0 {
                    q.push(", ");
                    s.push(", ");
                }
                let text = |o: &Option<String>| o.clone();
                let v = &f.village_code;
                let cut = |k: usize| v.as_ref().map(|c| c[..k].to_string());
                q.push("(");
                let vals: Vec<Option<String>> = vec![
                    Some(ids[n].to_string()),
                    Some(org.clone()),
                    Some(format!("{code}-{:06}", first + n as i64)),
                    Some(actor.user_id.to_string()),
                    actor.team_id.map(|t| t.to_string()),
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
                    match val {
                        Some(t) => q.bind_text(t),
                        None => q.push("NULL"),
                    };
                }
                q.push(", ");
                match f.estimated_birth_year {
                    Some(y) => q.bind_int(y.into()),
                    None => q.push("NULL"),
                };
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
                    q.push(", ");
                    match val {
                        Some(t) => q.bind_text(t),
                        None => q.push("NULL"),
                    };
                }
                q.push(", 1)");
                let names = [&f.family_name_km, &f.given_name_km, &f.family_name_latin, &f.given_name_latin];
                s.push("(")
                    .bind_text(ids[n].to_string())
                    .push(", ")
                    .bind_text(krousar_match::name_keys(names.into_iter().flatten().map(String::as_str)))
                    .push(")");
            }
            q.query().execute(&mut *tx).await?;
            s.query().execute(&mut *tx).await?;
        }
        let detail = json!({"count": children.len(), "first_case_number": format!("{code}-{first:06}")});
        audit::append(&mut tx, actor.into(), Entry { action: "child.bulk_create", record_type: "child", record_id: None, detail }).await?;
        tx.commit().await?;
        Ok(ids)
    }
}
