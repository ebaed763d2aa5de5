//! Figures across organisations without singling out a child: counts of 1 to 4 (children, girls
//! or boys) are suppressed, and when a column would let a suppressed cell be worked out from its
//! total, the next smallest cell of that column is suppressed too (secondary suppression).

use serde::Serialize;

/// Counts below this (and above zero) are not shown across organisations.
pub const MIN_SHOWN: i64 = 5;

/// One figure as shown: all children and girls, or suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    pub total: i64,
    pub female: i64,
    pub suppressed: bool,
    /// Hidden only so that another hidden count cannot be worked out from the totals.
    pub secondary: bool,
}

impl Count {
    pub fn new(total: i64, female: i64) -> Count {
        Count { total, female, suppressed: false, secondary: false }
    }

    fn small(&self) -> bool {
        (self.total > 0 && self.total < MIN_SHOWN)
            || (self.female > 0 && self.female < MIN_SHOWN)
            || (self.total - self.female > 0 && self.total - self.female < MIN_SHOWN)
    }
}

/// A hidden count carries no number at all, so nothing downstream (API, export) can show it.
fn clear(cells: &mut [Count]) {
    for c in cells.iter_mut().filter(|c| c.suppressed) {
        c.total = 0;
        c.female = 0;
    }
}

/// A table whose rows add up, column by column, to a shown total row: small cells are hidden,
/// and where a column has exactly one hidden cell the next smallest is hidden too.
pub fn suppress_table(rows: &mut [Vec<Count>]) {
    let width = rows.first().map_or(0, Vec::len);
    for row in rows.iter_mut() {
        for c in row.iter_mut() {
            c.suppressed = c.small();
        }
    }
    for col in 0..width {
        let hidden = rows.iter().filter(|r| r[col].suppressed).count();
        if hidden == 1 {
            if let Some(next) = rows.iter_mut().map(|r| &mut r[col]).filter(|c| !c.suppressed && c.total > 0).min_by_key(|c| c.total) {
                next.suppressed = true;
                next.secondary = true;
            }
        }
    }
    for row in rows.iter_mut() {
        clear(row);
    }
}

/// Suppress small cells in figures that are not additive (each cell stands alone).
pub fn suppress_each(cells: &mut [Count]) {
    for c in cells.iter_mut() {
        c.suppressed = c.small();
    }
    clear(cells);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_never_gives_a_hidden_count_away_through_its_total() {
        let mut rows = vec![vec![Count::new(6, 6)], vec![Count::new(2, 2)], vec![Count::new(40, 20)]];
        suppress_table(&mut rows);
        assert!(rows[1][0].suppressed && !rows[1][0].secondary);
        assert!(rows[0][0].suppressed && rows[0][0].secondary, "6 is hidden too, or 2 = total - 6 - 40");
        assert!(!rows[2][0].suppressed);
    }

    #[test]
    fn small_counts_of_children_girls_or_boys_are_hidden() {
        let mut row = [Count::new(42, 17), Count::new(3, 1), Count::new(0, 0)];
        suppress_each(&mut row);
        assert!(row[1].suppressed, "3 children");
        assert_eq!((row[1].total, row[1].female), (0, 0), "no number travels with a hidden count");
        assert!(!row[0].suppressed && !row[2].suppressed, "zero is not a child");
        let mut girls = [Count::new(30, 2)];
        suppress_each(&mut girls);
        assert!(girls[0].suppressed, "two girls are identifiable too");
        let mut boys = [Count::new(30, 27)];
        suppress_each(&mut boys);
        assert!(boys[0].suppressed, "and so are three boys");
    }
}
