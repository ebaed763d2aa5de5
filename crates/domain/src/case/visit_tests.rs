//! Which due visit a visit fulfils (issue 21): the one nearest to it within the window, never
//! "the next open one whatever its date"; an early extra visit never moves the next due date.

use super::schedule::*;
use super::CaseSettings;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The schedule of a placement, every visit open, numbered in order.
fn slots(start: NaiveDate, interval: u32) -> Vec<Slot<usize>> {
    let until = follow_up_until(start, 24);
    visits_after(start, until, interval).into_iter().enumerate().map(|(id, due_on)| Slot { id, due_on, done: false }).collect()
}

/// Record visits in the order given, as the store does: each fulfils at most one open visit.
fn record(start: NaiveDate, slots: &mut [Slot<usize>], visits: &[NaiveDate], window: u32) -> Vec<Option<usize>> {
    visits
        .iter()
        .map(|v| {
            let hit = slot_fulfilled(start, slots, *v, window);
            if let Some(id) = hit {
                slots[id].done = true;
            }
            hit
        })
        .collect()
}

#[test]
fn two_visits_the_day_after_placement_leave_february_due() {
    // The issue's story: placed 5 December, medium risk (every two months), first visit due
    // 5 February. Two visits on 6 December took February and April, and June became "next".
    let start = d("2025-12-05");
    let mut s = slots(start, 2);
    assert_eq!(s[0].due_on, d("2026-02-05"));
    assert_eq!(record(start, &mut s, &[d("2025-12-06"), d("2025-12-06")], 30), vec![None, None]);
    assert_eq!(next_due(&s), Some(d("2026-02-05")));
    // A visit on 3 February fulfils February; a second one on the 7th is an extra visit.
    assert_eq!(record(start, &mut s, &[d("2026-02-03"), d("2026-02-07")], 30), vec![Some(0), None]);
    assert_eq!(next_due(&s), Some(d("2026-04-05")));
    // Late within the window still counts: 20 days after 5 April.
    assert_eq!(record(start, &mut s, &[d("2026-04-25")], 30), vec![Some(1)]);
}

#[test]
fn a_missed_visit_stays_due_and_ties_go_to_the_earlier_date() {
    let start = d("2025-12-05");
    let mut s = slots(start, 2);
    // 5 February missed: a visit on 10 March is 33 days late for it and 26 days early for
    // April — it fulfils April, and February stays open (missed, shown overdue).
    assert_eq!(record(start, &mut s, &[d("2026-03-10")], 30), vec![Some(1)]);
    assert_eq!(next_due(&s), Some(d("2026-02-05")));
    // Monthly: 5 January and 5 February are 31 days apart.
    let mut m = slots(start, 1);
    assert_eq!(m[0].due_on, d("2026-01-05"));
    // 20 January: 15 days after 5 Jan, 16 before 5 Feb → January.
    assert_eq!(record(start, &mut m, &[d("2026-01-20")], 30), vec![Some(0)]);
    // A settling-in visit the day after placement is not January's visit, even with a window
    // of 30 days: it is nearer the start.
    let mut m = slots(start, 1);
    assert_eq!(record(start, &mut m, &[d("2025-12-06")], 30), vec![None]);
    // Exactly halfway between the start (5 Dec) and 4 Jan (a 30-day gap): the earlier point.
    let mut t = vec![Slot { id: 0, due_on: d("2026-01-04"), done: false }];
    assert_eq!(slot_fulfilled(start, &t, d("2025-12-20"), 30), None);
    t[0].due_on = d("2026-01-03");
    assert_eq!(slot_fulfilled(start, &t, d("2025-12-20"), 30), Some(0), "14 days before, 15 after the start");
}

#[test]
fn a_monthly_rhythm_does_not_let_an_extra_visit_take_next_month() {
    let start = d("2025-12-05");
    let mut s = slots(start, 1);
    assert_eq!(record(start, &mut s, &[d("2026-01-05"), d("2026-01-15")], 30), vec![Some(0), None]);
    assert_eq!(next_due(&s), Some(d("2026-02-05")), "a second visit ten days later does not stand for February's");
}

#[test]
fn the_window_is_a_setting_with_bounds() {
    let s = CaseSettings::default();
    assert_eq!(s.visit_window_days, 30);
    assert!(CaseSettings { visit_window_days: 0, ..s.clone() }.validate().is_err());
    assert!(CaseSettings { visit_window_days: 61, ..s.clone() }.validate().is_err());
    assert!(CaseSettings { visit_window_days: 14, ..s.clone() }.validate().is_ok());
    // Settings saved before the window existed read with the default.
    let old: CaseSettings = serde_json::from_str(r#"{"offline_days": 7}"#).unwrap();
    assert_eq!((old.offline_days, old.visit_window_days), (7, 30));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = NaiveDate> {
        (2000i32..2040, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    /// A placement, its rhythm, the window and visits at random days from the start (some well
    /// past the end of follow-up), in the random order they are recorded.
    fn case() -> impl Strategy<Value = (NaiveDate, u32, u32, Vec<NaiveDate>)> {
        (date(), 1u32..=12, 1u32..=60, prop::collection::vec(0i64..800, 0..40)).prop_map(|(start, interval, window, days)| {
            (start, interval, window, days.into_iter().map(|n| start + chrono::Duration::days(n)).collect())
        })
    }

    proptest! {
        /// Each visit fulfils at most one due visit and each due visit at most one visit, never
        /// one further than the window; and what a visit fulfils is the nearest point of the
        /// schedule to it.
        #[test]
        fn a_visit_fulfils_one_due_visit_within_the_window((start, interval, window, visits) in case()) {
            let mut s = slots(start, interval);
            let hits = record(start, &mut s, &visits, window);
            let mut taken = std::collections::HashSet::new();
            for (v, hit) in visits.iter().zip(&hits) {
                if let Some(id) = hit {
                    prop_assert!(taken.insert(*id), "due visit {} fulfilled twice", id);
                    prop_assert!((s[*id].due_on - *v).num_days().abs() <= i64::from(window));
                    let nearest = s.iter().map(|x| (x.due_on - *v).num_days().abs()).chain([(start - *v).num_days().abs()]).min().unwrap();
                    prop_assert_eq!((s[*id].due_on - *v).num_days().abs(), nearest);
                }
            }
            prop_assert_eq!(taken.len(), s.iter().filter(|x| x.done).count());
        }

        /// Whatever was recorded before, one more visit never makes the next due date earlier,
        /// moves it later only by fulfilling that very due visit (so within the window of it), and
        /// a visit more than the window before the next due date leaves it where it was.
        #[test]
        fn an_extra_visit_never_pushes_the_next_due_date_later((start, interval, window, visits) in case(), extra in 0i64..800) {
            let mut s = slots(start, interval);
            record(start, &mut s, &visits, window);
            let before = next_due(&s);
            let extra = start + chrono::Duration::days(extra);
            let hit = record(start, &mut s, &[extra], window)[0];
            let after = next_due(&s);
            prop_assert!(after >= before || after.is_none());
            if after != before {
                let was = before.unwrap();
                prop_assert_eq!(hit.map(|id| s[id].due_on), Some(was));
                prop_assert!((was - extra).num_days().abs() <= i64::from(window));
            }
            if let Some(was) = before {
                if (was - extra).num_days() > i64::from(window) {
                    prop_assert_eq!(after, before);
                }
            }
        }
    }
}
