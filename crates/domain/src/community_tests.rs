use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

#[test]
fn a_parenting_club_in_a_village() {
    let g = GroupInput {
        name: Some("ក្លឹបឪពុកម្តាយ ភូមិត្រពាំង".into()),
        kind: Some("parenting_club".into()),
        organiser: Some("Sovann".into()),
        village_code: Some(" 02030405 ".into()),
        started_on: Some("2026-03-01".into()),
        ..GroupInput::default()
    }
    .validate(today())
    .unwrap();
    assert_eq!(g.kind, GroupKind::ParentingClub);
    assert_eq!(g.village_code.as_deref(), Some("02030405"));
    assert_eq!(g.started_on, NaiveDate::from_ymd_opt(2026, 3, 1));
}

#[test]
fn a_group_with_every_problem_says_each() {
    let e = GroupInput {
        name: Some("  ".into()),
        kind: Some("book_club".into()),
        village_code: Some("0203'; --".into()),
        started_on: Some("2030-01-01".into()),
        ..GroupInput::default()
    }
    .validate(today())
    .unwrap_err();
    for f in ["name", "kind", "village_code", "started_on"] {
        assert!(e.has(f), "{f}: {e}");
    }
}

#[test]
fn a_linked_member_takes_the_role_of_the_record_kind() {
    let c = crate::new_id();
    let m = MemberInput { child_id: Some(c.to_string()), ..MemberInput::default() }.validate().unwrap();
    assert_eq!(m, Member::Linked { link: Link::Child(c), role: MemberRole::Child });
    let p = crate::new_id();
    let m = MemberInput { household_member_id: Some(p.to_string()), ..MemberInput::default() }.validate().unwrap();
    assert_eq!(m, Member::Linked { link: Link::HouseholdMember(p), role: MemberRole::Caregiver });
    // A linked record's name is never taken from the form: it is read from the record.
    let m = MemberInput {
        child_id: Some(c.to_string()),
        name: Some("someone else".into()),
        role: Some("community".into()),
        ..MemberInput::default()
    }
    .validate()
    .unwrap();
    assert_eq!(m, Member::Linked { link: Link::Child(c), role: MemberRole::Community });
}

#[test]
fn a_person_not_in_the_records_needs_name_sex_and_age_group() {
    let m = MemberInput {
        name: Some("យាយ ស៊ីណា".into()),
        sex: Some("female".into()),
        age_group: Some("60_plus".into()),
        role: Some("caregiver".into()),
        ..MemberInput::default()
    }
    .validate()
    .unwrap();
    assert!(matches!(m, Member::Named { sex: Sex::Female, age_group: AgeGroup::From60, role: MemberRole::Caregiver, .. }));
    let e = MemberInput { name: Some("Dara".into()), ..MemberInput::default() }.validate().unwrap_err();
    for f in ["sex", "age_group", "role"] {
        assert!(e.has(f), "{f}: {e}");
    }
    let both = MemberInput {
        child_id: Some(crate::new_id().to_string()),
        household_member_id: Some(crate::new_id().to_string()),
        ..MemberInput::default()
    };
    assert_eq!(both.validate().unwrap_err().for_field("child_id"), Some("err-one-link"));
    let bad = MemberInput { child_id: Some("../etc".into()), ..MemberInput::default() };
    assert!(bad.validate().unwrap_err().has("child_id"));
}

#[test]
fn a_session_counts_each_member_once_and_reads_khmer_digits() {
    let a = crate::new_id();
    let s = SessionInput {
        held_on: Some("2026-12-01".into()),
        topic: Some("វិន័យវិជ្ជមាន".into()),
        attended: vec![a.to_string(), a.to_string()],
        reached_female: Some("១២".into()),
        reached_male: Some("".into()),
        ..SessionInput::default()
    }
    .validate(today())
    .unwrap();
    assert_eq!(s.attended, vec![a]);
    assert_eq!((s.reached_female, s.reached_male), (12, 0));
}

#[test]
fn a_session_in_the_future_or_with_a_bad_count_is_refused() {
    let e = SessionInput {
        held_on: Some("2026-12-08".into()),
        topic: None,
        attended: vec!["x".into()],
        reached_female: Some("-4".into()),
        reached_male: Some("1000001".into()),
        ..SessionInput::default()
    }
    .validate(today())
    .unwrap_err();
    for f in ["held_on", "topic", "attended", "reached_female", "reached_male"] {
        assert!(e.has(f), "{f}: {e}");
    }
    let old = SessionInput { held_on: Some("2010-01-01".into()), topic: Some("t".into()), ..SessionInput::default() };
    assert_eq!(old.validate(today()).unwrap_err().for_field("held_on"), Some("err-date-range"));
}
