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
