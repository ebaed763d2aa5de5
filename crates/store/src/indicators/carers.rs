//! Carer households are counted from their pipeline's facts with the same rules that show their
//! stage (`CarerFacts::stage`), so the register and the figures agree. An organisation holds
//! hundreds of carers, the nation thousands: reading them is cheap.

use super::{Group, Record, Resolved};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use krousar_domain::carer::{CarerFacts, CarerStage};
use krousar_domain::figures::Count;
use krousar_domain::indicators::{Dimension, Indicator, Period};
use std::collections::BTreeMap;

pub(super) struct CarerRow {
    id: String,
    name: String,
    org: String,
    province: String,
    facts: CarerFacts,
    placed: i64,
}

/// Whether a carer household counts for `i` in the period.
fn counts(i: Indicator, c: &CarerRow, p: Period) -> bool {
    let stage = c.facts.stage(p.to);
    match i {
        Indicator::CarersEnquired => p.from <= c.facts.enquired_on && c.facts.enquired_on <= p.to,
        Indicator::CarersApproved => matches!(stage, CarerStage::Approved | CarerStage::Available),
        Indicator::CarersAvailable => stage == CarerStage::Available,
        Indicator::CarersWithChildren => c.placed > 0,
        _ => false,
    }
}

fn value(dim: Option<Dimension>, c: &CarerRow) -> String {
    match dim {
        Some(Dimension::Province) => c.province.clone(),
        Some(Dimension::Organisation) => c.org.clone(),
        _ => String::new(),
    }
}

/// The counts of one carer indicator over rows already read.
pub(super) fn carer_groups_of(rows: &[CarerRow], i: Indicator, dim: Option<Dimension>, p: Period) -> Vec<Group> {
    let mut groups: BTreeMap<String, i64> = BTreeMap::new();
    if dim.is_none() {
        groups.insert(String::new(), 0);
    }
    for c in rows.iter().filter(|c| counts(i, c, p)) {
        *groups.entry(value(dim, c)).or_default() += 1;
    }
    groups.into_iter().map(|(value, n)| Group { value, name_km: None, name_latin: None, count: Count::new(n, 0) }).collect()
}

/// The counts of one carer indicator by (province, value of `dim`), for national tables.
pub(super) fn carer_grid_of(rows: &[CarerRow], i: Indicator, dim: Dimension, p: Period) -> BTreeMap<(String, String), Count> {
    let mut grid: BTreeMap<(String, String), Count> = BTreeMap::new();
    for c in rows.iter().filter(|c| counts(i, c, p)) {
        grid.entry((c.province.clone(), value(Some(dim), c))).or_insert(Count::new(0, 0)).total += 1;
    }
    grid
}

impl Store {
    pub(super) async fn carer_rows(&self, r: &Resolved) -> Result<Option<Vec<CarerRow>>, StoreError> {
        let Some((org, worker)) = r.carers else { return Ok(None) };
        let mut q = Sql::new(
            "SELECT k.id, k.name, k.org_id, k.province_code, k.facts, \
             (SELECT COUNT(*) FROM cases c WHERE c.placement_household_id = k.household_id AND c.closed_on IS NULL) AS placed \
             FROM carers k WHERE 1 = 1",
        );
        if let Some(org) = org {
            q.push(" AND k.org_id = ").bind_text(org.to_string());
        }
        if let Some(w) = worker {
            q.push(" AND k.worker_id = ").bind_text(w.to_string());
        }
        if let Some(p) = &r.province {
            q.push(" AND k.province_code = ").bind_text(p.clone());
        }
        q.push(" ORDER BY k.name");
        let mut out = Vec::new();
        for row in q.query().fetch_all(&self.pool).await? {
            out.push(CarerRow {
                id: row.text("id")?,
                name: row.text("name")?,
                org: row.text("org_id")?,
                province: row.opt_text("province_code")?.unwrap_or_default(),
                facts: serde_json::from_str(&row.text("facts")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                placed: row.int("placed")?,
            });
        }
        Ok(Some(out))
    }

    pub(super) async fn carer_groups(
        &self,
        r: &Resolved,
        i: Indicator,
        dim: Option<Dimension>,
        p: Period,
    ) -> Result<Option<Vec<Group>>, StoreError> {
        Ok(self.carer_rows(r).await?.map(|rows| carer_groups_of(&rows, i, dim, p)))
    }

    pub(super) async fn carer_records(
        &self,
        r: &Resolved,
        i: Indicator,
        group: Option<(Dimension, &str)>,
        p: Period,
        limit: i64,
    ) -> Result<Vec<Record>, StoreError> {
        let rows = self.carer_rows(r).await?.unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|c| counts(i, c, p) && group.is_none_or(|(d, v)| value(Some(d), c) == v))
            .take(limit.max(0) as usize)
            .map(|c| Record { href: format!("/carers/{}", c.id), label: c.name, count: None, on: None })
            .collect())
    }
}
