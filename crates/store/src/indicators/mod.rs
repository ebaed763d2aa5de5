//! Indicators (defined in `krousar_domain::indicators`) over a period, within a reach the user
//! holds — their caseload, what they may list, or national figures for the ministry — and
//! optionally one province. Each is counted as "N (nF)", broken down by a dimension, and listed
//! by the same query, so that a figure and the records behind it always agree. National figures
//! are counts only: small counts are suppressed and nothing is listed.

mod carers;
mod extras;
mod national;
pub(crate) mod query;

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::figures::Count;
use krousar_domain::indicators::{Dimension, Indicator, Period, Unit};
use krousar_domain::policy::{decide, list_scope, Target};
use krousar_domain::{Action, Actor, ListScope};
use serde::Serialize;
use uuid::Uuid;

pub use extras::CsiChange;

/// Whose figures: the user's own caseload, everything the user may list, or the nation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    Caseload,
    Visible,
    National,
}

impl Reach {
    pub fn parse(s: &str) -> Option<Reach> {
        match s {
            "caseload" => Some(Reach::Caseload),
            "visible" => Some(Reach::Visible),
            "national" => Some(Reach::National),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Reach::Caseload => "caseload",
            Reach::Visible => "visible",
            Reach::National => "national",
        }
    }

    /// What a user sees first: the ministry the nation, everyone else what they may list.
    pub fn default_for(actor: &Actor) -> Reach {
        match list_scope(actor, Action::ListChildren) {
            ListScope::Nothing if decide(actor, Action::ViewAggregates, Target::Nothing).allowed() => Reach::National,
            _ => Reach::Visible,
        }
    }

    /// The reaches this user may choose from.
    pub fn available(actor: &Actor) -> Vec<Reach> {
        let mut out = Vec::new();
        match list_scope(actor, Action::ListChildren) {
            ListScope::Nothing => {}
            ListScope::Own(_) => out.push(Reach::Visible),
            _ => out.extend([Reach::Caseload, Reach::Visible]),
        }
        if decide(actor, Action::ViewAggregates, Target::Nothing).allowed() {
            out.push(Reach::National);
        }
        out
    }
}

/// A reach turned into filters, one per kind of record (None: not within this reach).
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// Some(None): every child, for counts only.
    children: Option<Option<ListScope>>,
    org_for_referrals: Option<Option<Uuid>>,
    org_for_registers: Option<Option<Uuid>>,
    /// Community groups of this organisation (None: all).
    org_for_groups: Option<Option<Uuid>>,
    /// Carers of this organisation (None: all), of this worker only.
    carers: Option<(Option<Uuid>, Option<Uuid>)>,
    province: Option<String>,
    national: bool,
    /// National figures of the current quarter count states (living in an RCI, open cases, in
    /// follow-up) as of this day: the quarter's national day (`Store::national_day`), the same
    /// day the figures page tells, never a live count that moves from day to day.
    state_day: Option<chrono::NaiveDate>,
}

impl Resolved {
    /// Everything, for national counts only (the caller checked the policy).
    fn national(province: Option<String>) -> Resolved {
        Resolved {
            children: Some(None),
            org_for_referrals: Some(None),
            org_for_registers: Some(None),
            org_for_groups: Some(None),
            carers: Some((None, None)),
            province,
            national: true,
            state_day: None,
        }
    }

    /// The period figures are counted over: national figures use whole quarters only.
    pub(crate) fn period(&self, p: Period) -> Period {
        if self.national {
            p.national()
        } else {
            p
        }
    }

    /// National figures are protected against small counts (RCIs and sessions are not people:
    /// counted exactly everywhere).
    fn protects(&self, unit: Unit) -> bool {
        self.national && unit.counts_people()
    }
}

