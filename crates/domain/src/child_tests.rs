use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn valid() -> ChildInput {
    ChildInput {
        given_name_km: Some("សុខា".into()),
        family_name_km: Some("ចាន់".into()),
        given_name_latin: Some("Sokha".into()),
        family_name_latin: Some("Chan".into()),
        sex: Some("female".into()),
        date_of_birth: Some("2015-03-02".into()),
        village_code: Some("12010101".into()),
        protection: vec!["orphan".into(), "orphan".into(), "street_child".into()],
        ..Default::default()
    }
}

#[test]
fn a_complete_child_is_valid_with_defaults() {
    let c = valid().validate(today()).unwrap();
    assert_eq!(c.sex, Sex::Female);
    assert_eq!(c.birth_registration, BirthRegistration::Unknown);
    assert_eq!(c.protection, vec![Protection::Orphan, Protection::StreetChild]);
    assert_eq!(c.to_input().validate(today()).unwrap(), c);
}

#[test]
fn future_and_impossible_dates_are_refused() {
    for (dob, code) in [
        ("2027-01-01", "err-future-date"),
        ("2015-02-30", "err-invalid-date"),
        ("15/03/2015", "err-invalid-date"),
        ("1900-01-01", "err-too-old"),
    ] {
        let input = ChildInput { date_of_birth: Some(dob.into()), ..valid() };
        let err = input.validate(today()).unwrap_err();
        assert_eq!(err.for_field("date_of_birth"), Some(code), "{dob}");
    }
}

#[test]
fn an_estimated_age_becomes_a_birth_year() {
    let input = ChildInput { date_of_birth: None, estimated_age: Some("9".into()), ..valid() };
    let c = input.validate(today()).unwrap();
    assert_eq!(c.estimated_birth_year, Some(2017));
    assert_eq!(c.birth_date_for_age(), NaiveDate::from_ymd_opt(2017, 7, 1));
    let bad = ChildInput { date_of_birth: None, estimated_age: Some("-3".into()), ..valid() };
    assert_eq!(bad.validate(today()).unwrap_err().for_field("estimated_age"), Some("err-invalid-number"));
}

#[test]
fn khmer_digits_are_accepted_in_dates_and_ages() {
    let input = ChildInput { date_of_birth: Some("២០១៥-០៣-០២".into()), ..valid() };
    assert_eq!(input.validate(today()).unwrap().date_of_birth, NaiveDate::from_ymd_opt(2015, 3, 2));
    let input = ChildInput { date_of_birth: None, estimated_age: Some("៩".into()), ..valid() };
    assert_eq!(input.validate(today()).unwrap().estimated_birth_year, Some(2017));
}

#[test]
fn some_birth_information_is_required() {
    let input = ChildInput { date_of_birth: None, ..valid() };
    assert_eq!(input.validate(today()).unwrap_err().for_field("date_of_birth"), Some("err-birth-required"));
}

#[test]
fn a_name_in_either_script_is_required() {
    let input = ChildInput { given_name_km: None, given_name_latin: None, ..valid() };
    assert_eq!(input.validate(today()).unwrap_err().for_field("given_name_km"), Some("err-name-required"));
    let latin_only = ChildInput { given_name_km: None, ..valid() };
    assert!(latin_only.validate(today()).is_ok());
}

#[test]
fn unknown_choices_and_bad_codes_are_reported_together() {
    let input = ChildInput { sex: Some("x".into()), village_code: Some("12' OR 1=1".into()), protection: vec!["pirate".into()], ..valid() };
    let err = input.validate(today()).unwrap_err();
    assert_eq!(err.for_field("sex"), Some("err-invalid-choice"));
    assert_eq!(err.for_field("protection"), Some("err-invalid-choice"));
    assert!(err.has("village_code"));
}

#[test]
fn living_in_an_rci_needs_the_rci() {
    let input = ChildInput { living_arrangement: Some("in_rci".into()), ..valid() };
    assert_eq!(input.validate(today()).unwrap_err().for_field("rci_id"), Some("err-rci-required"));
    let with_family = ChildInput { rci_id: Some(uuid::Uuid::nil().to_string()), ..valid() };
    assert_eq!(with_family.validate(today()).unwrap().rci_id, None);
}

proptest::proptest! {
    #[test]
    fn validation_never_panics(given in ".{0,200}", dob in ".{0,20}", sex in ".{0,8}", village in ".{0,12}", age in ".{0,5}") {
        let input = ChildInput {
            given_name_km: Some(given),
            date_of_birth: Some(dob),
            sex: Some(sex),
            village_code: Some(village),
            estimated_age: Some(age),
            ..Default::default()
        };
        if let Ok(c) = input.validate(today()) {
            proptest::prop_assert!(c.birth_date_for_age().unwrap() <= today());
        }
    }
}
