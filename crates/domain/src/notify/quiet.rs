//! An organisation's quiet hours: e-mails and pushes wait until they end (the inbox fills at
//! any hour). Hours are Cambodia's (UTC+7, no daylight saving), and may run over midnight.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};

/// Quiet from `start` up to `end`, Cambodia's time. Equal times mean no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

const CAMBODIA: i64 = 7;

impl QuietHours {
    /// "21:00" and "06:30"; `None` for anything else.
    pub fn parse(start: &str, end: &str) -> Option<QuietHours> {
        let t = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
        Some(QuietHours { start: t(start)?, end: t(end)? })
    }

    /// When a message due at `now` may go: `now`, or the end of the quiet hours it falls in.
    pub fn next_allowed(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        if self.start == self.end {
            return now;
        }
        let local = now + Duration::hours(CAMBODIA);
        let t = local.time();
        let quiet = if self.start < self.end { t >= self.start && t < self.end } else { t >= self.start || t < self.end };
        if !quiet {
            return now;
        }
        // Minutes from the local time to the end, going forward over midnight if need be.
        let minutes = |x: NaiveTime| i64::from(x.num_seconds_from_midnight()) / 60;
        let mut wait = minutes(self.end) - minutes(t);
        if wait <= 0 {
            wait += 24 * 60;
        }
        let on_minute = now - Duration::seconds(i64::from(t.second())) - Duration::nanoseconds(i64::from(t.nanosecond()));
        on_minute + Duration::minutes(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A time in Cambodia, as UTC.
    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap() + Duration::hours(i64::from(h) - CAMBODIA) + Duration::minutes(i64::from(m))
    }

    #[test]
    fn over_midnight() {
        let q = QuietHours::parse("21:00", "06:30").unwrap();
        assert_eq!(q.next_allowed(at(12, 0)), at(12, 0));
        assert_eq!(q.next_allowed(at(22, 15)), at(30, 30), "to half past six the next morning");
        assert_eq!(q.next_allowed(at(3, 0)), at(6, 30));
        assert_eq!(q.next_allowed(at(6, 30)), at(6, 30), "the end is not quiet");
        assert_eq!(q.next_allowed(at(21, 0)), at(30, 30), "the start is quiet");
    }

    #[test]
    fn within_a_day_and_none() {
        let q = QuietHours::parse("12:00", "13:30").unwrap();
        assert_eq!(q.next_allowed(at(12, 10)), at(13, 30));
        assert_eq!(q.next_allowed(at(14, 0)), at(14, 0));
        let none = QuietHours::parse("08:00", "08:00").unwrap();
        assert_eq!(none.next_allowed(at(8, 0)), at(8, 0));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        assert!(QuietHours::parse("25:00", "06:00").is_none());
        assert!(QuietHours::parse("9pm", "06:00").is_none());
        assert!(QuietHours::parse("", "").is_none());
    }
}
