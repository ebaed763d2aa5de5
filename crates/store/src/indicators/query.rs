//! Each indicator as SQL: one FROM and WHERE per indicator (the condition), an optional
//! grouping expression per dimension, and the scope. Counting and listing use the same text,
//! so a figure and the records behind it cannot disagree. Grouping expressions hold only
//! literals made here (codes and dates), never a user's string; values from users are bound.

use super::Resolved;
use crate::children::scope_sql;
use crate::community::sessions::MEMBER_SEX;
use crate::error::StoreError;
use crate::sql::Sql;
use krousar_domain::indicators::{age_band_bounds, Dimension, Indicator, Period, Unit};

/// A literal for SQL text: only codes and dates reach here, checked all the same.
fn lit(s: &str) -> String {
    assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || "-_+:".contains(c)), "not a code: {s}");
    format!("'{s}'")
}

/// The period as literals: [from, to_next) for dates and timestamps (compared as text).
struct Bounds {
    from: String,
    to: String,
    to_next: String,
    /// The day states are counted on (the end of the period, or the national day).
    state: String,
}

impl Bounds {
    fn of(p: Period, state_day: Option<chrono::NaiveDate>) -> Bounds {
        let state = state_day.map_or(p.to, |d| d.min(p.to));
        Bounds {
            from: lit(&p.from.to_string()),
            to: lit(&p.to.to_string()),
            to_next: lit(&(p.to + chrono::Duration::days(1)).to_string()),
            state: lit(&state.to_string()),
        }
    }

    fn between(&self, column: &str) -> String {
        format!("{column} >= {} AND {column} < {}", self.from, self.to_next)
    }
}

/// How rows are counted and what identifies and sexes them.
pub(super) struct Shape {
    pub sql: Sql,
    pub id: &'static str,
    pub sex: Option<&'static str>,
    pub group: String,
    /// Joins may repeat a record: count distinct ids.
    pub distinct: bool,
    /// A record counts for this many (total, female) instead of one (`Unit::weighted`).
    pub weight: Option<(String, String)>,
}

/// A placement in a family: the entry's own column (`CaseEntry::facts`), never its JSON body.
const FAMILY_PLACEMENT: &str = "e.placement_kind NOT IN ('residential', 'group_home')";

