//! Keeping where a child lives one story (issue 21, item 1): the stays in RCIs and the case's
//! placement are the facts; the record's living situation and RCI follow from them
//! (`krousar_domain::living::living_now`) in the same transaction as any change to a fact.
//!
//! Every write that changes a stay or a placement ends with `follow`: registering or editing a
//! child, adding a stay, opening a case from an RCI, approving or ending a placement, an RCI
//! closing, a merge.

use crate::audit::{self, Entry, Who};
use crate::db::{now_text, RowExt, Tx};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::entries::PlacementType;
use krousar_domain::child::ChildFields;
use krousar_domain::choices::LivingArrangement;
use krousar_domain::living::{living_now, LivingFacts};
use krousar_domain::new_id;
use krousar_domain::Actor;
use serde_json::json;
use uuid::Uuid;

/// The child's stay that has not ended: (stay id, RCI, entered).
pub(crate) async fn open_stay(tx: &mut Tx, child: Uuid) -> Result<Option<(Uuid, Uuid, NaiveDate)>, StoreError> {
    let row = sqlx::query(
        "SELECT id, rci_id, entered FROM residence_periods WHERE child_id = $1 AND left_on IS NULL ORDER BY entered DESC LIMIT 1",
    )
    .bind(child.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((r.uuid("id")?, r.uuid("rci_id")?, day(&r.text("entered")?)?))),
    }
}

fn day(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("stay date: {e}")))
}

/// End the open stay (if any) on `on` — never before it began — saying why. Returns the RCI.
pub(crate) async fn end_stay(tx: &mut Tx, who: Who, child: Uuid, on: NaiveDate, reason: &str) -> Result<Option<Uuid>, StoreError> {
    let Some((id, rci, entered)) = open_stay(tx, child).await? else { return Ok(None) };
    let left = on.max(entered);
    sqlx::query("UPDATE residence_periods SET left_on = $1, reason_left = $2 WHERE id = $3")
        .bind(left.to_string())
        .bind(reason)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    let detail = json!({"rci": rci, "left": left, "reason": reason});
    audit::append(tx, who, Entry { action: "residence.end", record_type: "child", record_id: Some(child.to_string()), detail }).await?;
    Ok(Some(rci))
}

/// Open a stay in `rci` from `on`, ending the open one elsewhere first (on the same day). A stay
/// already open in that RCI is kept as it is.
pub(crate) async fn open_stay_in(
    tx: &mut Tx,
    who: Who,
    child: Uuid,
    rci: Uuid,
    on: NaiveDate,
    reason_moved: &str,
) -> Result<(), StoreError> {
    let mut entered = on;
    if let Some((_, open, began)) = open_stay(tx, child).await? {
        if open == rci {
            return Ok(());
        }
        end_stay(tx, who, child, on, reason_moved).await?;
        entered = on.max(began);
    }
    // A stay may not begin inside one that has ended after it (stays never overlap).
    let last_left: Option<String> = sqlx::query_scalar("SELECT MAX(left_on) FROM residence_periods WHERE child_id = $1")
        .bind(child.to_string())
        .fetch_one(&mut **tx)
        .await?;
    if let Some(l) = last_left {
        entered = entered.max(day(&l)?);
    }
    sqlx::query("INSERT INTO residence_periods (id, child_id, rci_id, entered, left_on, reason_left, created_at) VALUES ($1, $2, $3, $4, NULL, NULL, $5)")
        .bind(new_id().to_string())
        .bind(child.to_string())
        .bind(rci.to_string())
        .bind(entered.to_string())
        .bind(now_text())
        .execute(&mut **tx)
        .await?;
    let detail = json!({"rci": rci, "entered": entered});
    audit::append(tx, who, Entry { action: "residence.add", record_type: "child", record_id: Some(child.to_string()), detail }).await?;
    Ok(())
}

