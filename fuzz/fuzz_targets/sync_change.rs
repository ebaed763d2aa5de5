//! A change sent from a device, as the server reads it: any id, kind and time go through the
//! envelope check without a panic; any base and new values of any fields merge into any record
//! without a panic, and what the merge writes is exactly what the device sent for fields the
//! server still had as the device started from.
#![no_main]
use arbitrary::Arbitrary;
use krousar_domain::child::ChildInput;
use krousar_domain::sync::{check_change, child_values, merge_child, normalise};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

#[derive(Arbitrary, Debug)]
struct Input {
    id: [u8; 16],
    kind: String,
    clock_offset_secs: i32,
    base: BTreeMap<String, String>,
    device: BTreeMap<String, String>,
    current: Vec<(String, String)>,
}

fuzz_target!(|i: Input| {
    let now = chrono::DateTime::from_timestamp(1_764_900_000, 0).expect("a time");
    let at = now + chrono::Duration::seconds(i64::from(i.clock_offset_secs));
    let _ = check_change(uuid::Uuid::from_bytes(i.id), &i.kind, at, now);
    let mut current = ChildInput::default();
    for (k, v) in &i.current {
        krousar_domain::sync::set_child_value(&mut current, k, v);
    }
    let Ok((merged, m)) = merge_child(&i.base, &i.device, &current) else { return };
    let before = child_values(&current);
    let after = child_values(&merged);
    for (field, value) in &m.apply {
        assert_eq!(normalise(&i.device[field]), *value);
        assert_eq!(before.get(field).map(String::as_str).unwrap_or(""), normalise(&i.base[field]));
        if field != "estimated_birth_year" {
            assert_eq!(after.get(field), Some(value), "{field}");
        }
    }
    // A date of birth written replaces the estimated year, as on the form.
    let dob_set = m.apply.get("date_of_birth").is_some_and(|d| !d.is_empty());
    for c in &m.conflicts {
        assert_ne!(c.server, c.device);
        if !(dob_set && c.field == "estimated_birth_year") {
            assert_eq!(after.get(&c.field), before.get(&c.field), "a conflict leaves the server's value");
        }
    }
    let _ = merged.validate(chrono::NaiveDate::from_ymd_opt(2026, 12, 5).expect("a date"));
});
