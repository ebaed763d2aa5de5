//! A group's members. A child is linked by its record, and its name and sex are read from it
//! each time; a person of a household is linked by the household (its members are written anew
//! on each edit), with the name, sex and age group it had when added; anyone else is named here.
//! Only the organisation's own records the actor may open can be added, and a child whose
//! record the reader may not open (another worker's caseload, a child since transferred away)
//! is listed without a name.

use super::{allowed, own_group};
use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use chrono::{Datelike, NaiveDate};
use krousar_domain::choices::Sex;
use krousar_domain::community::{AgeGroup, Link, Member, MemberRole, MAX_MEMBERS};
use krousar_domain::disclosure::Outside;
use krousar_domain::policy::{decide, RecordOwner, Target};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberLine {
    pub id: Uuid,
    /// The child's record, when the reader may open it.
    pub child_id: Option<Uuid>,
    pub household_id: Option<Uuid>,
    /// None for a child whose record the reader may not open.
    pub name: Option<String>,
    pub sex: Option<Sex>,
    pub age_group: Option<AgeGroup>,
    pub role: MemberRole,
    pub joined_on: String,
    pub left_on: Option<String>,
    /// Sessions of the group this member came to.
    pub attended: i64,
}

/// A member as stored: the record linked (if any) and what is kept of the person.
struct Stored {
    child: Option<Uuid>,
    household: Option<Uuid>,
    name: Option<String>,
    sex: Option<Sex>,
    age_group: Option<AgeGroup>,
    role: MemberRole,
}

/// The age group of someone born in `year`, on `today`.
pub fn age_group_of(year: i64, today: NaiveDate) -> Option<AgeGroup> {
    let age = i64::from(today.year()) - year;
    Some(match age {
        ..0 => return None,
        0..=5 => AgeGroup::Under6,
        6..=11 => AgeGroup::From6To11,
        12..=17 => AgeGroup::From12To17,
        18..=24 => AgeGroup::From18To24,
        25..=59 => AgeGroup::From25To59,
        _ => AgeGroup::From60,
    })
}

impl Store {
    /// Add a member; a child or household person already in the group (and not left) is refused.
    pub async fn add_group_member(&self, actor: &Actor, group: Uuid, m: &Member) -> Result<Uuid, StoreError> {
        Ok(self.add_group_members(actor, group, std::slice::from_ref(m)).await?[0])
    }

