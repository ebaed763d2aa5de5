//! Indicators (defined in `krousar_domain::indicators`) over a period, within what the user may
//! see: each is one condition on a child, counted as "N (nF)" and listed by the same condition,
//! so that the figure and the list behind it always agree.

use crate::children::scope_sql;
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use krousar_domain::indicators::{Indicator, Period};
use krousar_domain::policy::list_scope;
use krousar_domain::{Action, Actor, ListScope};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorValue {
    pub code: &'static str,
    pub total: i64,
    pub female: i64,
}

/// The condition on `c` (a child) for `i` in the period [from, to_next): dates and timestamps
/// are both compared as text, which orders them by time.
fn condition(i: Indicator, q: &mut Sql, p: Period) {
    let (from, to_next) = (p.from.to_string(), (p.to + chrono::Duration::days(1)).to_string());
    let between = |q: &mut Sql, column: &str| {
        q.push(&format!(" AND {column} >= ")).bind_text(from.clone()).push(&format!(" AND {column} < ")).bind_text(to_next.clone());
    };
    match i {
        Indicator::Registered => between(q, "c.created_at"),
        Indicator::Reintegrated => {
            // A family-based placement: any but residential care and group homes.
            q.push(" AND EXISTS (SELECT 1 FROM case_entries e WHERE e.child_id = c.id AND e.kind = 'placement'");
            q.push(" AND e.body NOT LIKE '%\"kind\":\"residential\"%' AND e.body NOT LIKE '%\"kind\":\"group_home\"%'");
            between(q, "e.occurred_on");
            q.push(")");
        }
        Indicator::Visited => {
            q.push(" AND EXISTS (SELECT 1 FROM follow_up_visits v WHERE v.child_id = c.id");
            between(q, "v.done_on");
            q.push(")");
        }
        Indicator::VisitsDue => {
            q.push(" AND EXISTS (SELECT 1 FROM follow_up_visits v WHERE v.child_id = c.id");
            between(q, "v.due_on");
            q.push(")");
        }
        Indicator::Closed => {
            q.push(" AND EXISTS (SELECT 1 FROM cases k WHERE k.child_id = c.id");
            between(q, "k.closed_on");
            q.push(")");
        }
        Indicator::ReferredOut => {
            q.push(" AND EXISTS (SELECT 1 FROM referrals r WHERE r.child_id = c.id AND r.from_org = c.org_id");
            between(q, "r.sent_at");
            q.push(")");
        }
    }
}

fn scope(actor: &Actor) -> Result<ListScope, StoreError> {
    match list_scope(actor, Action::ListChildren) {
        ListScope::Nothing => Err(StoreError::Forbidden),
        s => Ok(s),
    }
}

impl Store {
    /// Every indicator for the period, disaggregated by sex.
    pub async fn indicators(&self, actor: &Actor, p: Period) -> Result<Vec<IndicatorValue>, StoreError> {
        let scope = scope(actor)?;
        let mut out = Vec::new();
        for i in Indicator::ALL {
            let mut q = Sql::new(
                "SELECT COUNT(*) AS total, CAST(SUM(CASE WHEN c.sex = 'female' THEN 1 ELSE 0 END) AS BIGINT) AS female FROM children c \
                 WHERE c.merged_into IS NULL",
            );
            condition(i, &mut q, p);
            scope_sql(&mut q, scope.clone(), "c")?;
            let r = q.query().fetch_one(&self.pool).await?;
            out.push(IndicatorValue { code: i.code(), total: r.int("total")?, female: r.opt_int("female")?.unwrap_or(0) });
        }
        Ok(out)
    }

    /// The children behind one indicator's figure (at most `limit`), newest first.
    pub async fn indicator_children(
        &self,
        actor: &Actor,
        i: Indicator,
        p: Period,
        limit: i64,
    ) -> Result<Vec<(Uuid, String, String)>, StoreError> {
        let scope = scope(actor)?;
        let mut q = Sql::new(
            "SELECT c.id, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin FROM children c \
             WHERE c.merged_into IS NULL",
        );
        condition(i, &mut q, p);
        scope_sql(&mut q, scope, "c")?;
        q.push(" ORDER BY c.seq DESC LIMIT ").bind_int(limit);
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let name = crate::children::row_name(r)?;
                Ok((r.uuid("id")?, r.text("case_number")?, name))
            })
            .collect()
    }
}
