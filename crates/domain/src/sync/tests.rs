use super::*;
use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeMap;
use uuid::Uuid;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn a_field_changed_on_the_device_only_is_applied() {
    let base = map(&[("village_code", "01020304")]);
    let device = map(&[("village_code", "01020305")]);
    let server = map(&[("village_code", "01020304"), ("nickname", "Mey")]);
    let m = merge_fields(&base, &device, &server);
    assert_eq!(m.apply, map(&[("village_code", "01020305")]));
    assert!(m.is_clean());
}

#[test]
fn a_field_changed_on_the_server_only_is_kept() {
    // The device sent only what it changed; the server's change to another field stands.
    let base = map(&[("nickname", "Mey")]);
    let device = map(&[("nickname", "Mey Mey")]);
    let server = map(&[("nickname", "Mey"), ("village_code", "09")]);
    let m = merge_fields(&base, &device, &server);
    assert_eq!(m.apply.len(), 1);
    assert!(!m.apply.contains_key("village_code"));
}

#[test]
fn the_same_field_changed_on_both_sides_is_a_conflict_with_both_values() {
    let base = map(&[("nickname", "Mey")]);
    let device = map(&[("nickname", "Srey Mey")]);
    let server = map(&[("nickname", "Mey Mey")]);
    let m = merge_fields(&base, &device, &server);
    assert!(m.apply.is_empty(), "nothing is overwritten");
    assert_eq!(
        m.conflicts,
        vec![FieldConflict { field: "nickname".into(), base: "Mey".into(), server: "Mey Mey".into(), device: "Srey Mey".into() }]
    );
}

#[test]
fn both_sides_making_the_same_change_is_no_conflict() {
    let base = map(&[("sex", "u")]);
    let device = map(&[("sex", "f")]);
    let server = map(&[("sex", "f")]);
    let m = merge_fields(&base, &device, &server);
    assert!(m.is_clean());
    assert!(m.apply.is_empty());
    assert_eq!(m.same, vec!["sex".to_string()]);
}

#[test]
fn a_field_the_device_sent_unchanged_leaves_the_servers_change() {
    let m = merge_fields(&map(&[("nickname", "")]), &map(&[("nickname", "")]), &map(&[("nickname", "Mey")]));
    assert!(m.is_clean());
    assert!(m.apply.is_empty());
}

#[test]
fn a_field_sent_without_its_base_is_a_conflict_unless_already_equal() {
    let m = merge_fields(&map(&[]), &map(&[("nickname", "A")]), &map(&[("nickname", "B")]));
    assert_eq!(m.conflicts.len(), 1);
    let m = merge_fields(&map(&[]), &map(&[("nickname", "A")]), &map(&[("nickname", "A")]));
    assert!(m.is_clean());
}

#[test]
fn two_workers_editing_the_same_child_offline() {
    // Both took the record at the same version. Sokha fixes the village and the nickname;
    // Dara, later, the nickname (differently) and the birth certificate number.
    let start = map(&[("village_code", "01"), ("nickname", "Mey"), ("birth_certificate_number", "")]);
    let sokha = map(&[("village_code", "02"), ("nickname", "Srey Mey")]);
    let first = merge_fields(&start, &sokha, &start);
    assert!(first.is_clean());
    let mut server = start.clone();
    server.extend(first.apply);

    let dara = map(&[("nickname", "Mey Mey"), ("birth_certificate_number", "BC-17")]);
    let dara_base: BTreeMap<String, String> = dara.keys().map(|k| (k.clone(), start[k].clone())).collect();
    let second = merge_fields(&dara_base, &dara, &server);
    assert_eq!(second.apply, map(&[("birth_certificate_number", "BC-17")]));
    assert_eq!(second.conflicts.len(), 1);
    let c = &second.conflicts[0];
    assert_eq!((c.field.as_str(), c.server.as_str(), c.device.as_str()), ("nickname", "Srey Mey", "Mey Mey"));
    // Sokha's village stands.
    assert!(!second.apply.contains_key("village_code"));
}

fn small_value() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["".to_string(), "a".into(), "b".into(), "c".into()])
}

fn record() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(prop::sample::select(vec!["f1".to_string(), "f2".into(), "f3".into()]), small_value(), 0..4)
}

