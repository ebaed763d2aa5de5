//! A child's registration form as posted (URL-encoded, any bytes): read and validated without
//! a panic; what passes validation yields search keys.
#![no_main]
use krousar_domain::child::ChildInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_urlencoded::from_bytes::<ChildInput>(data) else { return };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    if let Ok(fields) = input.validate(today) {
        assert!(fields.date_of_birth.is_none_or(|d| d <= today), "no birth in the future");
        let names = [&fields.given_name_km, &fields.family_name_km, &fields.given_name_latin, &fields.family_name_latin];
        let _ = krousar_match::name_keys(names.iter().filter_map(|n| n.as_deref()));
    }
});