fn resolve(actor: &Actor, reach: Reach, province: Option<&str>) -> Result<Resolved, StoreError> {
    let province = province.filter(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit())).map(str::to_string);
    let org = actor.org_id;
    let carers_allowed = decide(actor, Action::ListCarers, Target::Organisation(org)).allowed();
    let training = decide(actor, Action::ManageTraining, Target::Organisation(org)).allowed();
    let groups = decide(actor, Action::ManageGroups, Target::Organisation(org)).allowed();
    match reach {
        Reach::National => {
            if !decide(actor, Action::ViewAggregates, Target::Nothing).allowed() {
                return Err(StoreError::Forbidden);
            }
            Ok(Resolved::national(province))
        }
        Reach::Caseload | Reach::Visible => {
            let scope = match (reach, list_scope(actor, Action::ListChildren)) {
                (_, ListScope::Nothing) => return Err(StoreError::Forbidden),
                (Reach::Caseload, _) => ListScope::Own(actor.user_id),
                (_, s) => s,
            };
            let own = matches!(scope, ListScope::Own(_));
            Ok(Resolved {
                org_for_referrals: (!own).then_some(Some(org)),
                org_for_registers: (!own && training).then_some(Some(org)),
                org_for_groups: (!own && groups).then_some(Some(org)),
                carers: carers_allowed.then_some((Some(org), own.then_some(actor.user_id))),
                children: Some(Some(scope)),
                province,
                national: false,
                state_day: None,
            })
        }
    }
}

/// One figure: its count (suppressed in national figures when small) and whether the records
/// behind it can be listed for this user.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Figure {
    pub code: &'static str,
    #[serde(skip)]
    pub indicator: Indicator,
    pub count: Count,
    pub has_sex: bool,
    pub listable: bool,
}

/// One value of a breakdown, with the name of a place, organisation or course when it is one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub value: String,
    pub name_km: Option<String>,
    pub name_latin: Option<String>,
    pub count: Count,
}

/// One record behind a figure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Record {
    pub href: String,
    pub label: String,
    /// How many this record counts for, when it stands for several (a session for the
    /// people it reached): the numbers of a figure's records add up to the figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// The day of a record that is an event (a session), for the reader to see it in their digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
}

impl Store {
    /// `resolve`, with the national day of the current quarter for national figures.
    pub(crate) async fn resolve_on(&self, actor: &Actor, reach: Reach, province: Option<&str>, p: Period) -> Result<Resolved, StoreError> {
        let r = resolve(actor, reach, province)?;
        self.on_national_day(r, p, actor.today()).await
    }

    async fn on_national_day(&self, mut r: Resolved, p: Period, today: NaiveDate) -> Result<Resolved, StoreError> {
        if r.national {
            let q = p.national();
            if q.from <= today && today <= q.to {
                r.state_day = Some(self.national_day(today).await?);
            }
        }
        Ok(r)
    }

    /// The nation's protected count of each indicator, as the ministry's dashboard shows it
    /// (for `krousar check`, which asks as no one: the caller checked the policy).
    pub(crate) async fn national_counts(&self, which: &[Indicator], p: Period, today: NaiveDate) -> Result<Vec<Count>, StoreError> {
        let r = self.on_national_day(Resolved::national(None), p, today).await?;
        let p = r.period(p);
        let mut out = Vec::new();
        for &i in which {
            out.push(self.national_table(&r, i, None, p).await?.map(|t| t.total).unwrap_or_default());
        }
        Ok(out)
    }

    /// Every indicator that applies within the reach, for the period.
    pub async fn indicator_figures(
        &self,
        actor: &Actor,
        reach: Reach,
        province: Option<&str>,
        p: Period,
    ) -> Result<Vec<Figure>, StoreError> {
        self.indicator_figures_of(actor, reach, province, Indicator::ALL, p).await
    }

