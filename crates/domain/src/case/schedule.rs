//! Dates of a case: the follow-up visit schedule after a family placement, first-contact and
//! reassessment deadlines. Months are calendar months counted from a fixed anchor (never chained
//! visit to visit), so 31 January + 1 month is the last day of February and later visits return
//! to the 31st instead of drifting.

use chrono::{Months, NaiveDate};

/// `date` plus whole calendar months, clamped to the end of a shorter month.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// When follow-up of a placement that started on `start` may end.
pub fn follow_up_until(start: NaiveDate, months: u32) -> NaiveDate {
    add_months(start, months)
}

/// Visits due every `interval` months after `anchor`, up to and including `until`; the last
/// visit is always on `until` itself (the closing follow-up).
pub fn visits_after(anchor: NaiveDate, until: NaiveDate, interval: u32) -> Vec<NaiveDate> {
    let interval = interval.max(1);
    let mut due = Vec::new();
    let mut k = 1;
    loop {
        let d = add_months(anchor, k * interval);
        if d >= until {
            break;
        }
        due.push(d);
        k += 1;
    }
    if anchor < until {
        due.push(until);
    }
    due
}

/// One due visit of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueVisit {
    pub due_on: NaiveDate,
    pub done: bool,
}

/// The schedule after risk changes on `changed_on` to a level visited every `interval` months:
/// visits done stay; visits still open that were due on or before the change stay (they are
/// overdue, not forgiven); open visits after the change are replaced by a new rhythm counted
/// from the change. Returns the due dates to add and those to drop.
pub fn reschedule(existing: &[DueVisit], changed_on: NaiveDate, until: NaiveDate, interval: u32) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
    let drop: Vec<NaiveDate> = existing.iter().filter(|v| !v.done && v.due_on > changed_on).map(|v| v.due_on).collect();
    let add = if changed_on < until { visits_after(changed_on, until, interval) } else { Vec::new() };
    (add, drop)
}

/// One visit the schedule of a placement asks for, and whether a visit already fulfilled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot<I> {
    pub id: I,
    pub due_on: NaiveDate,
    pub done: bool,
}

/// Which visit of the schedule a visit on `visited_on` fulfils, if any.
///
/// A visit belongs to the point of the schedule nearest to it: a due visit (done or not) or the
/// placement's start (a visit just after the child arrived is a settling-in visit, not the first
/// follow-up). It fulfils that due visit only if it is still open and its due date is within
/// `window_days` of the visit, early or late; a tie goes to the earlier point. Anything else is
/// an extra visit that fulfils nothing. Nearest of all the points, not of the open ones only: a
/// monthly rhythm with a 30-day window would otherwise let a second visit ten days after the
/// last one take next month's visit and leave the child unvisited for seven weeks. So an early
/// extra visit never moves the next due date later, and a visit never fulfils a due visit more
/// than the window away (never the "next open one whatever its date").
///
/// A due visit whose window passed without a visit stays open: it was missed, and it is shown
/// overdue (worklist, team view, quality, case page) rather than quietly fulfilled by a visit
/// made weeks later for another date.
pub fn slot_fulfilled<I: Copy>(start: NaiveDate, slots: &[Slot<I>], visited_on: NaiveDate, window_days: u32) -> Option<I> {
    let distance = |d: NaiveDate| (d - visited_on).num_days().abs();
    // (distance, date, is the start, open first on the same date, index): the smallest wins.
    let nearest = slots
        .iter()
        .enumerate()
        .map(|(i, s)| (distance(s.due_on), s.due_on, false, s.done, Some(i)))
        .chain(std::iter::once((distance(start), start, true, true, None)))
        .min_by_key(|&(dist, date, is_start, done, _)| (dist, date, !is_start, done))?;
    let (dist, _, _, done, index) = nearest;
    let slot = &slots[index?];
    (!done && dist <= i64::from(window_days)).then_some(slot.id)
}

/// The next visit due: the earliest one not yet fulfilled (a missed one stays due).
pub fn next_due<I>(slots: &[Slot<I>]) -> Option<NaiveDate> {
    slots.iter().filter(|s| !s.done).map(|s| s.due_on).min()
}

/// Days until (negative: since) a due date.
pub fn days_left(due: NaiveDate, today: NaiveDate) -> i64 {
    (due - today).num_days()
}

/// A follow-up visit needs a family placement that had started by the visit's date.
pub fn check_visit_date(visited_on: NaiveDate, placement_started_on: Option<NaiveDate>) -> Result<(), &'static str> {
    match placement_started_on {
        None => Err("err-visit-needs-placement"),
        Some(start) if visited_on < start => Err("err-visit-before-placement"),
        Some(_) => Ok(()),
    }
}