    /// Add several members at once, all or none (the people ticked after a search).
    pub async fn add_group_members(&self, actor: &Actor, group: Uuid, members: &[Member]) -> Result<Vec<Uuid>, StoreError> {
        allowed(actor)?;
        if members.len() > MAX_MEMBERS {
            return Err(StoreError::invalid("name", "err-too-many-members"));
        }
        let mut tx = self.write().await?;
        own_group(&mut tx, actor, group).await?;
        let mut ids = Vec::with_capacity(members.len());
        for m in members {
            ids.push(add_in(&mut tx, actor, group, m).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

/// One member added in the caller's transaction (the group checked as the actor's own).
async fn add_in(tx: &mut crate::db::Tx, actor: &Actor, group: Uuid, m: &Member) -> Result<Uuid, StoreError> {
    let today = actor.today();
    let active = sqlx::query("SELECT COUNT(*) AS n FROM community_members WHERE group_id = $1 AND left_on IS NULL")
        .bind(group.to_string())
        .fetch_one(&mut **tx)
        .await?
        .int("n")?;
    if active >= i64::try_from(MAX_MEMBERS).unwrap_or(i64::MAX) {
        return Err(StoreError::invalid("name", "err-too-many-members"));
    }
    let id = new_id();
    let Stored { child, household, name, sex, age_group, role } = match m {
        Member::Named { name, sex, age_group, role } => {
            Stored { child: None, household: None, name: Some(name.clone()), sex: Some(*sex), age_group: Some(*age_group), role: *role }
        }
        Member::Linked { link: Link::Child(c), role } => {
            let row =
                sqlx::query("SELECT org_id, assigned_worker_id, co_worker_id, team_id FROM children WHERE id = $1 AND merged_into IS NULL")
                    .bind(c.to_string())
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| StoreError::invalid("child_id", "err-invalid-choice"))?;
            let owner = RecordOwner {
                org_id: row.uuid("org_id")?,
                assigned_worker: row.opt_uuid("assigned_worker_id")?,
                co_worker: row.opt_uuid("co_worker_id")?,
                team_id: row.opt_uuid("team_id")?,
                outside: Outside::None,
            };
            // Another organisation's child, or one the actor may not open, answers like one
            // that does not exist.
            if owner.org_id != actor.org_id || !decide(actor, Action::ViewChild, Target::Record(&owner)).allowed() {
                return Err(StoreError::invalid("child_id", "err-invalid-choice"));
            }
            let before = sqlx::query("SELECT id, left_on FROM community_members WHERE group_id = $1 AND child_id = $2")
                .bind(group.to_string())
                .bind(c.to_string())
                .fetch_optional(&mut **tx)
                .await?;
            if let Some(b) = before {
                if b.opt_text("left_on")?.is_none() {
                    return Err(StoreError::invalid("child_id", "err-already-member"));
                }
                // A child who left and comes back is the same member again, with what she
                // came to before.
                let id = b.uuid("id")?;
                sqlx::query("UPDATE community_members SET left_on = NULL, role = $1 WHERE id = $2")
                    .bind(role.code())
                    .bind(id.to_string())
                    .execute(&mut **tx)
                    .await?;
                let detail = json!({"member": id, "child": c, "role": role.code(), "rejoined": true});
                audit::append(
                    tx,
                    actor.into(),
                    Entry { action: "group.member-add", record_type: "community_group", record_id: Some(group.to_string()), detail },
                )
                .await?;
                return Ok(id);
            }
            Stored { child: Some(*c), household: None, name: None, sex: None, age_group: None, role: *role }
        }
        Member::Linked { link: Link::HouseholdMember(p), role } => {
            let row = sqlx::query("SELECT household_id, name_km, name_latin, sex, birth_year FROM household_members WHERE id = $1")
                .bind(p.to_string())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| StoreError::invalid("household_member_id", "err-invalid-choice"))?;
            let h = row.uuid("household_id")?;
            let household = crate::households::load(tx, h).await?;
            if household.org_id != actor.org_id || !decide(actor, Action::ViewHousehold, Target::Record(&household.owner())).allowed() {
                return Err(StoreError::invalid("household_member_id", "err-invalid-choice"));
            }
            let name = row.opt_text("name_km")?.or(row.opt_text("name_latin")?).unwrap_or_default();
            let already = sqlx::query(
                "SELECT 1 AS one FROM community_members WHERE group_id = $1 AND household_id = $2 AND name = $3 AND left_on IS NULL",
            )
            .bind(group.to_string())
            .bind(h.to_string())
            .bind(&name)
            .fetch_optional(&mut **tx)
            .await?;
            if already.is_some() {
                return Err(StoreError::invalid("household_member_id", "err-already-member"));
            }
            let sex = row.opt_text("sex")?.as_deref().and_then(Sex::parse);
            let age = row.opt_int("birth_year")?.and_then(|y| age_group_of(y, today));
            Stored { child: None, household: Some(h), name: Some(name), sex, age_group: age, role: *role }
        }
    };
    sqlx::query(
        "INSERT INTO community_members (id, group_id, child_id, household_id, name, sex, age_group, role, joined_on, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.to_string())
    .bind(group.to_string())
    .bind(child.map(|c| c.to_string()))
    .bind(household.map(|h| h.to_string()))
    .bind(&name)
    .bind(sex.map(Sex::code))
    .bind(age_group.map(AgeGroup::code))
    .bind(role.code())
    .bind(today.to_string())
    .bind(actor.user_id.to_string())
    .bind(now_text())
    .execute(&mut **tx)
    .await?;
    // The audit names the record linked, never the person's name.
    let detail = json!({"member": id, "child": child, "household": household, "role": role.code()});
    audit::append(
        tx,
        actor.into(),
        Entry { action: "group.member-add", record_type: "community_group", record_id: Some(group.to_string()), detail },
    )
    .await?;
    Ok(id)
}

impl Store {
    /// A member leaves the group (kept, with the sessions they came to, and listed apart).
    pub async fn leave_group(&self, actor: &Actor, group: Uuid, member: Uuid) -> Result<(), StoreError> {
        allowed(actor)?;
        let mut tx = self.write().await?;
        own_group(&mut tx, actor, group).await?;
        let n = sqlx::query("UPDATE community_members SET left_on = $1 WHERE id = $2 AND group_id = $3 AND left_on IS NULL")
            .bind(actor.today().to_string())
            .bind(member.to_string())
            .bind(group.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "group.member-leave",
                record_type: "community_group",
                record_id: Some(group.to_string()),
                detail: json!({"member": member}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The group's members, present ones first, by name. Audited: it names people.
    pub async fn group_members(&self, actor: &Actor, group: Uuid, khmer: bool) -> Result<Vec<MemberLine>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query(
            "SELECT m.id, m.child_id, m.household_id, m.name, m.sex, m.age_group, m.role, m.joined_on, m.left_on, \
             c.org_id, c.assigned_worker_id, c.co_worker_id, c.team_id, c.sex AS child_sex, c.birth_date_sort, \
             c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin, \
             (SELECT COUNT(*) FROM community_attendance a WHERE a.member_id = m.id) AS attended \
             FROM community_members m JOIN community_groups g ON g.id = m.group_id LEFT JOIN children c ON c.id = m.child_id \
             WHERE m.group_id = $1 AND g.org_id = $2 ORDER BY CASE WHEN m.left_on IS NULL THEN 0 ELSE 1 END, m.joined_on, m.id",
        )
        .bind(group.to_string())
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let today = actor.today();
        let mut out = Vec::with_capacity(rows.len());
        // The children named on the page, for their records' access history.
        let mut named = Vec::new();
        for r in &rows {
            let child = r.opt_uuid("child_id")?;
            let (name, sex, age_group, child_id) = match child {
                None => (r.opt_text("name")?, r.opt_code("sex", Sex::parse)?, r.opt_code("age_group", AgeGroup::parse)?, None),
                Some(c) => {
                    let owner = RecordOwner {
                        org_id: r.uuid("org_id")?,
                        assigned_worker: r.opt_uuid("assigned_worker_id")?,
                        co_worker: r.opt_uuid("co_worker_id")?,
                        team_id: r.opt_uuid("team_id")?,
                        outside: Outside::None,
                    };
                    let open = owner.org_id == actor.org_id && decide(actor, Action::ViewChild, Target::Record(&owner)).allowed();
                    let sex = r.opt_code("child_sex", Sex::parse)?;
                    let age = r
                        .opt_text("birth_date_sort")?
                        .and_then(|d| d.get(..4).and_then(|y| y.parse::<i64>().ok()))
                        .and_then(|y| age_group_of(y, today));
                    if open {
                        named.push(c);
                        let n = |k: &str| r.opt_text(k);
                        let shown = crate::children::display_name(
                            &n("family_name_km")?,
                            &n("given_name_km")?,
                            &n("family_name_latin")?,
                            &n("given_name_latin")?,
                            khmer,
                        );
                        (Some(shown), sex, age, Some(c))
                    } else {
                        // Counted in the group's figures, but nothing of her here: in a small
                        // club, a sex and an age would be enough to tell who she is.
                        let _ = (sex, age);
                        (None, None, None, None)
                    }
                }
            };
            out.push(MemberLine {
                id: r.uuid("id")?,
                child_id,
                household_id: r.opt_uuid("household_id")?,
                name,
                sex,
                age_group,
                role: r.code("role", MemberRole::parse)?,
                joined_on: r.text("joined_on")?,
                left_on: r.opt_text("left_on")?,
                attended: r.int("attended")?,
            });
        }
        self.audit_read(
            actor.into(),
            Entry {
                action: "group.view",
                record_type: "community_group",
                record_id: Some(group.to_string()),
                detail: json!({"members": out.len()}),
            },
        )
        .await?;
        Ok(out)
    }

    /// The people of these households (found by a search the actor may make), to add one to a
    /// group: (their id, household id, name, relationship code). Only the organisation's own.
    pub async fn household_people(&self, actor: &Actor, households: &[Uuid]) -> Result<Vec<(Uuid, Uuid, String, String)>, StoreError> {
        allowed(actor)?;
        let mut q = crate::sql::Sql::new(
            "SELECT m.id, m.household_id, COALESCE(m.name_km, m.name_latin, '') AS name, m.relationship FROM household_members m \
             JOIN households h ON h.id = m.household_id WHERE h.org_id = ",
        );
        q.bind_text(actor.org_id.to_string());
        q.push(" AND m.household_id IN (");
        for (n, h) in households.iter().take(50).enumerate() {
            if n > 0 {
                q.push(", ");
            }
            q.bind_text(h.to_string());
        }
        if households.is_empty() {
            return Ok(Vec::new());
        }
        q.push(") ORDER BY m.household_id, m.position");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.uuid("id")?, r.uuid("household_id")?, r.text("name")?, r.text("relationship")?)))
            .collect()
    }

    /// The groups a child is in (the child's page, which checked the child), the organisation's own.
    pub async fn child_groups(&self, actor: &Actor, child: Uuid) -> Result<Vec<(Uuid, String, MemberRole, i64)>, StoreError> {
        self.groups_of(actor, "m.child_id = $1", child).await
    }

    /// The groups a household's people are in (the household's page, which checked it).
    pub async fn household_groups(&self, actor: &Actor, household: Uuid) -> Result<Vec<(Uuid, String, MemberRole, i64)>, StoreError> {
        self.groups_of(
            actor,
            "(m.household_id = $1 OR m.child_id IN (SELECT child_id FROM household_children WHERE household_id = $1))",
            household,
        )
        .await
    }

    async fn groups_of(&self, actor: &Actor, cond: &'static str, id: Uuid) -> Result<Vec<(Uuid, String, MemberRole, i64)>, StoreError> {
        if allowed(actor).is_err() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT g.id, g.name, m.role, (SELECT COUNT(*) FROM community_attendance a WHERE a.member_id = m.id) AS attended \
             FROM community_members m JOIN community_groups g ON g.id = m.group_id WHERE {cond} AND g.org_id = $2 AND m.left_on IS NULL \
             ORDER BY g.name, g.id"
        )))
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.uuid("id")?, r.text("name")?, r.code("role", MemberRole::parse)?, r.int("attended")?))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_from_a_birth_year() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(age_group_of(2026, today), Some(AgeGroup::Under6));
        assert_eq!(age_group_of(2014, today), Some(AgeGroup::From12To17));
        assert_eq!(age_group_of(2002, today), Some(AgeGroup::From18To24));
        assert_eq!(age_group_of(1966, today), Some(AgeGroup::From60));
        assert_eq!(age_group_of(2030, today), None);
    }
}
