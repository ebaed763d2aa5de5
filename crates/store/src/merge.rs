//! Resolving duplicates inside an organisation: two records are the same child (merge: the
//! survivor takes what only the other knew, links and the case move to it, the other record is
//! kept as history pointing to the survivor) or different children (remembered, never proposed
//! again). Both are audited with what was done.

use crate::audit::{self, Entry};
use crate::children::{load, refuse, Child};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::search_index::{self, Index};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde_json::json;
use uuid::Uuid;

/// Every column of `cases` but its key (kept in step with the migrations by the merge test).
const CASE_COLUMNS: &str = "org_id, route, referral_source, opened_on, summary, immediate_safety, stage, risk_level, first_contact_due, first_contact_on, supervisor_id, assessed, has_care_plan, assessment_approved, care_plan_approved, placement_id, placement_kind, placement_started_on, placement_approved, placement_household_id, follow_up_until, reassessment_due, plan_review_due, closed_on, closure_reason, opened_by, created_at, updated_at, version";

fn ordered(a: Uuid, b: Uuid) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// The records marked as a different child from `child`.
pub(crate) async fn different_pairs(store: &Store, child: Uuid) -> Result<Vec<Uuid>, StoreError> {
    let rows =
        sqlx::query("SELECT child_a, child_b FROM duplicate_decisions WHERE (child_a = $1 OR child_b = $1) AND decision = 'different'")
            .bind(child.to_string())
            .fetch_all(&store.pool)
            .await?;
    rows.iter().map(|r| Ok(if r.uuid("child_a")? == child { r.uuid("child_b")? } else { r.uuid("child_a")? })).collect()
}

impl Store {
    /// Both records, if the actor may edit both and they are in the same organisation. A refusal
    /// is audited after the write transaction is dropped.
    async fn pair(&self, actor: &Actor, a: Uuid, b: Uuid, action: &str) -> Result<(Tx, Child, Child), StoreError> {
        let mut tx = self.write().await?;
        let (x, y) = (load(&mut tx, a).await?, load(&mut tx, b).await?);
        let ok = |c: &Child| decide(actor, Action::EditChild, Target::Record(&c.owner(actor))).allowed();
        if !ok(&x) || !ok(&y) || x.org_id != y.org_id {
            drop(tx);
            return Err(refuse(self, actor, action, "child", b).await);
        }
        if a == b || x.merged_into.is_some() || y.merged_into.is_some() {
            return Err(StoreError::invalid("child", "err-merge-invalid"));
        }
        Ok((tx, x, y))
    }

