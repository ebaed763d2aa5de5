use super::*;
use proptest::prelude::*;

fn c(total: i64, female: i64) -> Count {
    Count::new(total, female)
}

#[test]
fn a_breakdown_never_gives_a_hidden_count_away_through_its_total() {
    let mut cells = [c(6, 6), c(2, 2), c(40, 20)];
    let mut total = c(48, 28);
    protect_breakdown(&mut cells, &mut total);
    assert!(cells[1].suppressed, "two children");
    assert!(cells[0].suppressed, "six is hidden too, or 2 = 48 - 6 - 40");
    assert!(!cells[2].suppressed && !total.suppressed);
    assert_eq!((cells[1].total, cells[1].female), (0, 0), "no number travels with a hidden count");
}

#[test]
fn hiding_goes_on_until_the_rest_is_five_or_more() {
    // 1 and 2 hidden together still say "3 children" through the total: 7 goes too.
    let mut cells = [c(1, 1), c(2, 2), c(7, 7), c(30, 30)];
    let mut total = c(40, 40);
    protect_breakdown(&mut cells, &mut total);
    assert!(cells[0].suppressed && cells[1].suppressed && cells[2].suppressed && !cells[3].suppressed);
    // Girls count too: 10 and 10 are not small, but 10 - 8 = 2 boys would be.
    let mut cells = [c(10, 8), c(20, 10), c(20, 10)];
    let mut total = c(50, 28);
    protect_breakdown(&mut cells, &mut total);
    assert!(cells[0].suppressed, "two boys");
    assert!(cells.iter().filter(|x| x.suppressed).count() >= 2);
}

#[test]
fn small_counts_of_children_girls_or_boys_are_hidden() {
    let mut row = [c(42, 17), c(3, 1), c(0, 0)];
    suppress_each(&mut row);
    assert!(row[1].suppressed, "3 children");
    assert_eq!((row[1].total, row[1].female), (0, 0), "no number travels with a hidden count");
    assert!(!row[0].suppressed && !row[2].suppressed, "zero is not a child");
    let mut girls = [c(30, 2)];
    suppress_each(&mut girls);
    assert!(girls[0].suppressed, "two girls are identifiable too");
    let mut boys = [c(30, 27)];
    suppress_each(&mut boys);
    assert!(boys[0].suppressed, "and so are three boys");
}

/// The nation's total, each province's, each value's and each pair's.
type Grid = (Count, BTreeMap<String, Count>, BTreeMap<String, Count>, BTreeMap<(String, String), Count>);

fn grid(inner: &[((&str, &str), Count)]) -> Grid {
    let mut rows: BTreeMap<String, Count> = BTreeMap::new();
    let mut cols: BTreeMap<String, Count> = BTreeMap::new();
    let mut cells = BTreeMap::new();
    let mut total = Count::default();
    for ((r, k), n) in inner {
        *rows.entry(r.to_string()).or_default() = rows.get(*r).copied().unwrap_or_default().plus(*n);
        *cols.entry(k.to_string()).or_default() = cols.get(*k).copied().unwrap_or_default().plus(*n);
        cells.insert((r.to_string(), k.to_string()), *n);
        total = total.plus(*n);
    }
    (total, rows, cols, cells)
}

#[test]
fn one_child_in_a_province_is_hidden_in_every_answer() {
    // Province 12 holds one disabled girl: hidden as the province's total, within the
    // province, and the nation's "disabled" value cannot be worked out either.
    let (total, rows, cols, inner) = grid(&[(("02", "none"), c(30, 15)), (("02", "visual"), c(6, 3)), (("12", "visual"), c(1, 1))]);
    let t = Table::protect(total, rows, cols, inner, false);
    assert!(t.row("12").suppressed && !t.total.suppressed);
    assert!(t.row("02").suppressed, "or 12 = total - 02");
    assert!(t.within("12").values().all(|x| x.suppressed));
    assert!(t.columns["visual"].suppressed, "7 with 4 girls");
    assert!(t.inner.values().filter(|x| !x.suppressed).all(|x| !x.small()));
}