/// The facts of one child, read in the transaction.
pub(crate) async fn facts(tx: &mut Tx, child: Uuid) -> Result<(LivingFacts, Option<Uuid>, String), StoreError> {
    let row = sqlx::query(
        "SELECT c.living_arrangement, c.rci_id, c.org_id, k.placement_kind, k.placement_approved FROM children c \
         LEFT JOIN cases k ON k.child_id = c.id WHERE c.id = $1",
    )
    .bind(child.to_string())
    .fetch_one(&mut **tx)
    .await?;
    let recorded = LivingArrangement::parse(&row.text("living_arrangement")?).ok_or_else(|| StoreError::Corrupt("living".into()))?;
    let family = row.opt_text("placement_kind")?.and_then(|k| PlacementType::parse(&k)).is_some_and(|k| k.family_based())
        && row.opt_int("placement_approved")?.unwrap_or(0) == 1;
    let open = open_stay(tx, child).await?.map(|(_, rci, _)| rci);
    Ok((LivingFacts { open_stay: open, family_placement: family, recorded }, row.opt_uuid("rci_id")?, row.text("org_id")?))
}

/// Make the record say what the facts say. A change bumps the record's version (so phones get
/// it) and is audited. Returns whether it changed anything.
pub(crate) async fn follow(tx: &mut Tx, who: Who, child: Uuid) -> Result<bool, StoreError> {
    let (f, rci_now, org) = facts(tx, child).await?;
    let (living, rci) = living_now(f);
    if living == f.recorded && rci == rci_now {
        return Ok(false);
    }
    let row = sqlx::query(
        "UPDATE children SET living_arrangement = $1, rci_id = $2, updated_at = $3, version = version + 1 WHERE id = $4 RETURNING version",
    )
    .bind(living.code())
    .bind(rci.map(|r| r.to_string()))
    .bind(now_text())
    .bind(child.to_string())
    .fetch_one(&mut **tx)
    .await?;
    let version = row.int("version")?;
    let detail = json!({"living": living.code(), "rci": rci, "was": f.recorded.code(), "version": version});
    audit::append(tx, who, Entry { action: "child.living", record_type: "child", record_id: Some(child.to_string()), detail }).await?;
    let org = Uuid::parse_str(&org).ok();
    audit::changed(tx, org, "child", child, version).await?;
    Ok(true)
}

/// At most one open stay: after a merge brought two together, the older ends when the newer
/// began (stays never overlap).
pub(crate) async fn one_open_stay(tx: &mut Tx, who: Who, child: Uuid) -> Result<(), StoreError> {
    let rows =
        sqlx::query("SELECT id, entered FROM residence_periods WHERE child_id = $1 AND left_on IS NULL ORDER BY entered DESC, id DESC")
            .bind(child.to_string())
            .fetch_all(&mut **tx)
            .await?;
    let Some(newest) = rows.first() else { return Ok(()) };
    let began = newest.text("entered")?;
    for r in rows.iter().skip(1) {
        sqlx::query("UPDATE residence_periods SET left_on = $1, reason_left = 'merged' WHERE id = $2")
            .bind(&began)
            .bind(r.text("id")?)
            .execute(&mut **tx)
            .await?;
        let detail = json!({"stay": r.text("id")?, "left": began, "reason": "merged"});
        audit::append(tx, who, Entry { action: "residence.end", record_type: "child", record_id: Some(child.to_string()), detail }).await?;
    }
    Ok(())
}

/// The stays follow a registration or an edit of where she lives (`living::stay_change`), and
/// the record then follows the stays and the placement (`living::follow`). An edit that does
/// not touch the living situation leaves the stays alone.
pub(crate) async fn follow_record(
    tx: &mut Tx,
    actor: &Actor,
    id: Uuid,
    before: Option<&ChildFields>,
    f: &ChildFields,
) -> Result<(), StoreError> {
    use krousar_domain::living::{stay_change, StayChange};
    let unchanged = before.is_some_and(|b| b.living_arrangement == f.living_arrangement && b.rci_id == f.rci_id);
    let open = open_stay(tx, id).await?.map(|(_, rci, _)| rci);
    // A record an older version left "in an RCI" without a stay gets its stay rather than
    // losing what it says; otherwise an edit that keeps the living situation keeps the stays.
    let lone = f.living_arrangement == LivingArrangement::InRci && f.rci_id.is_some() && open.is_none();
    if !unchanged || lone {
        let today = actor.today();
        match stay_change(open, f.living_arrangement, f.rci_id) {
            StayChange::Keep => {}
            StayChange::End => {
                end_stay(tx, actor.into(), id, today, "left").await?;
            }
            StayChange::Open(rci) => open_stay_in(tx, actor.into(), id, rci, today, "moved").await?,
        }
    }
    follow(tx, actor.into(), id).await?;
    Ok(())
}