    /// Remember that two records are different children.
    pub async fn mark_different(&self, actor: &Actor, a: Uuid, b: Uuid) -> Result<(), StoreError> {
        let (mut tx, _, _) = self.pair(actor, a, b, "child.not_duplicate").await?;
        let (x, y) = ordered(a, b);
        sqlx::query("DELETE FROM duplicate_decisions WHERE child_a = $1 AND child_b = $2").bind(&x).bind(&y).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO duplicate_decisions (child_a, child_b, decision, decided_by, decided_at) VALUES ($1, $2, 'different', $3, $4)",
        )
        .bind(&x)
        .bind(&y)
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "child.not_duplicate", record_type: "child", record_id: Some(a.to_string()), detail: json!({"other": b}) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Merge `other` into `survivor`. Fields the survivor lacks are taken from the other; its
    /// households, stays in institutions and its case (if the survivor has none) move over. Two
    /// open cases are not merged: one must be closed and its record kept apart first.
    pub async fn merge_children(&self, actor: &Actor, survivor: Uuid, other: Uuid) -> Result<Child, StoreError> {
        let (mut tx, keep, gone) = self.pair(actor, survivor, other, "child.merge").await?;
        let has_case = |id: Uuid| sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE child_id = $1").bind(id.to_string());
        let (keep_case, gone_case) =
            (has_case(survivor).fetch_one(&mut *tx).await?.int("n")? > 0, has_case(other).fetch_one(&mut *tx).await?.int("n")? > 0);
        if keep_case && gone_case {
            return Err(StoreError::invalid("child", "err-merge-two-cases"));
        }
        // Fields only the other record knew.
        let (mut merged, mut taken) = (keep.fields.clone(), Vec::<&str>::new());
        macro_rules! fill {
            ($($f:ident),+) => {$(
                if merged.$f.is_none() && gone.fields.$f.is_some() {
                    merged.$f = gone.fields.$f.clone();
                    taken.push(stringify!($f));
                }
            )+};
        }
        fill!(
            given_name_km,
            family_name_km,
            given_name_latin,
            family_name_latin,
            nickname,
            date_of_birth,
            estimated_birth_year,
            birth_certificate_number,
            protection_note,
            village_code,
            rci_id
        );
        if !taken.is_empty() {
            // One path for field changes: the same update the edit form uses.
            crate::children::write_fields(&mut tx, self.backend, keep.id, keep.seq, None, &merged).await?;
        }
        let (s, o) = (survivor.to_string(), other.to_string());
        sqlx::query("INSERT INTO household_children (household_id, child_id) SELECT household_id, $1 FROM household_children WHERE child_id = $2 AND household_id NOT IN (SELECT household_id FROM household_children WHERE child_id = $1)")
            .bind(&s)
            .bind(&o)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM household_children WHERE child_id = $1").bind(&o).execute(&mut *tx).await?;
        let stays = sqlx::query("UPDATE residence_periods SET child_id = $1 WHERE child_id = $2")
            .bind(&s)
            .bind(&o)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sensitive_moved = crate::sensitive::take_over(&mut tx, self, survivor, other, actor).await?;
        crate::community::merged::follow_merge(&mut tx, survivor, other).await?;
        // Flags follow the child: a "do not contact the father" raised on either record must
        // stay in sight. Photos too, the survivor's own staying the current one if it has one.
        let mut flags_moved = 0;
        // The answers to forms on the child's record follow it too.
        for table in ["child_flags", "record_form_answers"] {
            let moved = sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET child_id = $1 WHERE child_id = $2")))
                .bind(&s)
                .bind(&o)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if table == "child_flags" {
                flags_moved = moved;
            }
        }
        sqlx::query(
            "UPDATE profile_photos SET replaced_at = $1 WHERE owner_type = 'child' AND owner_id = $2 AND replaced_at IS NULL \
             AND EXISTS (SELECT 1 FROM profile_photos p WHERE p.owner_type = 'child' AND p.owner_id = $3 AND p.replaced_at IS NULL)",
        )
        .bind(now_text())
        .bind(&o)
        .bind(&s)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE profile_photos SET owner_id = $1 WHERE owner_type = 'child' AND owner_id = $2")
            .bind(&s)
            .bind(&o)
            .execute(&mut *tx)
            .await?;
        if gone_case {
            // The case and everything recorded on it follow the child: a copy of the case row
            // under the survivor first (the records point to it), then the records, then the old row.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO cases (child_id, {CASE_COLUMNS}) SELECT $1, {CASE_COLUMNS} FROM cases WHERE child_id = $2"
            )))
            .bind(&s)
            .bind(&o)
            .execute(&mut *tx)
            .await?;
            for table in ["case_entries", "case_approvals", "case_tasks", "follow_up_visits", "attachments"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET child_id = $1 WHERE child_id = $2")))
                    .bind(&s)
                    .bind(&o)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM cases WHERE child_id = $1").bind(&o).execute(&mut *tx).await?;
            crate::cases::events_follow_case(&mut tx, survivor).await?;
        }
        sqlx::query("UPDATE children SET merged_into = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(&s)
            .bind(now_text())
            .bind(&o)
            .execute(&mut *tx)
            .await?;
        // The merged record no longer answers name searches.
        search_index::write(&mut tx, self.backend, Index::Children, gone.seq, "").await?;
        let detail = json!({"merged": other, "fields_taken": taken, "households_moved": true, "stays_moved": stays, "case_moved": gone_case, "sensitive_moved": sensitive_moved, "flags_moved": flags_moved});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "child.merge", record_type: "child", record_id: Some(s.clone()), detail: detail.clone() },
        )
        .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "child.merged_into", record_type: "child", record_id: Some(o.clone()), detail: json!({"survivor": survivor}) },
        )
        .await?;
        audit::changed(&mut tx, Some(keep.org_id), "child", survivor, keep.version + 1).await?;
        audit::changed(&mut tx, Some(gone.org_id), "child", other, gone.version + 1).await?;
        // Two records each in an RCI become one child with one open stay; the record follows.
        crate::living::one_open_stay(&mut tx, actor.into(), survivor).await?;
        crate::living::follow(&mut tx, actor.into(), survivor).await?;
        let child = load(&mut tx, survivor).await?;
        tx.commit().await?;
        Ok(child)
    }
}
