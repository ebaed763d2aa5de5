//! National figures of one indicator: the nation's count, each province's, each value of the
//! breakdown across the nation and within each province, counted together and protected as one
//! table (`krousar_domain::figures::Table`). Every national answer — the nation or a province,
//! with or without a breakdown — is a slice of that table, so a count hidden in one answer is
//! hidden in every other, and none can be worked out from the totals (issue 19, item 6).

use super::{carers, query, Group, Resolved};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use krousar_domain::figures::{Count, Table};
use krousar_domain::indicators::{Dimension, Indicator, Period, Unit};
use std::collections::BTreeMap;

fn by_value(groups: Vec<Group>) -> BTreeMap<String, Count> {
    groups.into_iter().map(|g| (g.value, g.count)).collect()
}

/// A slice of the table as groups of a breakdown.
pub(super) fn as_groups(cells: BTreeMap<String, Count>) -> Vec<Group> {
    cells.into_iter().map(|(value, count)| Group { value, name_km: None, name_latin: None, count }).collect()
}

impl Store {
    /// The protected table of `i` broken down by `dim` over the whole nation (the reach's
    /// province is the slice the caller takes); None when the indicator is not within reach.
    pub(super) async fn national_table(
        &self,
        r: &Resolved,
        i: Indicator,
        dim: Option<Dimension>,
        p: Period,
    ) -> Result<Option<Table>, StoreError> {
        let all = Resolved { province: None, ..r.clone() };
        let Some(total) = self.groups(&all, i, None, p).await? else { return Ok(None) };
        let total = total.into_iter().next().map(|g| g.count).unwrap_or_default();
        // Each province's total comes from the same query whatever the breakdown.
        let rows = by_value(self.groups(&all, i, Some(Dimension::Province), p).await?.unwrap_or_default());
        let table = match dim {
            None | Some(Dimension::Province) => Table::protect(total, rows, BTreeMap::new(), BTreeMap::new(), true),
            Some(d) => {
                let inner = self.inner_cells(&all, i, d, p).await?;
                // Districts lie within provinces: their national values are the inner cells.
                let nested = d == Dimension::District;
                let columns = if nested { BTreeMap::new() } else { by_value(self.groups(&all, i, Some(d), p).await?.unwrap_or_default()) };
                Table::protect(total, rows, columns, inner, nested)
            }
        };
        Ok(Some(table))
    }

    /// The counts of each (province, value) pair.
    async fn inner_cells(
        &self,
        r: &Resolved,
        i: Indicator,
        d: Dimension,
        p: Period,
    ) -> Result<BTreeMap<(String, String), Count>, StoreError> {
        if i.unit() == Unit::CarerHousehold {
            let rows = self.carer_rows(r).await?.unwrap_or_default();
            return Ok(carers::carer_grid_of(&rows, i, d, p));
        }
        let Some(mut s) = query::shape(i, p, Some(d), r)? else { return Ok(BTreeMap::new()) };
        // Province codes are digits: '|' cannot occur in one.
        s.group = format!("COALESCE({}, '') || '|' || CAST({} AS TEXT)", query::province_column(i.unit()), s.group);
        let head = query::count_sql(&s, true);
        let mut q = s.sql;
        q.text = format!("{head}{} GROUP BY {}", q.text, s.group);
        let mut out = BTreeMap::new();
        for row in q.query().fetch_all(&self.pool).await? {
            let g = row.opt_text("g")?.unwrap_or_default();
            let (province, value) = g.split_once('|').unwrap_or((g.as_str(), ""));
            out.insert((province.to_string(), value.to_string()), Count::new(row.int("total")?, row.opt_int("female")?.unwrap_or(0)));
        }
        Ok(out)
    }
}