proptest! {
    /// Whatever the three sides hold, a merge never loses anyone's work: every field the device
    /// sent is applied, already there, or a conflict carrying both values; and a field is
    /// applied only where the server still had the device's starting value.
    #[test]
    fn nothing_is_silently_overwritten(base in record(), device in record(), server in record()) {
        let m = merge_fields(&base, &device, &server);
        prop_assert_eq!(m.apply.len() + m.same.len() + m.conflicts.len(), device.len());
        for (f, v) in &m.apply {
            prop_assert_eq!(Some(v), device.get(f));
            prop_assert_eq!(base.get(f).cloned().unwrap_or_default(), server.get(f).cloned().unwrap_or_default());
        }
        for c in &m.conflicts {
            prop_assert_eq!(Some(&c.device), device.get(&c.field));
            prop_assert_ne!(Some(&c.device), base.get(&c.field), "a field the device did not change is never a conflict");
            prop_assert_eq!(&c.server, &server.get(&c.field).cloned().unwrap_or_default());
            prop_assert_ne!(&c.server, &c.device);
        }
    }

    /// A change sent twice (a retry after a lost answer) changes nothing the second time.
    #[test]
    fn merging_again_is_idempotent(base in record(), device in record(), server in record()) {
        let m = merge_fields(&base, &device, &server);
        let mut after = server.clone();
        after.extend(m.apply.clone());
        let again = merge_fields(&base, &device, &after);
        prop_assert!(again.apply.is_empty());
        prop_assert_eq!(again.conflicts.len(), m.conflicts.len());
    }
}

fn v7_at(ms: u64) -> Uuid {
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
    Uuid::new_v7(ts)
}

#[test]
fn a_change_needs_a_device_made_v7_id_a_known_kind_and_a_sane_clock() {
    let now = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 0).unwrap();
    let id = v7_at(1_764_900_000_000);
    assert_eq!(check_change(id, "visit", now - Duration::hours(30), now), Ok(ChangeKind::Visit));
    assert_eq!(
        check_change(Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8), "visit", now, now),
        Err(ChangeProblem::NotDeviceId)
    );
    assert_eq!(check_change(Uuid::nil(), "visit", now, now), Err(ChangeProblem::NotDeviceId));
    assert_eq!(check_change(id, "delete-everything", now, now), Err(ChangeProblem::UnknownKind));
    assert_eq!(check_change(id, "note", now + Duration::hours(25), now), Err(ChangeProblem::ClockAhead));
    // A device a few hours ahead (a time zone set wrong) is still accepted.
    assert!(check_change(id, "note", now + Duration::hours(7), now).is_ok());
}

#[test]
fn kinds_round_trip_and_say_what_they_make() {
    for k in ChangeKind::ALL {
        assert_eq!(ChangeKind::parse(k.code()), Some(k));
    }
    assert!(ChangeKind::Register.creates_record());
    assert!(ChangeKind::TaskDone.creates_record());
    assert!(!ChangeKind::ChildEdit.creates_record());
    assert!(!ChangeKind::TaskDone.takes_photo());
    assert!(ChangeKind::Visit.takes_photo());
}

#[test]
fn the_copy_on_a_device_expires_after_the_organisations_days() {
    let synced = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    assert!(!device_expired(synced, synced + Duration::days(14), 14));
    assert!(device_expired(synced, synced + Duration::days(14) + Duration::minutes(1), 14));
    assert!(device_expired(synced, synced + Duration::days(2), 1));
}

fn child(nickname: &str, village: &str) -> crate::child::ChildInput {
    crate::child::ChildInput {
        given_name_km: Some("សុខា".into()),
        nickname: Some(nickname.into()),
        village_code: Some(village.into()),
        sex: Some("f".into()),
        estimated_birth_year: Some("2015".into()),
        ..Default::default()
    }
}

#[test]
fn a_childs_record_merges_field_by_field() {
    let start = child("Mey", "01020304");
    let base = map(&[("nickname", "Mey"), ("date_of_birth", "")]);
    let device = map(&[("nickname", " Srey Mey "), ("date_of_birth", "2015-03-01")]);
    // Meanwhile the server moved the child to another village.
    let now = child("Mey", "01020305");
    let (out, m) = merge_child(&base, &device, &now).unwrap();
    assert!(m.is_clean());
    assert_eq!(out.nickname.as_deref(), Some("Srey Mey"));
    assert_eq!(out.village_code.as_deref(), Some("01020305"), "the server's change stands");
    assert_eq!(out.date_of_birth.as_deref(), Some("2015-03-01"));
    assert_eq!(out.estimated_birth_year, None, "a date of birth replaces the estimated year, as on the form");
    let _ = start;
}

#[test]
fn a_device_may_not_change_fields_outside_its_list() {
    let e = merge_child(&map(&[]), &map(&[("rci_id", "x")]), &child("Mey", "01")).unwrap_err();
    assert_eq!(e.for_field("fields"), Some("err-sync-field"));
    let e = merge_child(&map(&[]), &map(&[("protection_note", "x")]), &child("Mey", "01")).unwrap_err();
    assert!(e.has("fields"));
}

#[test]
fn values_read_back_as_they_were_set() {
    let mut c = crate::child::ChildInput::default();
    for f in CHILD_EDITABLE {
        assert!(set_child_value(&mut c, f, &format!(" {f}-value ")));
    }
    let v = child_values(&c);
    assert_eq!(v.len(), CHILD_EDITABLE.len());
    assert_eq!(v["estimated_birth_year"], "estimated_birth_year-value");
    assert_eq!(v["nickname"], "nickname-value");
    assert!(!set_child_value(&mut c, "assigned_worker_id", "x"));
}