/// FROM … WHERE … for `i`, grouped by `dim`; None when the indicator does not apply to the scope.
pub(super) fn shape(i: Indicator, p: Period, dim: Option<Dimension>, r: &Resolved) -> Result<Option<Shape>, StoreError> {
    let b = Bounds::of(p, r.state_day);
    let mut group = String::from("''");
    let mut joins = String::new();
    let mut distinct = false;
    let child_dim = |d: Dimension, org: &str| -> String {
        match d {
            Dimension::AgeBand => {
                let mut s = String::from("CASE WHEN c.birth_date_sort IS NULL THEN ''");
                for (band, oldest) in age_band_bounds(p.to) {
                    match oldest {
                        Some(o) => s.push_str(&format!(" WHEN c.birth_date_sort >= {} THEN {}", lit(&o.to_string()), lit(band.as_str()))),
                        None => s.push_str(&format!(" ELSE {} END", lit(band.as_str()))),
                    }
                }
                s
            }
            Dimension::Disability => "c.disability".into(),
            Dimension::Province => "COALESCE(c.province_code, '')".into(),
            Dimension::District => "COALESCE(c.district_code, '')".into(),
            Dimension::Organisation => org.into(),
            Dimension::CareType => "COALESCE(k.placement_kind, '')".into(),
            Dimension::Risk => "COALESCE(k.risk_level, '')".into(),
            Dimension::Stage => "COALESCE(k.stage, '')".into(),
            Dimension::ClosureReason => "COALESCE(k.closure_reason, '')".into(),
            Dimension::PlacementType => "COALESCE(e.placement_kind, '')".into(),
            Dimension::Service => "COALESCE(e.service_kind, '')".into(),
            Dimension::Provider => "COALESCE(e.service_provider, '')".into(),
            Dimension::VisitBy => "COALESCE(e.visit_by, '')".into(),
            Dimension::VisitMode => "COALESCE(e.visit_mode, '')".into(),
            Dimension::Course | Dimension::RciStage | Dimension::GroupKind => "''".into(),
        }
    };
    let needs_case =
        |d: Option<Dimension>| matches!(d, Some(Dimension::CareType | Dimension::Risk | Dimension::Stage | Dimension::ClosureReason));
    let mut sql = match i.unit() {
        Unit::Child => {
            let Some(scope) = r.children.clone() else { return Ok(None) };
            if let Some(d) = dim {
                group = child_dim(d, "c.org_id");
                if needs_case(dim) {
                    joins.push_str(" LEFT JOIN cases k ON k.child_id = c.id");
                }
                if matches!(
                    d,
                    Dimension::PlacementType | Dimension::Service | Dimension::Provider | Dimension::VisitBy | Dimension::VisitMode
                ) {
                    let kind = match d {
                        Dimension::PlacementType => "placement",
                        Dimension::VisitBy | Dimension::VisitMode => "visit",
                        _ => "service",
                    };
                    joins.push_str(&format!(
                        " JOIN case_entries e ON e.child_id = c.id AND e.kind = {} AND {}",
                        lit(kind),
                        b.between("e.occurred_on")
                    ));
                    if d == Dimension::PlacementType {
                        joins.push_str(&format!(" AND {FAMILY_PLACEMENT}"));
                    }
                    distinct = true;
                }
            }
            let mut q = Sql::new(&format!(" FROM children c{joins} WHERE c.merged_into IS NULL AND "));
            q.push(&child_condition(i, &b));
            if let Some(scope) = scope {
                scope_sql(&mut q, scope, "c")?;
            }
            q
        }
        Unit::Referral => {
            let Some(org) = r.org_for_referrals else { return Ok(None) };
            if let Some(d) = dim {
                group = child_dim(d, "r.from_org");
                if needs_case(dim) {
                    joins.push_str(" LEFT JOIN cases k ON k.child_id = c.id");
                }
            }
            let mut q = Sql::new(&format!(" FROM referrals r JOIN children c ON c.id = r.child_id{joins} WHERE "));
            q.push(&match i {
                Indicator::ReferralsAccepted => format!("r.state = 'accepted' AND {}", b.between("r.decided_at")),
                Indicator::ReferralsDeclined => format!("r.state = 'declined' AND {}", b.between("r.decided_at")),
                _ => b.between("r.sent_at"),
            });
            if let Some(org) = org {
                q.push(" AND r.to_org = ").bind_text(org.to_string());
            }
            q
        }
        Unit::Rci => {
            group = match dim {
                Some(Dimension::Province) => "COALESCE(x.province_code, '')".into(),
                Some(Dimension::District) => "COALESCE(x.district_code, '')".into(),
                Some(Dimension::RciStage) => "x.transition_stage".into(),
                _ => group,
            };
            // An RCI counts when it was registered by the end of the period.
            Sql::new(&format!(" FROM rcis x WHERE x.created_at < {}", b.to_next))
        }
        Unit::Trainee => {
            let Some(org) = r.org_for_registers else { return Ok(None) };
            let attended = format!("p.attended = 1 AND p.session_id = s.id AND s.ends_on >= {} AND s.ends_on <= {}", b.from, b.to);
            let mut q = if dim == Some(Dimension::Course) {
                group = "s.course_id".into();
                distinct = true;
                Sql::new(&format!(" FROM trainees t JOIN session_participants p ON p.trainee_id = t.id JOIN training_sessions s ON {attended} WHERE 1 = 1"))
            } else {
                group = match dim {
                    Some(Dimension::Province) => "COALESCE(t.province_code, '')".into(),
                    Some(Dimension::Organisation) => "t.org_id".into(),
                    _ => group,
                };
                Sql::new(&format!(
                    " FROM trainees t WHERE t.id IN (SELECT p.trainee_id FROM session_participants p CROSS JOIN training_sessions s WHERE {attended})"
                ))
            };
            if let Some(org) = org {
                q.push(" AND t.org_id = ").bind_text(org.to_string());
            }
            q
        }
        Unit::GroupMember | Unit::GroupSession | Unit::Reached => {
            let Some(org) = r.org_for_groups else { return Ok(None) };
            group = match dim {
                Some(Dimension::Province) => format!("COALESCE({}, '')", province_column(i.unit())),
                Some(Dimension::Organisation) => "g.org_id".into(),
                Some(Dimension::GroupKind) => "g.kind".into(),
                _ => group,
            };
            let held = format!("s.held_on >= {} AND s.held_on <= {}", b.from, b.to);
            let mut q = match i.unit() {
                // A caregiver who came to a parenting club's session in the period.
                Unit::GroupMember => Sql::new(&format!(
                    " FROM community_members m JOIN community_groups g ON g.id = m.group_id LEFT JOIN children c ON c.id = m.child_id \
                     WHERE m.role = 'caregiver' AND g.kind = 'parenting_club' AND m.id IN (SELECT a.member_id FROM community_attendance a \
                     JOIN community_sessions s ON s.id = a.session_id WHERE {held})"
                )),
                Unit::GroupSession => {
                    Sql::new(&format!(" FROM community_sessions s JOIN community_groups g ON g.id = s.group_id WHERE {held}"))
                }
                _ => Sql::new(&format!(
                    " FROM community_sessions s JOIN community_groups g ON g.id = s.group_id WHERE g.kind = 'awareness_campaign' AND {held}"
                )),
            };
            if let Some(org) = org {
                q.push(" AND g.org_id = ").bind_text(org.to_string());
            }
            q
        }
        Unit::CarerHousehold => return Ok(None),
    };
    if let Some(province) = &r.province {
        sql.push(&format!(" AND {} = ", province_column(i.unit()))).bind_text(province.clone());
    }
    let (id, sex) = match i.unit() {
        Unit::Child => ("c.id", Some("c.sex")),
        Unit::Referral => ("r.id", Some("c.sex")),
        Unit::Rci => ("x.id", None),
        Unit::Trainee => ("t.id", Some("t.sex")),
        Unit::GroupMember => ("m.id", Some(MEMBER_SEX)),
        Unit::GroupSession | Unit::Reached => ("s.id", None),
        Unit::CarerHousehold => unreachable!("counted from the carers' facts"),
    };
    // A session of an awareness event counts its members who came and the people it reached.
    let came = |female: bool| {
        let only = if female { format!(" AND {MEMBER_SEX} = 'female'") } else { String::new() };
        format!(
            "(SELECT COUNT(*) FROM community_attendance a JOIN community_members m ON m.id = a.member_id \
             LEFT JOIN children c ON c.id = m.child_id WHERE a.session_id = s.id{only})"
        )
    };
    let weight = i
        .unit()
        .weighted()
        .then(|| (format!("(s.reached_female + s.reached_male + {})", came(false)), format!("(s.reached_female + {})", came(true))));
    Ok(Some(Shape { sql, id, sex, group, distinct, weight }))
}

