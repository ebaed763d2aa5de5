//! National, provincial and per-organisation figures: counts only, never a child. The ministry
//! sees every organisation with small counts suppressed; a manager sees their own organisation.

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use krousar_domain::figures::{suppress_each, suppress_table, Count};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde::Serialize;
use std::collections::BTreeMap;

/// The figures of one row, in the order of `METRICS`.
pub const METRICS: [&str; 5] = ["children", "in_rci", "open_cases", "follow_up", "high_risk"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Province,
    Organisation,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureRow {
    /// Province code or organisation id.
    pub key: String,
    pub cells: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
    /// Small counts are hidden (figures across organisations).
    pub suppressed: bool,
}

impl Store {
    pub async fn figures(&self, actor: &Actor, by: GroupBy) -> Result<Figures, StoreError> {
        let national = decide(actor, Action::ViewAggregates, Target::Nothing).allowed();
        if !national && !decide(actor, Action::ViewAggregates, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let key = match by {
            GroupBy::Province => "c.province_code",
            GroupBy::Organisation => "c.org_id",
        };
        // Two passes: children counted by one scan of their table, case figures from the (far
        // smaller) cases table — a join of every child to its case made this 5× slower.
        let scope = |q: &mut Sql| {
            if !national {
                q.push(" AND c.org_id = ").bind_text(actor.org_id.to_string());
            }
        };
        let mut kids = Sql::new(&format!(
            "SELECT {key} AS g, c.sex, COUNT(*) AS children, SUM(CASE WHEN c.living_arrangement = 'in_rci' THEN 1 ELSE 0 END) AS in_rci, \
             CAST(0 AS BIGINT) AS open_cases, CAST(0 AS BIGINT) AS follow_up, CAST(0 AS BIGINT) AS high_risk FROM children c WHERE c.merged_into IS NULL"
        ));
        scope(&mut kids);
        kids.push(&format!(" GROUP BY {key}, c.sex"));
        let mut cases = Sql::new(&format!(
            "SELECT {key} AS g, c.sex, CAST(0 AS BIGINT) AS children, CAST(0 AS BIGINT) AS in_rci, \
             SUM(CASE WHEN k.closed_on IS NULL THEN 1 ELSE 0 END) AS open_cases, \
             SUM(CASE WHEN k.stage = 'follow_up' THEN 1 ELSE 0 END) AS follow_up, \
             SUM(CASE WHEN k.risk_level = 'high' AND k.closed_on IS NULL THEN 1 ELSE 0 END) AS high_risk \
             FROM cases k CROSS JOIN children c WHERE c.id = k.child_id AND c.merged_into IS NULL"
        ));
        scope(&mut cases);
        cases.push(&format!(" GROUP BY {key}, c.sex"));
        let mut groups: BTreeMap<String, Vec<Count>> = BTreeMap::new();
        let mut total = vec![Count::new(0, 0); METRICS.len()];
        let mut rows_in = kids.query().fetch_all(&self.pool).await?;
        rows_in.extend(cases.query().fetch_all(&self.pool).await?);
        for r in rows_in {
            let g = r.opt_text("g")?.unwrap_or_default();
            let female = r.text("sex")? == "female";
            let cells = groups.entry(g).or_insert_with(|| vec![Count::new(0, 0); METRICS.len()]);
            for (i, m) in METRICS.iter().enumerate() {
                let n = r.int(m)?;
                for c in [&mut cells[i], &mut total[i]] {
                    c.total += n;
                    if female {
                        c.female += n;
                    }
                }
            }
        }
        let mut rows: Vec<FigureRow> = groups.into_iter().map(|(key, cells)| FigureRow { key, cells }).collect();
        // Across organisations no count may single out a child.
        if national {
            let mut table: Vec<Vec<Count>> = rows.iter().map(|r| r.cells.clone()).collect();
            suppress_table(&mut table);
            for (r, cells) in rows.iter_mut().zip(table) {
                r.cells = cells;
            }
            suppress_each(&mut total);
        }
        Ok(Figures { rows, total: FigureRow { key: String::new(), cells: total }, suppressed: national })
    }
}
