//! Distributions: support given to many of an organisation's households at once. The list is
//! built from households the actor may see (by name or a whole village), printed for
//! signatures, and each household's receipt recorded. What a household received shows on its
//! page and on its children's; children reached is an indicator (`support_received`).

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::distribution::{Distribution, Item, Receipt, SupportKind, MAX_HOUSEHOLDS};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistributionRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub distribution: Distribution,
    pub created_by: String,
    pub created_at: String,
    /// Households on the list, and how many received it or did not.
    pub households: i64,
    pub received: i64,
    pub not_received: i64,
}

/// One household on a distribution's list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListLine {
    pub household_id: Uuid,
    pub name: String,
    pub village_code: Option<String>,
    pub village_km: Option<String>,
    pub village_latin: Option<String>,
    /// Children linked to the household.
    pub children: i64,
    pub state: Receipt,
    pub signed: bool,
    pub received_on: Option<String>,
}

/// Support a household received (or is listed for).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupportLine {
    pub distribution_id: Uuid,
    pub name: String,
    pub kind: SupportKind,
    pub given_on: String,
    pub state: Receipt,
    pub items: Vec<Item>,
}

/// Who is added to a list: households by id, every household of a village the actor sees, or
/// the households of a community group's present members (their own, and their children's).
pub enum Adding {
    Households(Vec<Uuid>),
    Village(String),
    Group(Uuid),
}