    /// The figures of these indicators (those within the reach), in the order given.
    pub async fn indicator_figures_of(
        &self,
        actor: &Actor,
        reach: Reach,
        province: Option<&str>,
        which: &[Indicator],
        p: Period,
    ) -> Result<Vec<Figure>, StoreError> {
        let r = self.resolve_on(actor, reach, province, p).await?;
        let p = r.period(p);
        // Carer households are read once for all their indicators.
        let carers = match which.iter().any(|i| i.unit() == Unit::CarerHousehold) {
            true => self.carer_rows(&r).await?,
            false => None,
        };
        let mut out = Vec::new();
        for &i in which {
            if r.protects(i.unit()) {
                // The nation's or the province's count, as every other national answer has it.
                let Some(t) = self.national_table(&r, i, None, p).await? else { continue };
                let count = r.province.as_deref().map_or(t.total, |pr| t.row(pr));
                out.push(Figure { code: i.code(), indicator: i, count, has_sex: i.unit().has_sex(), listable: false });
                continue;
            }
            let groups = match (i.unit(), &carers) {
                (Unit::CarerHousehold, Some(rows)) => Some(carers::carer_groups_of(rows, i, None, p)),
                (Unit::CarerHousehold, None) => None,
                _ => self.groups(&r, i, None, p).await?,
            };
            let Some(groups) = groups else { continue };
            let count = groups.into_iter().next().map(|g| g.count).unwrap_or(Count::new(0, 0));
            out.push(Figure { code: i.code(), indicator: i, count, has_sex: i.unit().has_sex(), listable: !r.national });
        }
        Ok(out)
    }

    /// One indicator broken down by `dim`, largest first, with its total.
    pub async fn indicator_breakdown(
        &self,
        actor: &Actor,
        reach: Reach,
        province: Option<&str>,
        i: Indicator,
        dim: Dimension,
        p: Period,
    ) -> Result<(Vec<Group>, Count), StoreError> {
        let r = self.resolve_on(actor, reach, province, p).await?;
        let p = r.period(p);
        if !dim.applies_to(i) {
            return Err(StoreError::invalid("by", "err-indicator-dimension"));
        }
        let (mut groups, total) = if r.protects(i.unit()) {
            // A slice of the national table: the nation's values, or one province's.
            let t = self.national_table(&r, i, Some(dim), p).await?.unwrap_or_default();
            match (r.province.as_deref(), dim) {
                (None, Dimension::Province) => (national::as_groups(t.rows.clone()), t.total),
                (None, _) => (national::as_groups(t.columns.clone()), t.total),
                (Some(pr), Dimension::Province) => {
                    (national::as_groups(t.rows.iter().filter(|(k, _)| *k == pr).map(|(k, c)| (k.clone(), *c)).collect()), t.row(pr))
                }
                (Some(pr), _) => (national::as_groups(t.within(pr)), t.row(pr)),
            }
        } else {
            let total = self.groups(&r, i, None, p).await?.and_then(|g| g.into_iter().next()).map(|g| g.count).unwrap_or(Count::new(0, 0));
            (self.groups(&r, i, Some(dim), p).await?.unwrap_or_default(), total)
        };
        groups.sort_by(|a, b| b.count.total.cmp(&a.count.total).then(a.value.cmp(&b.value)));
        self.name_indicator_groups(dim, &mut groups).await?;
        Ok((groups, total))
    }

