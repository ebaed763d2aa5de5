//! A worker's private calendar feed (RFC 5545): their due visits, tasks and case deadlines as
//! all-day events, named by case number only — a phone's calendar is read by its widgets,
//! its cloud backup and whoever borrows it.

use chrono::{DateTime, NaiveDate, Utc};

/// One due thing. `uid` must stay the same for the same thing, so that a calendar updates an
/// event rather than adding another; `summary` is already in the worker's language and names
/// no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    pub uid: String,
    pub on: NaiveDate,
    pub summary: String,
}

/// Text as a property value: backslash, semicolon, comma and line ends escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a character: Khmer takes 3 octets each).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The whole calendar, named `name`, made at `now`.
pub fn calendar(name: &str, events: &[FeedEvent], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Krousar//Case management//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    fold("X-PUBLISHED-TTL:PT1H", &mut out);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", escape(&e.uid)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("DTSTART;VALUE=DATE:{}", e.on.format("%Y%m%d")), &mut out);
        let next = e.on.succ_opt().unwrap_or(e.on);
        fold(&format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")), &mut out);
        fold(&format!("SUMMARY:{}", escape(&e.summary)), &mut out);
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn events_as_all_day_entries() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 30, 0).unwrap();
        let on = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
        let ics = calendar("Krousar", &[FeedEvent { uid: "visit-1@krousar".into(), on, summary: "Visit, case K-0001; due".into() }], now);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20261209\r\nDTEND;VALUE=DATE:20261210\r\n"));
        assert!(ics.contains("SUMMARY:Visit\\, case K-0001\\; due\r\n"));
        assert!(ics.contains("DTSTAMP:20261207T093000Z"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn long_khmer_lines_fold_between_characters() {
        let summary = "ការចុះសួរសុខទុក្ខ ".repeat(10);
        let ics = calendar("k", &[FeedEvent { uid: "u".into(), on: NaiveDate::MIN, summary }], Utc::now());
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&"ការចុះសួរសុខទុក្ខ ".repeat(10)));
    }

    #[test]
    fn no_line_breaks_smuggled_in() {
        let ics = calendar("a\r\nBEGIN:VEVENT", &[], Utc::now());
        assert!(!ics.contains("\r\nBEGIN:VEVENT"));
    }
}
