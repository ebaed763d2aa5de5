//! National, provincial and per-organisation figures: counts only, never a child. The ministry
//! sees every organisation with small counts suppressed; a manager sees their own organisation,
//! exact and as of now.
//!
//! Figures "as of now" across organisations could be compared day by day to see one child
//! registered or moved into care (issue 19, item 6): national figures are taken once a quarter
//! — the first time they are asked for in it — and every later request of the quarter shows
//! that same snapshot, with the day it was taken.

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::figures::{protect_breakdown, Count};
use krousar_domain::indicators::Period;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The figures of one row, in the order of `METRICS`.
pub const METRICS: [&str; 5] = ["children", "in_rci", "open_cases", "follow_up", "high_risk"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Province,
    Organisation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FigureRow {
    /// Province code or organisation id.
    pub key: String,
    pub cells: Vec<Count>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
    /// Small counts are hidden (figures across organisations).
    pub suppressed: bool,
    /// For figures across organisations: the day the quarter's snapshot was taken.
    #[serde(default)]
    pub as_of: Option<String>,
}

impl Store {
    pub async fn figures(&self, actor: &Actor, by: GroupBy) -> Result<Figures, StoreError> {
        let national = decide(actor, Action::ViewAggregates, Target::Nothing).allowed();
        if !national && !decide(actor, Action::ViewAggregates, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let today = actor.today();
        if !national {
            return self.count_figures(Some(actor.org_id), by, today).await;
        }
        self.national_figures(by, today).await
    }

    /// The quarter's national figures (taken on its first request; the caller checked the
    /// policy): every organisation's, protected, as of the quarter's national day.
    pub(crate) async fn national_figures(&self, by: GroupBy, today: NaiveDate) -> Result<Figures, StoreError> {
        let quarter = Period::quarter_of(today).quarter_name().unwrap_or_default();
        // "v2": snapshots taken before issue 21 hid a whole figure for its few girls or boys; the
        // quarter's figures are taken again once, with the total shown (item 4).
        // "v3": states counted as of the quarter's national day (issue 21, item 3).
        let key = format!("figures:v3:{quarter}:{}", if by == GroupBy::Province { "province" } else { "organisation" });
        let stored = |row: Option<sqlx::any::AnyRow>| -> Result<Option<Figures>, StoreError> {
            let Some(row) = row else { return Ok(None) };
            let mut f: Figures = serde_json::from_str(&row.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            // The day counted (snapshots before the national day: the day taken).
            if f.as_of.is_none() {
                f.as_of = Some(row.text("taken_on")?);
            }
            Ok(Some(f))
        };
        let read = "SELECT body, taken_on FROM national_snapshots WHERE key = $1";
        if let Some(f) = stored(sqlx::query(read).bind(&key).fetch_optional(&self.pool).await?)? {
            return Ok(f);
        }
        // The first request of the quarter takes the snapshot; a request racing it keeps the
        // one that was written first, so everyone sees the same figures.
        let day = self.national_day(today).await?;
        let mut f = self.count_figures(None, by, day).await?;
        f.as_of = Some(day.to_string());
        let body = serde_json::to_string(&f).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("INSERT INTO national_snapshots (key, taken_on, body) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
            .bind(&key)
            .bind(today.to_string())
            .bind(body)
            .execute(&self.pool)
            .await?;
        stored(sqlx::query(read).bind(&key).fetch_optional(&self.pool).await?)?.ok_or(StoreError::NotFound)
    }

    /// The day national figures of the current quarter are counted as of: the end of the day
    /// before the quarter's first national request, kept once for the quarter. The figures
    /// page and every national indicator of the quarter count states (living in an RCI, open
    /// cases, follow-up) on this one day (issue 21, item 3), so they agree, and a change is not
    /// visible across organisations until the next quarter (issue 19).
    pub(crate) async fn national_day(&self, today: NaiveDate) -> Result<NaiveDate, StoreError> {
        let quarter = Period::quarter_of(today);
        let key = format!("national-day:{}", quarter.quarter_name().unwrap_or_default());
        let read = "SELECT body FROM national_snapshots WHERE key = $1";
        let parse = |b: String| NaiveDate::parse_from_str(&b, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(e.to_string()));
        if let Some(b) = sqlx::query_scalar::<_, String>(read).bind(&key).fetch_optional(&self.pool).await? {
            return parse(b);
        }
        // Never before the quarter began: its first day counts from the last day of the one before.
        let day = today.pred_opt().unwrap_or(today).max(quarter.from.pred_opt().unwrap_or(quarter.from));
        sqlx::query("INSERT INTO national_snapshots (key, taken_on, body) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
            .bind(&key)
            .bind(today.to_string())
            .bind(day.to_string())
            .execute(&self.pool)
            .await?;
        parse(sqlx::query_scalar::<_, String>(read).bind(&key).fetch_one(&self.pool).await?)
    }

    /// The figures: one organisation's (`org`), exact, or every organisation's (None),
    /// protected; states (living in an RCI, open cases, in follow-up) as of `day`, by the
    /// indicators' definitions.
    async fn count_figures(&self, org: Option<uuid::Uuid>, by: GroupBy, day: NaiveDate) -> Result<Figures, StoreError> {
        let national = org.is_none();
        let key = match by {
            GroupBy::Province => "c.province_code",
            GroupBy::Organisation => "c.org_id",
        };
        // Two passes: children counted by one scan of their table, case figures from the (far
        // smaller) cases table — a join of every child to its case made this 5× slower.
        let scope = |q: &mut Sql| {
            if let Some(org) = org {
                q.push(" AND c.org_id = ").bind_text(org.to_string());
            }
        };
        // Living in an RCI is the indicator's definition (stays on the day), not a field of the
        // record: one figure, one definition on every page (issue 21, item 3).
        let lit = crate::indicators::query::day_literal(day);
        let resident = crate::indicators::query::resident_on(&lit);
        // The cases pass joins each case already: the open-case definition on its row.
        let open = crate::indicators::query::case_open_on("k", &lit);
        let mut kids = Sql::new(&format!(
            "SELECT {key} AS g, c.sex, COUNT(*) AS children, SUM(CASE WHEN {resident} THEN 1 ELSE 0 END) AS in_rci, \
             CAST(0 AS BIGINT) AS open_cases, CAST(0 AS BIGINT) AS follow_up, CAST(0 AS BIGINT) AS high_risk FROM children c \
             WHERE c.merged_into IS NULL"
        ));
        scope(&mut kids);
        kids.push(&format!(" GROUP BY {key}, c.sex"));
        let mut cases = Sql::new(&format!(
            "SELECT {key} AS g, c.sex, CAST(0 AS BIGINT) AS children, CAST(0 AS BIGINT) AS in_rci, \
             SUM(CASE WHEN {open} THEN 1 ELSE 0 END) AS open_cases, \
             SUM(CASE WHEN k.stage = 'follow_up' AND k.placement_started_on <= {lit} AND (k.closed_on IS NULL OR k.closed_on > {lit}) THEN 1 ELSE 0 END) AS follow_up, \
             SUM(CASE WHEN k.risk_level = 'high' AND {open} THEN 1 ELSE 0 END) AS high_risk \
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
        // Across organisations no count may single out a child, nor be worked out from the
        // total less the others: each figure's column is protected against its total.
        if national {
            for (m, t) in total.iter_mut().enumerate() {
                let mut column: Vec<Count> = rows.iter().map(|r| r.cells[m]).collect();
                protect_breakdown(&mut column, t);
                for (r, c) in rows.iter_mut().zip(column) {
                    r.cells[m] = c;
                }
            }
        }
        Ok(Figures { rows, total: FigureRow { key: String::new(), cells: total }, suppressed: national, as_of: None })
    }
}