/// The column that holds where a record of this unit is.
pub(super) fn province_column(unit: Unit) -> &'static str {
    match unit {
        Unit::Rci => "x.province_code",
        Unit::Trainee => "t.province_code",
        // A group's province is its village's first two digits (the gazetteer's codes nest).
        Unit::GroupMember | Unit::GroupSession | Unit::Reached => "substr(g.village_code, 1, 2)",
        _ => "c.province_code",
    }
}

/// The one definition of "living in an RCI on `day`" (a SQL date literal): a stay that began
/// by then and had not ended. The indicators, the figures pages and `krousar check` all ask this.
pub(crate) fn resident_on(day: &str) -> String {
    format!("c.id IN (SELECT child_id FROM residence_periods WHERE entered <= {day} AND (left_on IS NULL OR left_on > {day}))")
}

/// The one definition of "a case open on `day`" (a SQL date literal).
pub(crate) fn open_on(day: &str) -> String {
    format!("c.id IN (SELECT k.child_id FROM cases k WHERE {})", case_open_on("k", day))
}

/// The same definition on a `cases` row already at hand (`alias`): no second scan of cases.
pub(crate) fn case_open_on(alias: &str, day: &str) -> String {
    format!("{alias}.opened_on <= {day} AND ({alias}.closed_on IS NULL OR {alias}.closed_on > {day})")
}

