//! Figures across organisations without singling out a child (issue 19, item 6).
//!
//! A count of 1 to 4 children, girls or boys is hidden. Hiding it is not enough: a hidden cell
//! must not be recoverable from the shown ones and their total, so where the total less the shown
//! cells would be 1 to 4 (children, girls or boys) more cells are hidden, smallest first, until
//! it is 0 or at least 5. A hidden count carries no number and is shown only as "hidden" — never
//! as "<5", which would be false for a cell hidden to protect another, and whose difference from
//! "hidden" would tell which cells are the small ones.
//!
//! National figures are asked in many ways: the nation or one province, broken down by a
//! dimension or not. `Table` decides every one of them at once from the province × value
//! counts, so a cell is hidden or shown alike in every answer it appears in — a cell hidden to
//! protect another in one breakdown is never shown by another query.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts below this (and above zero) are not shown across organisations.
pub const MIN_SHOWN: i64 = 5;

/// One figure as shown: all children and girls, or hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub total: i64,
    pub female: i64,
    pub suppressed: bool,
}

impl Count {
    pub fn new(total: i64, female: i64) -> Count {
        Count { total, female, suppressed: false }
    }

    /// A count of 1 to 4 children, girls or boys.
    pub fn small(&self) -> bool {
        let small = |n: i64| n > 0 && n < MIN_SHOWN;
        small(self.total) || small(self.female) || small(self.total - self.female)
    }

    fn plus(self, other: Count) -> Count {
        Count::new(self.total + other.total, self.female + other.female)
    }

    fn minus(self, other: Count) -> Count {
        Count::new(self.total - other.total, self.female - other.female)
    }
}

/// A hidden count carries no number at all, so nothing downstream (API, export) can show it.
fn clear(c: &mut Count) {
    if c.suppressed {
        c.total = 0;
        c.female = 0;
    }
}

/// Suppress small counts that stand alone (no total they add up to is shown).
pub fn suppress_each(cells: &mut [Count]) {
    for c in cells.iter_mut() {
        c.suppressed = c.small();
        clear(c);
    }
}

/// One line of a table: `cells` that add up to `total`. A hidden total hides every cell (or the
/// cells would give it away); otherwise small cells are hidden, then the smallest shown cells
/// until the total less the shown cells is neither 1 to 4 children, girls nor boys. Numbers
/// are kept (`clear` removes them once every line is decided). Returns whether it hid a cell.
pub fn protect_line(cells: &mut [&mut Count], total: &Count) -> bool {
    let mut changed = false;
    for c in cells.iter_mut().filter(|c| !c.suppressed && (total.suppressed || c.small())) {
        c.suppressed = true;
        changed = true;
    }
    if total.suppressed {
        return changed;
    }
    loop {
        let shown = cells.iter().filter(|c| !c.suppressed).fold(Count::new(0, 0), |s, c| s.plus(**c));
        if !total.minus(shown).small() {
            return changed;
        }
        let next = cells.iter_mut().filter(|c| !c.suppressed && c.total > 0).min_by_key(|c| c.total);
        match next {
            Some(c) => {
                c.suppressed = true;
                changed = true;
            }
            None => return changed,
        }
    }
}

/// A total and the cells that add up to it, protected as one line.
pub fn protect_breakdown(cells: &mut [Count], total: &mut Count) {
    total.suppressed = total.small();
    let mut refs: Vec<&mut Count> = cells.iter_mut().collect();
    protect_line(&mut refs, total);
    cells.iter_mut().for_each(clear);
    clear(total);
}

/// National figures of one indicator and period, decided together: the nation's total, each
/// province's (rows), each value of the breakdown's across the nation (columns) and each value
/// within each province (inner).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Table {
    pub total: Count,
    pub rows: BTreeMap<String, Count>,
    pub columns: BTreeMap<String, Count>,
    pub inner: BTreeMap<(String, String), Count>,
}

impl Default for Count {
    fn default() -> Count {
        Count::new(0, 0)
    }
}

impl Table {
    /// Protect the counts. `rows` always come from the same query whatever the breakdown, so a
    /// province's total is hidden or shown alike in every answer. `nested`: each value lies
    /// within one province (districts), so the values across the nation are the inner cells
    /// themselves and have no totals of their own (`columns` is then ignored).
    pub fn protect(
        total: Count,
        rows: BTreeMap<String, Count>,
        columns: BTreeMap<String, Count>,
        inner: BTreeMap<(String, String), Count>,
        nested: bool,
    ) -> Table {
        let mut t = Table { total, rows, columns: if nested { BTreeMap::new() } else { columns }, inner };
        t.total.suppressed = t.total.small();
        let total = t.total;
        protect_line(&mut t.rows.values_mut().collect::<Vec<_>>(), &total);
        protect_line(&mut t.columns.values_mut().collect::<Vec<_>>(), &total);
        // Inner cells: each province's line against its total, each value's line against its
        // national total, until neither hides anything more (hiding only grows, so this ends).
        loop {
            let mut changed = false;
            for (row, row_total) in &t.rows {
                let mut line: Vec<&mut Count> = t.inner.iter_mut().filter(|((r, _), _)| r == row).map(|(_, c)| c).collect();
                changed |= protect_line(&mut line, row_total);
            }
            // A province without a total of its own (none counted) shows none of its values.
            for ((r, _), c) in t.inner.iter_mut() {
                if !t.rows.contains_key(r) && !c.suppressed {
                    c.suppressed = true;
                    changed = true;
                }
            }
            if !nested {
                for (col, col_total) in &t.columns {
                    let mut line: Vec<&mut Count> = t.inner.iter_mut().filter(|((_, c), _)| c == col).map(|(_, c)| c).collect();
                    changed |= protect_line(&mut line, col_total);
                }
            }
            if !changed {
                break;
            }
        }
        if nested {
            // Each value across the nation is its inner cell (summed, and hidden if any part
            // is, for a value recorded in several provinces such as "not recorded").
            for ((_, col), c) in &t.inner {
                let e = t.columns.entry(col.clone()).or_default();
                let hidden = e.suppressed || c.suppressed;
                *e = e.plus(*c);
                e.suppressed = hidden;
            }
        }
        clear(&mut t.total);
        t.rows.values_mut().for_each(clear);
        t.columns.values_mut().for_each(clear);
        t.inner.values_mut().for_each(clear);
        t
    }

    /// One province's values (its inner cells), as the breakdown within it shows them.
    pub fn within(&self, row: &str) -> BTreeMap<String, Count> {
        self.inner.iter().filter(|((r, _), _)| r == row).map(|((_, c), n)| (c.clone(), *n)).collect()
    }

    /// One province's total (zero when nothing was counted there).
    pub fn row(&self, row: &str) -> Count {
        self.rows.get(row).copied().unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