    /// The records behind a figure (or one value of its breakdown), at most `limit`; children
    /// named in the reader's script first (`khmer`).
    #[allow(clippy::too_many_arguments)]
    pub async fn indicator_records(
        &self,
        actor: &Actor,
        reach: Reach,
        province: Option<&str>,
        i: Indicator,
        group: Option<(Dimension, &str)>,
        p: Period,
        limit: i64,
        khmer: bool,
    ) -> Result<Vec<Record>, StoreError> {
        let r = resolve(actor, reach, province)?;
        if r.national {
            return Err(StoreError::Forbidden);
        }
        if i.unit() == Unit::CarerHousehold {
            return self.carer_records(&r, i, group, p, limit).await;
        }
        let dim = group.map(|g| g.0);
        let Some(mut s) = query::shape(i, p, dim, &r)? else { return Ok(Vec::new()) };
        if let Some((_, value)) = group {
            s.sql.push(&format!(" AND {} = ", s.group)).bind_text(value.to_string());
        }
        let (select, order) = match i.unit() {
            Unit::Child => (
                "SELECT DISTINCT c.seq, c.id, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin",
                " ORDER BY c.seq DESC",
            ),
            Unit::Referral => (
                "SELECT DISTINCT r.id, r.sent_at, r.state, (SELECT name FROM organisations o WHERE o.id = r.from_org) AS name",
                " ORDER BY r.sent_at DESC",
            ),
            Unit::Rci => ("SELECT DISTINCT x.id, x.name", " ORDER BY x.name"),
            Unit::Trainee => ("SELECT DISTINCT t.id, t.name", " ORDER BY t.name"),
            Unit::GroupMember => ("SELECT DISTINCT m.id, g.id AS group_id, g.name AS group_name, m.name", " ORDER BY g.name, m.name, m.id"),
            Unit::GroupSession | Unit::Reached => {
                ("SELECT DISTINCT s.id, s.held_on, s.topic, g.id AS group_id, g.name AS group_name", " ORDER BY s.held_on DESC, s.id")
            }
            Unit::CarerHousehold => unreachable!(),
        };
        let weight = s.weight.clone();
        let select = match &weight {
            Some((total, _)) => format!("{select}, {total} AS weight"),
            None => select.to_string(),
        };
        let mut q = crate::sql::Sql::new(&select);
        q.push(&s.sql.text);
        let text = format!("{}{order} LIMIT {}", q.text, limit.clamp(1, 100_000));
        let mut q = s.sql;
        q.text = text;
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(match i.unit() {
                    Unit::Child => Record {
                        href: format!("/children/{}", row.uuid("id")?),
                        label: {
                            let name = |k: &str| row.opt_text(k);
                            let shown = crate::children::display_name(
                                &name("family_name_km")?,
                                &name("given_name_km")?,
                                &name("family_name_latin")?,
                                &name("given_name_latin")?,
                                khmer,
                            );
                            format!("{} · {shown}", row.text("case_number")?)
                        },
                        count: None,
                        on: None,
                    },
                    Unit::Referral => Record {
                        href: "/referrals".into(),
                        label: format!(
                            "{} · {} · {}",
                            &row.text("sent_at")?[..10.min(row.text("sent_at")?.len())],
                            row.opt_text("name")?.unwrap_or_default(),
                            row.text("state")?
                        ),
                        count: None,
                        on: None,
                    },
                    Unit::Rci => Record { href: format!("/rcis/{}", row.uuid("id")?), label: row.text("name")?, count: None, on: None },
                    // A member linked to a child has no name of its own here: the group's page
                    // names it for those who may open the child.
                    Unit::GroupMember => Record {
                        href: format!("/groups/{}", row.uuid("group_id")?),
                        label: [Some(row.text("group_name")?), row.opt_text("name")?].into_iter().flatten().collect::<Vec<_>>().join(" · "),
                        count: None,
                        on: None,
                    },
                    Unit::GroupSession | Unit::Reached => Record {
                        href: format!("/groups/{}", row.uuid("group_id")?),
                        label: format!("{} · {}", row.text("group_name")?, row.text("topic")?),
                        count: if weight.is_some() { Some(row.int("weight")?) } else { None },
                        on: Some(row.text("held_on")?),
                    },
                    _ => Record { href: format!("/training/people/{}", row.uuid("id")?), label: row.text("name")?, count: None, on: None },
                })
            })
            .collect()
    }

    /// A report or export of figures leaves a trace like any export.
    pub async fn record_report(&self, actor: &Actor, detail: serde_json::Value) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        crate::audit::append(
            &mut tx,
            actor.into(),
            crate::audit::Entry { action: "indicators.report", record_type: "report", record_id: None, detail },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The counts of one indicator, grouped by `dim` (one row with value "" when None); None
    /// when the indicator is not within the reach.
    async fn groups(&self, r: &Resolved, i: Indicator, dim: Option<Dimension>, p: Period) -> Result<Option<Vec<Group>>, StoreError> {
        if i.unit() == Unit::CarerHousehold {
            return self.carer_groups(r, i, dim, p).await;
        }
        let Some(s) = query::shape(i, p, dim, r)? else { return Ok(None) };
        let head = query::count_sql(&s, dim.is_some());
        let mut q = s.sql;
        q.text = match dim {
            Some(_) => format!("{head}{} GROUP BY {}", q.text, s.group),
            None => format!("{head}{}", q.text),
        };
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for row in rows {
            out.push(Group {
                value: row.opt_text("g")?.unwrap_or_default(),
                name_km: None,
                name_latin: None,
                count: Count::new(row.int("total")?, row.opt_int("female")?.unwrap_or(0)),
            });
        }
        if dim.is_none() && out.is_empty() {
            out.push(Group { value: String::new(), name_km: None, name_latin: None, count: Count::new(0, 0) });
        }
        Ok(Some(out))
    }

    /// Names for places, organisations and courses (one read each, whatever the number of
    /// groups).
    pub async fn name_indicator_groups(&self, dim: Dimension, groups: &mut [Group]) -> Result<(), StoreError> {
        let names: std::collections::HashMap<String, (String, String)> = match dim {
            Dimension::Province | Dimension::District => {
                let places = self.places().await?;
                groups
                    .iter()
                    .filter_map(|g| places.by_code.get(&g.value).map(|l| (g.value.clone(), (l.name_km.clone(), l.name_latin.clone()))))
                    .collect()
            }
            Dimension::Organisation | Dimension::Course => {
                let sql =
                    if dim == Dimension::Course { "SELECT id, title AS name FROM courses" } else { "SELECT id, name FROM organisations" };
                let mut m = std::collections::HashMap::new();
                for row in sqlx::query(sql).fetch_all(&self.pool).await? {
                    let name = row.text("name")?;
                    m.insert(row.text("id")?, (name.clone(), name));
                }
                m
            }
            _ => return Ok(()),
        };
        for g in groups.iter_mut() {
            if let Some((km, latin)) = names.get(&g.value) {
                g.name_km = Some(km.clone());
                g.name_latin = Some(latin.clone());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use krousar_domain::Role;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Uuid::now_v7(),
            org_id: Uuid::now_v7(),
            role,
            team_id: Some(Uuid::now_v7()),
            teams: vec![],
            via: Default::default(),
            now: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_worker_reaches_their_caseload_and_the_ministry_the_nation() {
        let worker = actor(Role::SocialWorker);
        assert_eq!(Reach::default_for(&worker), Reach::Visible);
        assert_eq!(Reach::available(&worker), vec![Reach::Visible]);
        assert!(resolve(&worker, Reach::National, None).is_err(), "a worker never sees national figures");
        let r = resolve(&worker, Reach::Visible, Some("12")).unwrap();
        assert!(r.org_for_referrals.is_none() && r.org_for_registers.is_none(), "a caseload holds no organisation's referrals");
        assert_eq!(r.province.as_deref(), Some("12"));
        assert!(resolve(&worker, Reach::Visible, Some("1' OR 1=1")).unwrap().province.is_none());
        let ministry = actor(Role::Ministry);
        assert_eq!(Reach::default_for(&ministry), Reach::National);
        assert!(resolve(&ministry, Reach::National, None).unwrap().national);
        let manager = actor(Role::Manager);
        assert_eq!(Reach::available(&manager), vec![Reach::Caseload, Reach::Visible]);
        assert_eq!(resolve(&manager, Reach::Visible, None).unwrap().org_for_referrals, Some(Some(manager.org_id)));
    }
}
