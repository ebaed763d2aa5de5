//! Dates as people type them (ISO, day/month/year, Khmer digits): a date read back from its
//! own ISO form is the same date, and a past date is never after today.
#![no_main]
use krousar_domain::case::entries::past_date;
use krousar_domain::child::parse_date;
use krousar_domain::validation::Invalid;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Some(d) = parse_date(s) {
        assert_eq!(parse_date(&d.to_string()), Some(d), "{s:?}");
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    let mut e = Invalid::default();
    if let Some(d) = past_date(&mut e, "on", Some(s), today) {
        assert!(d <= today, "{s:?} → {d}");
    }
});