/// What the property tests check of one line: nothing shown is small, and the total less the
/// shown cells is not small (or the total is hidden, and with it every cell).
fn line_is_safe(before: &[Count], after: &[Count], total_before: Count, total_after: Count) -> Result<(), TestCaseError> {
    if total_after.suppressed {
        prop_assert!(after.iter().all(|x| x.suppressed), "a hidden total hides its cells");
        return Ok(());
    }
    prop_assert_eq!(total_after, total_before);
    let mut shown = Count::default();
    for (b, a) in before.iter().zip(after) {
        if a.suppressed {
            prop_assert_eq!((a.total, a.female), (0, 0));
        } else {
            prop_assert_eq!(a, b);
            prop_assert!(!b.small(), "a small count shown: {:?}", b);
            shown = shown.plus(*b);
        }
    }
    prop_assert!(!total_before.minus(shown).small(), "total - shown = {:?}", total_before.minus(shown));
    Ok(())
}

fn count() -> impl Strategy<Value = Count> {
    (0i64..14).prop_flat_map(|t| (Just(t), 0..=t)).prop_map(|(t, f)| c(t, f))
}

proptest! {
    /// For any breakdown, no hidden value can be worked out from the shown ones and the total.
    #[test]
    fn no_hidden_value_is_derivable_from_a_breakdown(cells in proptest::collection::vec(count(), 0..8)) {
        let total = cells.iter().fold(Count::default(), |s, x| s.plus(*x));
        let (mut after, mut total_after) = (cells.clone(), total);
        protect_breakdown(&mut after, &mut total_after);
        prop_assert_eq!(total_after.suppressed, total.small());
        line_is_safe(&cells, &after, total, total_after)?;
    }

    /// Every line of a national table — each province, each value, the nation — is safe, and a
    /// province's total is decided alike whatever the breakdown.
    #[test]
    fn every_line_of_a_national_table_is_safe(
        cells in proptest::collection::vec(count(), 9),
        other in proptest::collection::vec(0i64..3, 9),
        nested in any::<bool>(),
    ) {
        let rows_of = ["a", "b", "c"];
        let cols_of = ["x", "y", "z"];
        let key = |i: usize| if nested { (rows_of[i / 3], cols_of[i / 3]) } else { (rows_of[i / 3], cols_of[i % 3]) };
        let inner: Vec<((&str, &str), Count)> = cells.iter().enumerate().map(|(i, n)| (key(i), *n)).collect();
        let (total, rows, cols, map) = grid(&inner);
        let t = Table::protect(total, rows.clone(), cols.clone(), map.clone(), nested);
        let before: Vec<Count> = rows.values().copied().collect();
        line_is_safe(&before, &t.rows.values().copied().collect::<Vec<_>>(), total, t.total)?;
        for r in rows_of {
            let Some(row_before) = rows.get(r) else { continue };
            let b: Vec<Count> = map.iter().filter(|((x, _), _)| x == r).map(|(_, n)| *n).collect();
            let a: Vec<Count> = t.inner.iter().filter(|((x, _), _)| x == r).map(|(_, n)| *n).collect();
            line_is_safe(&b, &a, *row_before, t.rows[r])?;
        }
        if !nested {
            line_is_safe(&cols.values().copied().collect::<Vec<_>>(), &t.columns.values().copied().collect::<Vec<_>>(), total, t.total)?;
            for k in cols_of {
                let Some(col_before) = cols.get(k) else { continue };
                let b: Vec<Count> = map.iter().filter(|((_, x), _)| x == k).map(|(_, n)| *n).collect();
                let a: Vec<Count> = t.inner.iter().filter(|((_, x), _)| x == k).map(|(_, n)| *n).collect();
                line_is_safe(&b, &a, *col_before, t.columns[k])?;
            }
        } else {
            // Nested: the values across the nation are the inner cells, shown alike.
            for ((_, k), n) in &t.inner {
                prop_assert_eq!(t.columns[k], *n);
            }
        }
        // Another breakdown of the same provinces' children: their totals are decided alike.
        let shifted: Vec<((&str, &str), Count)> = cells
            .iter()
            .enumerate()
            .map(|(i, n)| ((rows_of[i / 3], ["p", "q", "r"][(i + other[i] as usize) % 3]), *n))
            .collect();
        let (total2, rows2, cols2, map2) = grid(&shifted);
        let mut merged: BTreeMap<(String, String), Count> = BTreeMap::new();
        for (k, n) in map2 {
            let e = merged.entry(k).or_default();
            *e = e.plus(n);
        }
        let t2 = Table::protect(total2, rows2, cols2, merged, false);
        prop_assert_eq!(&t.rows, &t2.rows);
        prop_assert_eq!(t.total, t2.total);
    }
}
