//! Figures across organisations without singling out a child (issue 19, item 6; issue 21,
//! item 4).
//!
//! A figure is two numbers: all children, and the girls among them (the boys are the one less
//! the other). Each is shown or hidden on its own, so a total of 5 or more is shown even when
//! its girls or boys are few: "11 (girls and boys hidden)", never a hidden 11.
//!
//! - A total of 1 to 4 is hidden, and its girls with it.
//! - Girls hidden when the girls or the boys are 1 to 4 (hiding the girls hides the boys too,
//!   since the total is shown). Zero is shown: it singles nobody out.
//! - Hiding is not enough: a hidden number must not be recoverable from the shown ones and the
//!   line's total, so where the total less the shown cells would be 1 to 4 (children, girls or
//!   boys) more are hidden, smallest first, until it is 0 or at least 5.
//!
//! A hidden number carries no value and is said to be hidden, always in the same words: never
//! "<5" (false for a number hidden to protect another, or for 9 girls hidden because of 2 boys),
//! and never one reason for the small ones and another for the rest, which would tell which are
//! the small ones (a line hiding 1 and 5 would read "fewer than 5" + "hidden to protect" = 6).
//!
//! National figures are asked in many ways: the nation or one province, broken down by a
//! dimension or not. `Table` decides every one of them at once from the province × value
//! counts, so a number is hidden or shown alike in every answer it appears in.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts below this (and above zero) are not shown across organisations.
pub const MIN_SHOWN: i64 = 5;

/// Why a small number is hidden, as the API says it: one reason for every number hidden by the
/// rules above.
pub const HIDDEN_REASON: &str = "small_counts";

/// Why a count of another organisation's children is hidden from someone outside it (an RCI's
/// residents: the ministry and the institution's partner organisation count them).
pub const HIDDEN_OTHER_ORGANISATIONS: &str = "other_organisations";

/// One figure: all children and girls, each shown or hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "CountJson", from = "CountJson")]
pub struct Count {
    pub total: i64,
    pub female: i64,
    /// The total is hidden (and its girls and boys with it).
    pub suppressed: bool,
    /// The girls are hidden, and so the boys; the total may be shown.
    pub female_hidden: bool,
}

/// A count as the API and the quarter's snapshot hold it: a hidden number is null, with why.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
struct CountJson {
    total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total_hidden: Option<String>,
    female: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    female_hidden: Option<String>,
    /// The total is hidden (kept for clients of the first shape).
    #[serde(default)]
    suppressed: bool,
}

impl From<Count> for CountJson {
    fn from(c: Count) -> CountJson {
        let reason = |hidden: bool| hidden.then(|| HIDDEN_REASON.to_string());
        CountJson {
            total: (!c.suppressed).then_some(c.total),
            total_hidden: reason(c.suppressed),
            female: (!c.female_hidden && !c.suppressed).then_some(c.female),
            female_hidden: reason(c.female_hidden || c.suppressed),
            suppressed: c.suppressed,
        }
    }
}

impl From<CountJson> for Count {
    fn from(j: CountJson) -> Count {
        let suppressed = j.suppressed || j.total.is_none();
        Count { total: j.total.unwrap_or(0), female: j.female.unwrap_or(0), suppressed, female_hidden: suppressed || j.female.is_none() }
    }
}

// `Count` is serialised through `CountJson` (`serde(into)`), which the derive cannot follow: its
// schema is `CountJson`'s, under the name `Count`.
impl utoipa::PartialSchema for Count {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <CountJson as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Count {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <CountJson as utoipa::ToSchema>::schemas(schemas)
    }
}

fn small(n: i64) -> bool {
    n > 0 && n < MIN_SHOWN
}

impl Count {
    pub fn new(total: i64, female: i64) -> Count {
        Count { total, female, suppressed: false, female_hidden: false }
    }

    /// A count of 1 to 4 children, girls or boys.
    pub fn small(&self) -> bool {
        small(self.total) || self.small_part()
    }

    /// 1 to 4 girls or boys.
    fn small_part(&self) -> bool {
        small(self.female) || small(self.total - self.female)
    }

    /// Anything of it hidden (the total, or the girls and boys).
    pub fn any_hidden(&self) -> bool {
        self.suppressed || self.female_hidden
    }

    fn plus(self, other: Count) -> Count {
        Count::new(self.total + other.total, self.female + other.female)
    }

    fn minus(self, other: Count) -> Count {
        Count::new(self.total - other.total, self.female - other.female)
    }

    /// Hide what is small in this count alone: a small total (and its girls), small girls or
    /// boys. Returns whether it hid anything.
    fn hide_small(&mut self) -> bool {
        let before = (self.suppressed, self.female_hidden);
        self.suppressed |= small(self.total);
        self.female_hidden |= self.suppressed || self.small_part();
        before != (self.suppressed, self.female_hidden)
    }
}

/// A hidden number carries no value, so nothing downstream (API, export) can show it.
fn clear(c: &mut Count) {
    if c.suppressed {
        c.total = 0;
        c.female_hidden = true;
    }
    if c.female_hidden {
        c.female = 0;
    }
}

