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
    assert!(cells[0].female_hidden && !cells[0].suppressed, "two boys: their girls and boys hidden, the 10 shown");
    assert!(cells.iter().filter(|x| x.female_hidden).count() >= 2, "or 8 = 28 - 10 - 10");
    assert!(cells.iter().all(|x| !x.suppressed), "no total is small");
}

/// Issue 21, item 4: Battambang's 11 children (9 girls) read "<5" because two are boys.
#[test]
fn a_total_of_five_or_more_is_shown_when_only_its_girls_or_boys_are_few() {
    let mut one = [c(11, 9)];
    suppress_each(&mut one);
    assert_eq!((one[0].total, one[0].suppressed), (11, false), "11 children are shown");
    assert!(one[0].female_hidden, "2 boys: the girls are hidden too, or 11 - 9 = 2");
    assert_eq!(one[0].female, 0, "no number travels with hidden girls");
    // Across provinces: Battambang (02) 11 (9F), Pursat (15) 39 (17F), the nation 50 (26F).
    let (total, rows, cols, inner) = grid(&[(("02", "x"), c(11, 9)), (("15", "x"), c(39, 17))]);
    let t = Table::protect(total, rows, cols, inner, true);
    assert_eq!((t.row("02").total, t.row("15").total, t.total.total), (11, 39, 50), "every total shown");
    assert!(!t.total.any_hidden() && t.total.female == 26, "the nation's 26 girls and 24 boys are not small");
    assert!(t.row("02").female_hidden && t.row("15").female_hidden, "Pursat's girls hidden too, or 9 = 26 - 17");
    // Zero needs no hiding.
    let mut zero = [c(0, 0), c(12, 0)];
    suppress_each(&mut zero);
    assert!(zero.iter().all(|x| !x.any_hidden()), "no children, and 12 boys with no girls, are shown");
}

#[test]
fn the_api_gives_a_hidden_number_as_null_with_its_reason() {
    let mut one = [c(11, 9), c(3, 1), c(20, 10)];
    suppress_each(&mut one);
    let json = serde_json::to_value(one).unwrap();
    assert_eq!(json[0], serde_json::json!({"total": 11, "female": null, "female_hidden": "small_counts", "suppressed": false}));
    assert_eq!(
        json[1],
        serde_json::json!({"total": null, "total_hidden": "small_counts", "female": null, "female_hidden": "small_counts", "suppressed": true})
    );
    assert_eq!(json[2], serde_json::json!({"total": 20, "female": 10, "suppressed": false}));
    // The quarter's snapshot reads back what it wrote, and one written in the first shape.
    let back: Vec<Count> = serde_json::from_value(json).unwrap();
    assert_eq!(back, one);
    let old: Count = serde_json::from_value(serde_json::json!({"total": 0, "female": 0, "suppressed": true})).unwrap();
    assert!(old.suppressed && old.female_hidden);
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
    assert!(girls[0].female_hidden && !girls[0].suppressed, "two girls are identifiable too (not the 30)");
    let mut boys = [c(30, 27)];
    suppress_each(&mut boys);
    assert!(boys[0].female_hidden && !boys[0].suppressed, "and so are three boys");
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
    assert!(t.columns["visual"].female_hidden && !t.columns["visual"].suppressed, "7 shown, its 4 girls hidden");
    assert!(t.columns["none"].female_hidden, "or 4 = 19 - 15");
    assert!(t.inner.values().filter(|x| !x.suppressed).all(|x| !small(x.total)));
    assert!(t.inner.values().filter(|x| !x.female_hidden).all(|x| !x.small()));
}

/// What the property tests check of one line: nothing shown is small, no hidden number can be
/// worked out from the shown ones and the total, a total is hidden only if small or to protect
/// another total, and a count of none is shown.
fn line_is_safe(before: &[Count], after: &[Count], total_before: Count, total_after: Count) -> Result<(), TestCaseError> {
    prop_assert_eq!(total_after.total, if total_after.suppressed { 0 } else { total_before.total });
    prop_assert_eq!(total_after.female, if total_after.female_hidden { 0 } else { total_before.female });
    if total_after.suppressed {
        prop_assert!(after.iter().all(|x| x.suppressed || x.total == 0), "a hidden total hides its cells");
        prop_assert!(after.iter().all(|x| x.female_hidden || x.total == 0));
        return Ok(());
    }
    let mut shown = Count::default();
    let mut girls_shown = Count::default();
    let mut hidden = 0;
    for (b, a) in before.iter().zip(after) {
        if a.suppressed {
            prop_assert!(a.female_hidden && (a.total, a.female) == (0, 0), "a hidden total carries no number: {:?}", a);
            prop_assert!(b.total > 0, "zero needs no hiding");
            hidden += 1;
            continue;
        }
        prop_assert_eq!(a.total, b.total);
        prop_assert!(!small(b.total), "a small total shown: {:?}", b);
        shown = shown.plus(*b);
        if a.female_hidden {
            prop_assert_eq!(a.female, 0);
            prop_assert!(b.total > 0, "no girls to hide in none");
        } else {
            prop_assert_eq!(a.female, b.female);
            prop_assert!(!b.small(), "small girls or boys shown: {:?}", b);
            girls_shown = girls_shown.plus(*b);
        }
    }
    let rest = total_before.total - shown.total;
    prop_assert!(!small(rest), "total - shown = {}", rest);
    prop_assert!(hidden != rest || rest == 0, "{} hidden totals, {} left over: each is 1", hidden, rest);
    if total_after.female_hidden {
        prop_assert!(after.iter().all(|x| x.female_hidden || x.total == 0), "hidden girls of the line hide every cell's");
        return Ok(());
    }
    // Girls and boys left over to the cells whose girls are hidden, and whether any of these
    // has its total hidden too (then it could hold any number of them).
    let (rf, rm) =
        (total_before.female - girls_shown.female, (total_before.total - total_before.female) - (girls_shown.total - girls_shown.female));
    prop_assert!(!small(rf) && !small(rm), "girls, boys left over: {} {}", rf, rm);
    let unbounded = after.iter().filter(|x| x.suppressed).count();
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        if a.suppressed || !a.female_hidden {
            continue;
        }
        // Her range of girls given the others': [0, their total] each.
        let others: i64 = before
            .iter()
            .zip(after)
            .enumerate()
            .filter(|(j, (_, y))| *j != i && y.female_hidden && !y.suppressed)
            .map(|(_, (x, _))| x.total)
            .sum();
        let (mut lo, mut hi) = ((b.total - rm).max(0), b.total.min(rf));
        if unbounded == 0 {
            lo = lo.max(rf - others);
            hi = hi.min(b.total - (rm - others).max(0));
        }
        prop_assert!(lo < hi, "the girls of {:?} can be worked out ({}..={})", b, lo, hi);
    }
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
        prop_assert_eq!(total_after.suppressed, small(total.total));
        prop_assert_eq!(total_after.female_hidden, total.small());
        // Few girls or boys never hide a total: with no small total, every total is shown.
        if !cells.iter().any(|x| small(x.total)) && !small(total.total) {
            prop_assert!(after.iter().all(|x| !x.suppressed), "{:?}", after);
        }
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
        // Nested: each province has values of its own (no value in two provinces).
        let own = ["ax", "ay", "az", "bx", "by", "bz", "cx", "cy", "cz"];
        let key = |i: usize| if nested { (rows_of[i / 3], own[i]) } else { (rows_of[i / 3], cols_of[i % 3]) };
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