/// A date as a SQL literal.
pub(crate) fn day_literal(day: chrono::NaiveDate) -> String {
    lit(&day.to_string())
}

/// The condition on `c` (a child) for a child indicator.
fn child_condition(i: Indicator, b: &Bounds) -> String {
    let entries = |kinds: &str, more: &str| {
        format!("c.id IN (SELECT e.child_id FROM case_entries e WHERE e.kind IN ({kinds}) AND {}{more})", b.between("e.occurred_on"))
    };
    match i {
        Indicator::Registered => b.between("c.created_at"),
        Indicator::InRciAtStart => resident_on(&b.from),
        Indicator::InRci => resident_on(&b.state),
        Indicator::OpenCases => open_on(&b.state),
        Indicator::Assessed => entries("'csi', 'assessment'", ""),
        Indicator::Traced => entries("'tracing_attempt'", ""),
        Indicator::FamilyFound => entries("'tracing_attempt'", " AND e.tracing_outcome = 'found'"),
        Indicator::Reintegrated => entries("'placement'", &format!(" AND {FAMILY_PLACEMENT}")),
        Indicator::InFollowUp => format!(
            "c.id IN (SELECT child_id FROM cases WHERE stage = 'follow_up' AND placement_started_on <= {} AND (closed_on IS NULL OR closed_on > {}))",
            b.state, b.state
        ),
        Indicator::VisitsDue => format!("c.id IN (SELECT child_id FROM follow_up_visits WHERE {})", b.between("due_on")),
        // Every visit made counts, an extra one too (it fulfils no due visit, issue 21).
        Indicator::Visited => entries("'visit'", ""),
        Indicator::Served => entries("'service'", ""),
        Indicator::Closed => format!("c.id IN (SELECT child_id FROM cases WHERE {})", b.between("closed_on")),
        Indicator::ReferredOut => format!("c.id IN (SELECT child_id FROM referrals WHERE {})", b.between("sent_at")),
        Indicator::CashGranted => "c.id IN (SELECT child_id FROM cash_support WHERE granted_on IS NOT NULL)".into(),
        Indicator::CashPaid => format!("c.id IN (SELECT child_id FROM cash_payments WHERE status = 'paid' AND {})", b.between("paid_on")),
        // A child of a household that received a distribution in the period.
        Indicator::SupportReceived => format!(
            "c.id IN (SELECT hc.child_id FROM household_children hc JOIN distribution_households x ON x.household_id = hc.household_id \
             JOIN distributions d ON d.id = x.distribution_id WHERE x.state = 'received' AND d.org_id = c.org_id AND {})",
            b.between("x.received_on")
        ),
        _ => "1 = 0".into(),
    }
}

/// The count (total and female) of a shape, grouped when it has a grouping.
pub(super) fn count_sql(s: &Shape, grouped: bool) -> String {
    let g = if grouped { s.group.clone() } else { "''".into() };
    if let Some((total, female)) = &s.weight {
        return format!(
            "SELECT {g} AS g, CAST(COALESCE(SUM({total}), 0) AS BIGINT) AS total, CAST(COALESCE(SUM({female}), 0) AS BIGINT) AS female"
        );
    }
    let female = match s.sex {
        Some(sex) if s.distinct => format!("COUNT(DISTINCT CASE WHEN {sex} = 'female' THEN {} END)", s.id),
        Some(sex) => format!("CAST(SUM(CASE WHEN {sex} = 'female' THEN 1 ELSE 0 END) AS BIGINT)"),
        None => "CAST(0 AS BIGINT)".into(),
    };
    let total = if s.distinct { format!("COUNT(DISTINCT {})", s.id) } else { "COUNT(*)".into() };
    format!("SELECT {g} AS g, {total} AS total, {female} AS female")
}