/// Protect counts that stand alone (no total they add up to is shown).
pub fn suppress_each(cells: &mut [Count]) {
    for c in cells.iter_mut() {
        c.hide_small();
        clear(c);
    }
}

/// One line of a table: `cells` that add up to `total`. Numbers are kept (`clear` removes them
/// once every line is decided). Returns whether it hid anything.
///
/// Totals first: a hidden total hides every cell's (or they would give it away); otherwise small
/// ones, then the smallest shown until the total less the shown cells is neither 1 to 4 nor
/// as many as the hidden cells (each hidden one is at least 1, so 5 hidden with 5 left over
/// would all be 1). Then girls alike: a hidden total or hidden girls of the line hide every
/// cell's girls; otherwise the smallest shown until the girls and the boys left over are each
/// 0 or at least 5.
pub fn protect_line(cells: &mut [&mut Count], total: &Count) -> bool {
    let mut changed = false;
    for c in cells.iter_mut() {
        changed |= c.hide_small();
        // A hidden total hides its cells (zero needs no hiding: it gives nothing away).
        if total.suppressed && !c.suppressed && c.total != 0 {
            c.suppressed = true;
            changed = true;
        }
        // A shown count of none has no girls to hide.
        let none = c.total == 0 && !c.suppressed;
        if (total.suppressed || total.female_hidden || c.suppressed) && !c.female_hidden && !none {
            c.female_hidden = true;
            changed = true;
        }
    }
    if total.suppressed {
        return changed;
    }
    // Totals, then girls; girls that stay pinned with nothing left to hide are covered by
    // hiding the smallest shown total (an unknown total can hold any number of them), and the
    // totals are protected again. Hiding only grows, so this ends.
    loop {
        loop {
            let (shown, hidden) = cells.iter().fold((0, 0), |(s, h), c| if c.suppressed { (s, h + 1) } else { (s + c.total, h) });
            let rest = total.total - shown;
            if !(small(rest) || (rest > 0 && rest == hidden)) {
                break;
            }
            let Some(c) = cells.iter_mut().filter(|c| !c.suppressed && c.total > 0).min_by_key(|c| c.total) else { break };
            c.suppressed = true;
            c.female_hidden = true;
            changed = true;
        }
        if total.female_hidden {
            return changed;
        }
        loop {
            if !girls_stuck(cells, total) {
                return changed;
            }
            let next = cells.iter_mut().filter(|c| !c.female_hidden && c.total > 0).min_by_key(|c| c.total);
            match next {
                Some(c) => {
                    c.female_hidden = true;
                    changed = true;
                }
                None => break,
            }
        }
        let Some(c) = cells.iter_mut().filter(|c| !c.suppressed && c.total > 0).min_by_key(|c| c.total) else { return changed };
        c.suppressed = true;
        changed = true;
    }
}

/// Whether the girls of a cell whose girls are hidden (its total shown) can be worked out from
/// what is left over to those cells (`rest`: their girls and boys together): a single such
/// cell holds all of them, and any cell whose every possible value is one (all the boys left
/// are needed elsewhere, or none) is as good as shown. Cells whose total is hidden could hold
/// any number, so with one of them only each cell's own bounds pin it.
fn girls_pinned(cells: &[&mut Count], rest: Count) -> bool {
    let (rf, rm) = (rest.female, rest.total - rest.female);
    let open = cells.iter().any(|c| c.suppressed);
    let hidden: Vec<i64> = cells.iter().filter(|c| c.female_hidden && !c.suppressed && c.total > 0).map(|c| c.total).collect();
    let all: i64 = hidden.iter().sum();
    hidden.iter().any(|&t| {
        let others = all - t;
        let (mut lo, mut hi) = ((t - rm).max(0), t.min(rf));
        if !open {
            lo = lo.max(rf - others);
            hi = hi.min(t - (rm - others).max(0));
        }
        lo >= hi
    })
}

/// The line's girls or boys left over to the cells whose girls are hidden are 1 to 4, or some
/// such cell's girls can be worked out.
fn girls_stuck(cells: &[&mut Count], total: &Count) -> bool {
    if total.suppressed || total.female_hidden {
        return false;
    }
    let shown = cells.iter().filter(|c| !c.female_hidden).fold(Count::new(0, 0), |s, c| s.plus(**c));
    let rest = total.minus(shown);
    rest.small_part() || girls_pinned(cells, rest)
}

/// A total and the cells that add up to it, protected as one line.
pub fn protect_breakdown(cells: &mut [Count], total: &mut Count) {
    total.hide_small();
    let mut refs: Vec<&mut Count> = cells.iter_mut().collect();
    protect_line(&mut refs, total);
    cells.iter_mut().for_each(clear);
    clear(total);
}
/// National figures of one indicator and period, decided together: the nation's total, each
/// province's (rows), each value of the breakdown's across the nation (columns) and each value
/// within each province (inner).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
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
        t.total.hide_small();
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
                    c.female_hidden = true;
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
                let hidden = (e.suppressed || c.suppressed, e.female_hidden || c.female_hidden);
                *e = e.plus(*c);
                (e.suppressed, e.female_hidden) = hidden;
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
