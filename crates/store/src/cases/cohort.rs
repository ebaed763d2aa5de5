//! An RCI closes: in one transaction its children (those the actor may work with) leave it, the
//! ones not yet registered are registered, and every one of them gets a case.

use super::open::insert_case;
use super::{finish, load_case};
use crate::audit::{self, Entry};
use crate::children::{self, register_in, scope_sql};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use krousar_domain::case::cohort::Cohort;
use krousar_domain::case::entries::Intake;
use krousar_domain::case::stage::{IntakeRoute, ReferralSource};
use krousar_domain::child::ChildFields;
use krousar_domain::choices::{BirthRegistration, Disability, IdPoor, LivingArrangement, RciRegistration};
use krousar_domain::policy::{decide, list_scope, Target};
use krousar_domain::{Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Serialize)]
pub struct CohortResult {
    pub registered: usize,
    pub cases_opened: usize,
    pub already_had_case: usize,
}

impl Store {
    pub async fn close_rci_with_cohort(&self, actor: &Actor, rci: Uuid, c: Cohort) -> Result<CohortResult, StoreError> {
        if !decide(actor, Action::CreateChild, Target::Nothing).allowed() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write().await?;
        let exists =
            sqlx::query("SELECT name, partner_org_id FROM rcis WHERE id = $1").bind(rci.to_string()).fetch_optional(&mut *tx).await?;
        let Some(rci_row) = exists else { return Err(StoreError::NotFound) };
        let rci_name = rci_row.text("name")?;
        let partner_org = rci_row.opt_uuid("partner_org_id")?;
        let closed = c.closed_on.to_string();
        let summary = format!("{rci_name}: closed {closed}");
        let intake = Intake {
            route: IntakeRoute::Rci,
            referral_source: Some(ReferralSource::Rci),
            opened_on: c.closed_on,
            summary: Some(summary),
            immediate_safety: None,
            rci_id: Some(rci),
        };
        let mut result = CohortResult::default();

        // Residents on the closing day whom the actor may work with.
        let mut q = Sql::new("SELECT DISTINCT p.child_id FROM residence_periods p JOIN children c ON c.id = p.child_id WHERE p.rci_id = ");
        q.bind_text(rci.to_string())
            .push(" AND p.entered <= ")
            .bind_text(closed.clone())
            .push(" AND (p.left_on IS NULL OR p.left_on > ")
            .bind_text(closed.clone())
            .push(")");
        scope_sql(&mut q, list_scope(actor, Action::ListChildren), "c")?;
        let residents: Vec<Uuid> = q.query().fetch_all(&mut *tx).await?.iter().map(|r| r.uuid("child_id")).collect::<Result<_, _>>()?;
        let mut children = Vec::new();
        for id in residents {
            sqlx::query(
                "UPDATE residence_periods SET left_on = $1, reason_left = $2 WHERE child_id = $3 AND rci_id = $4 AND left_on IS NULL",
            )
            .bind(&closed)
            .bind("RCI closed")
            .bind(id.to_string())
            .bind(rci.to_string())
            .execute(&mut *tx)
            .await?;
            crate::living::follow(&mut tx, actor.into(), id).await?;
            children.push(children::load(&mut tx, id).await?);
        }
        for n in &c.new_children {
            let f = ChildFields {
                given_name_km: n.name_km.clone(),
                family_name_km: None,
                given_name_latin: n.name_latin.clone(),
                family_name_latin: None,
                nickname: None,
                sex: n.sex,
                date_of_birth: None,
                estimated_birth_year: n.birth_year,
                birth_registration: BirthRegistration::Unknown,
                birth_certificate_number: None,
                id_poor: IdPoor::Unknown,
                disability: Disability::None,
                protection: vec![],
                protection_note: None,
                village_code: None,
                living_arrangement: LivingArrangement::Other,
                rci_id: Some(rci),
            };
            children.push(register_in(&mut tx, self.backend, actor, &f).await?);
            result.registered += 1;
        }
        for child in &children {
            if !decide(actor, Action::OpenCase, Target::Record(&child.owner(actor))).allowed() {
                continue;
            }
            if load_case(&mut tx, child).await?.is_some() {
                result.already_had_case += 1;
                continue;
            }
            insert_case(&mut tx, actor, child, &intake).await?;
            finish(&mut tx, actor, child, "case.open", json!({"route": "rci", "cohort": rci})).await?;
            result.cases_opened += 1;
        }
        if decide(actor, Action::EditRci, Target::Rci { partner_org }).allowed() {
            // A new version, as every change of the record: a form opened before cannot put the
            // institution back as registered without being told.
            let version: i64 = sqlx::query_scalar(
                "UPDATE rcis SET registration_status = $1, updated_at = $2, version = version + 1 WHERE id = $3 RETURNING version",
            )
            .bind(RciRegistration::Closed.code())
            .bind(crate::db::now_text())
            .bind(rci.to_string())
            .fetch_one(&mut *tx)
            .await?;
            audit::changed(&mut tx, None, "rci", rci, version).await?;
        }
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "rci.cohort", record_type: "rci", record_id: Some(rci.to_string()), detail: json!(result) },
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }
}