fn allowed(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::ManageDistributions, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

const RECORD_COLUMNS: &str = "d.id, d.name, d.kind, d.given_on, d.place, d.note, d.items, d.created_at, u.display_name, \
    (SELECT COUNT(*) FROM distribution_households x WHERE x.distribution_id = d.id) AS households, \
    (SELECT COUNT(*) FROM distribution_households x WHERE x.distribution_id = d.id AND x.state = 'received') AS received, \
    (SELECT COUNT(*) FROM distribution_households x WHERE x.distribution_id = d.id AND x.state = 'not_received') AS not_received";

fn record_from(r: &sqlx::any::AnyRow) -> Result<DistributionRecord, StoreError> {
    let id = r.uuid("id")?;
    Ok(DistributionRecord {
        id,
        distribution: Distribution {
            name: r.text("name")?,
            kind: r.code("kind", SupportKind::parse)?,
            given_on: r.date("given_on")?,
            place: r.opt_text("place")?,
            note: r.opt_text("note")?,
            items: r.json("items").map_err(|e| e.within(format!("distribution {id}")))?,
        },
        created_by: r.text("display_name")?,
        created_at: r.text("created_at")?,
        households: r.int("households")?,
        received: r.int("received")?,
        not_received: r.int("not_received")?,
    })
}

impl Store {
    pub async fn create_distribution(&self, actor: &Actor, d: &Distribution) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        let id = new_id();
        let items = serde_json::to_string(&d.items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO distributions (id, org_id, name, kind, given_on, place, note, items, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .bind(&d.name)
        .bind(d.kind.code())
        .bind(d.given_on.to_string())
        .bind(&d.place)
        .bind(&d.note)
        .bind(items)
        .bind(actor.user_id.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        let detail = json!({"name": d.name, "kind": d.kind.code(), "given_on": d.given_on, "value": d.value_per_household()});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "distribution.create", record_type: "distribution", record_id: Some(id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The organisation's distributions, newest first.
    pub async fn distributions(&self, actor: &Actor) -> Result<Vec<DistributionRecord>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM distributions d JOIN users u ON u.id = d.created_by WHERE d.org_id = $1 ORDER BY d.given_on DESC, d.id DESC LIMIT 200"
        )))
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_from).collect()
    }

    /// One distribution of the organisation with its list (another's is not found). Reading
    /// the list is audited: it names families.
    pub async fn distribution(&self, actor: &Actor, id: Uuid) -> Result<(DistributionRecord, Vec<ListLine>), StoreError> {
        allowed(actor)?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM distributions d JOIN users u ON u.id = d.created_by WHERE d.id = $1 AND d.org_id = $2"
        )))
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let record = record_from(&r)?;
        let lines = sqlx::query(
            "SELECT h.id, h.name, h.village_code, l.name_km, l.name_latin, x.state, x.signed, x.received_on, \
             (SELECT COUNT(*) FROM household_children hc JOIN children c ON c.id = hc.child_id \
              WHERE hc.household_id = h.id AND c.org_id = h.org_id AND c.merged_into IS NULL) AS children \
             FROM distribution_households x JOIN households h ON h.id = x.household_id LEFT JOIN locations l ON l.code = h.village_code \
             WHERE x.distribution_id = $1 ORDER BY CASE WHEN h.village_code IS NULL THEN 1 ELSE 0 END, h.village_code, h.name, h.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|l| {
            Ok(ListLine {
                household_id: l.uuid("id")?,
                name: l.text("name")?,
                village_code: l.opt_text("village_code")?,
                village_km: l.opt_text("name_km")?,
                village_latin: l.opt_text("name_latin")?,
                children: l.int("children")?,
                state: l.code("state", Receipt::parse)?,
                signed: l.int("signed")? != 0,
                received_on: l.opt_text("received_on")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let detail = json!({"households": lines.len()});
        self.audit_read(
            actor.into(),
            Entry { action: "distribution.view", record_type: "distribution", record_id: Some(id.to_string()), detail },
        )
        .await?;
        Ok((record, lines))
    }

    /// Put households on a distribution's list: each the organisation's and one the actor may
    /// see; households already on it are left as they are. Returns how many were added.
    pub async fn add_to_distribution(&self, actor: &Actor, id: Uuid, adding: Adding) -> Result<usize, StoreError> {
        allowed(actor)?;
        // Refused before any lock is taken: a list is at most MAX_HOUSEHOLDS, asked once each.
        let adding = match adding {
            Adding::Households(ids) => {
                let mut ids = ids;
                ids.sort();
                ids.dedup();
                if ids.len() > MAX_HOUSEHOLDS {
                    return Err(StoreError::invalid("households", "err-too-many-households"));
                }
                Adding::Households(ids)
            }
            village => village,
        };
        let mut tx = self.write().await?;
        let known = sqlx::query("SELECT 1 AS one FROM distributions WHERE id = $1 AND org_id = $2")
            .bind(id.to_string())
            .bind(actor.org_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        let candidates: Vec<Uuid> = match &adding {
            Adding::Households(ids) => ids.clone(),
            Adding::Village(code) => sqlx::query("SELECT id FROM households WHERE org_id = $1 AND village_code = $2 ORDER BY name")
                .bind(actor.org_id.to_string())
                .bind(code)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.uuid("id"))
                .collect::<Result<_, _>>()?,
            Adding::Group(g) => {
                let own = sqlx::query("SELECT 1 AS one FROM community_groups WHERE id = $1 AND org_id = $2")
                    .bind(g.to_string())
                    .bind(actor.org_id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                if own.is_none() {
                    return Err(StoreError::invalid("group", "err-invalid-choice"));
                }
                sqlx::query(
                    "SELECT h.id FROM households h WHERE h.org_id = $1 AND (\
                     h.id IN (SELECT m.household_id FROM community_members m WHERE m.group_id = $2 AND m.left_on IS NULL) OR \
                     h.id IN (SELECT hc.household_id FROM household_children hc JOIN community_members m ON m.child_id = hc.child_id \
                     WHERE m.group_id = $2 AND m.left_on IS NULL)) ORDER BY h.name, h.id",
                )
                .bind(actor.org_id.to_string())
                .bind(g.to_string())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.uuid("id"))
                .collect::<Result<_, _>>()?
            }
        };
        let on_list = sqlx::query("SELECT COUNT(*) AS n FROM distribution_households WHERE distribution_id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        let mut added = 0;
        let mut named = Vec::new();
        for h in candidates {
            let household = crate::households::load(&mut tx, h).await.map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid("households", "err-invalid-choice"),
                e => e,
            })?;
            if household.org_id != actor.org_id || !decide(actor, Action::ViewHousehold, Target::Record(&household.owner())).allowed() {
                return Err(StoreError::invalid("households", "err-invalid-choice"));
            }
            if on_list + i64::try_from(added).unwrap_or(i64::MAX) >= i64::try_from(MAX_HOUSEHOLDS).unwrap_or(i64::MAX) {
                return Err(StoreError::invalid("households", "err-too-many-households"));
            }
            let n = sqlx::query(
                "INSERT INTO distribution_households (distribution_id, household_id, state) VALUES ($1, $2, 'planned') \
                 ON CONFLICT (distribution_id, household_id) DO NOTHING",
            )
            .bind(id.to_string())
            .bind(h.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                added += 1;
                named.push(h);
            }
        }
        // Which households, so that a list can be followed back.
        let detail = json!({"added": named, "village": match &adding { Adding::Village(v) => Some(v.clone()), _ => None },
            "group": match &adding { Adding::Group(g) => Some(*g), _ => None }});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "distribution.list", record_type: "distribution", record_id: Some(id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Record what happened at each household listed: received (signed or not) on `on`, or
    /// not received. Households not on the list are refused; all or nothing.
    pub async fn record_receipts(&self, actor: &Actor, id: Uuid, lines: &[(Uuid, Receipt, bool)], on: NaiveDate) -> Result<(), StoreError> {
        allowed(actor)?;
        if on > actor.today() {
            return Err(StoreError::invalid("received_on", "err-future-date"));
        }
        let mut tx = self.write().await?;
        let given_on = sqlx::query("SELECT given_on FROM distributions WHERE id = $1 AND org_id = $2")
            .bind(id.to_string())
            .bind(actor.org_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .date("given_on")?;
        if on < given_on {
            return Err(StoreError::invalid("received_on", "err-before-distribution"));
        }
        if lines.len() > MAX_HOUSEHOLDS {
            return Err(StoreError::invalid("households", "err-too-many-households"));
        }
        // The list as it stands: a household not on it spoils the save; one whose receipt did
        // not change keeps its day and who recorded it (saving the whole list again later must
        // not move earlier receipts into another quarter).
        let now_list: std::collections::HashMap<Uuid, (Receipt, bool)> =
            sqlx::query("SELECT household_id, state, signed FROM distribution_households WHERE distribution_id = $1")
                .bind(id.to_string())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.uuid("household_id")?, (r.code("state", Receipt::parse)?, r.int("signed")? != 0))))
                .collect::<Result<_, StoreError>>()?;
        let mut changes = Vec::new();
        for (h, state, signed) in lines {
            let Some((before, was_signed)) = now_list.get(h) else {
                return Err(StoreError::invalid("households", "err-invalid-choice"));
            };
            let received = *state == Receipt::Received;
            let signed = received && *signed;
            if *before == *state && *was_signed == signed {
                continue;
            }
            // Received before and still received (only the signature changed): its day stays.
            let keep_day = *before == Receipt::Received && received;
            sqlx::query(
                "UPDATE distribution_households SET state = $1, signed = $2, \
                 received_on = CASE WHEN $3 = 1 THEN received_on ELSE $4 END, recorded_by = $5, recorded_at = $6 \
                 WHERE distribution_id = $7 AND household_id = $8",
            )
            .bind(state.code())
            .bind(i64::from(signed))
            .bind(i64::from(keep_day))
            .bind(received.then(|| on.to_string()))
            .bind(actor.user_id.to_string())
            .bind(now_text())
            .bind(id.to_string())
            .bind(h.to_string())
            .execute(&mut *tx)
            .await?;
            changes.push(json!({"household": h, "from": before.code(), "to": state.code(), "signed": signed}));
        }
        if changes.is_empty() {
            return Ok(());
        }
        let detail = json!({"on": on, "changes": changes});
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action: "distribution.receipts", record_type: "distribution", record_id: Some(id.to_string()), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The villages where the organisation has households, with how many (to add a whole
    /// village to a list), most households first.
    pub async fn household_villages(&self, actor: &Actor) -> Result<Vec<(String, String, String, i64)>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query(
            "SELECT h.village_code, l.name_km, l.name_latin, COUNT(*) AS n FROM households h JOIN locations l ON l.code = h.village_code \
             WHERE h.org_id = $1 GROUP BY h.village_code, l.name_km, l.name_latin ORDER BY n DESC, h.village_code LIMIT 300",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.text("village_code")?, r.text("name_km")?, r.text("name_latin")?, r.int("n")?))).collect()
    }

    /// Support a household is listed for or received, newest first. The caller has read the
    /// household (its page or API checked and audited that).
    pub async fn household_support(&self, actor: &Actor, household: Uuid) -> Result<Vec<SupportLine>, StoreError> {
        self.support_where(actor, "x.household_id = $1", household).await
    }

    /// Support the households of a child received (the child's page, which checked the child).
    pub async fn child_support(&self, actor: &Actor, child: Uuid) -> Result<Vec<SupportLine>, StoreError> {
        self.support_where(actor, "x.household_id IN (SELECT household_id FROM household_children WHERE child_id = $1)", child).await
    }

    async fn support_where(&self, actor: &Actor, cond: &'static str, id: Uuid) -> Result<Vec<SupportLine>, StoreError> {
        // Only the organisation's own distributions: another's support list is its own record.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT d.id, d.name, d.kind, d.given_on, d.items, x.state, x.received_on FROM distribution_households x \
             JOIN distributions d ON d.id = x.distribution_id WHERE {cond} AND d.org_id = $2 ORDER BY d.given_on DESC, d.id LIMIT 100"
        )))
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SupportLine {
                    distribution_id: r.uuid("id")?,
                    name: r.text("name")?,
                    kind: r.code("kind", SupportKind::parse)?,
                    given_on: r.opt_text("received_on")?.unwrap_or(r.text("given_on")?),
                    state: r.code("state", Receipt::parse)?,
                    items: r.json("items")?,
                })
            })
            .collect()
    }
}
