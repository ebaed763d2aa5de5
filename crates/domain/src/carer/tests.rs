use super::matching::{nearness, rank, CarerOffer, ChildNeeds};
use super::steps::{CheckKind, CheckResult, PanelDecision, Recommendation, ReviewOutcome, StepInput};
use super::*;
use uuid::Uuid;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn approval() -> Approval {
    Approval {
        on: d("2026-03-01"),
        max_children: 2,
        age_min: 3,
        age_max: 12,
        sex: SexPreference::Any,
        care_types: vec![CareType::LongTerm],
    }
}

fn panel(decision: PanelDecision) -> Step {
    let approved_for = (decision == PanelDecision::Approved).then(approval);
    Step::Panel { on: d("2026-03-01"), decision, approved_for, reason: None }
}

fn record(f: &mut CarerFacts, s: Step) -> Result<(), &'static str> {
    f.check(&s)?;
    f.apply(&s);
    Ok(())
}

#[test]
fn a_foster_carer_is_approved_only_after_assessment_checks_and_training() {
    let mut f = CarerFacts::new(CarerKind::Foster, d("2026-01-05"));
    let today = d("2026-01-06");
    assert_eq!(f.stage(today), CarerStage::Enquiry);
    assert_eq!(f.next_due(), Some((d("2026-01-12"), "due-carer-first-contact")));
    assert_eq!(record(&mut f, panel(PanelDecision::Approved)), Err("err-carer-not-assessed"));
    assert_eq!(record(&mut f, panel(PanelDecision::Declined)), Err("err-carer-not-assessed"));
    record(&mut f, Step::HomeVisit { on: d("2026-01-10"), note: None }).unwrap();
    assert_eq!(f.stage(today), CarerStage::Assessment);
    assert_eq!(f.next_due(), Some((d("2026-03-06"), "due-carer-assessment")));
    let assessment = |r| Step::Assessment { on: d("2026-02-01"), members: None, health: None, motivation: None, recommendation: r };
    record(&mut f, assessment(Recommendation::NotApprove)).unwrap();
    assert_eq!(record(&mut f, panel(PanelDecision::Approved)), Err("err-carer-not-recommended"));
    record(&mut f, assessment(Recommendation::Approve)).unwrap();
    assert_eq!(f.stage(today), CarerStage::AwaitingPanel);
    assert_eq!(record(&mut f, panel(PanelDecision::Approved)), Err("err-carer-no-checks"));
    record(&mut f, Step::Check { on: d("2026-02-02"), check: CheckKind::Police, result: CheckResult::Clear, note: None }).unwrap();
    assert_eq!(record(&mut f, panel(PanelDecision::Approved)), Err("err-carer-no-training"));
    record(&mut f, Step::Training { on: d("2026-02-10"), course: "Foster care basics".into(), session: None }).unwrap();
    record(&mut f, panel(PanelDecision::Approved)).unwrap();
    assert_eq!(f.stage(d("2026-03-02")), CarerStage::Approved);
    assert_eq!(record(&mut f, panel(PanelDecision::Approved)), Err("err-carer-already-approved"));
    // Support visit every 90 days comes before the annual review.
    assert_eq!(f.next_due(), Some((d("2026-05-30"), "due-carer-support-visit")));
}

#[test]
fn a_kinship_carer_needs_no_training_and_steps_after_approval_need_approval() {
    let mut f = CarerFacts::new(CarerKind::Kinship, d("2026-01-05"));
    for s in [
        Step::Availability { on: d("2026-01-06"), from: d("2026-01-06"), to: d("2026-12-31") },
        Step::SupportVisit { on: d("2026-01-06"), note: None },
        Step::Suspend { on: d("2026-01-06"), reason: "x".into() },
    ] {
        assert_eq!(f.check(&s), Err("err-carer-not-approved"), "{s:?}");
    }
    record(
        &mut f,
        Step::Assessment { on: d("2026-02-01"), members: None, health: None, motivation: None, recommendation: Recommendation::Approve },
    )
    .unwrap();
    record(&mut f, Step::Check { on: d("2026-02-02"), check: CheckKind::LocalAuthority, result: CheckResult::Clear, note: None }).unwrap();
    record(&mut f, panel(PanelDecision::Approved)).unwrap();
    record(&mut f, Step::Availability { on: d("2026-03-02"), from: d("2026-03-02"), to: d("2026-12-31") }).unwrap();
    assert_eq!(f.stage(d("2026-04-01")), CarerStage::Available);
    assert_eq!(f.stage(d("2027-01-01")), CarerStage::Approved, "the stand-by period ended");
    record(&mut f, Step::Suspend { on: d("2026-04-01"), reason: "Investigation".into() }).unwrap();
    assert_eq!(f.stage(d("2026-04-02")), CarerStage::Suspended);
    assert_eq!(f.check(&Step::Suspend { on: d("2026-04-02"), reason: "x".into() }), Err("err-carer-suspended"));
    assert_eq!(may_place(&f, 0, Some(6), true, d("2026-04-02")), Err("err-carer-suspended"));
    record(&mut f, Step::Reinstate { on: d("2026-04-10"), note: None }).unwrap();
    record(&mut f, Step::Review { on: d("2026-05-01"), outcome: ReviewOutcome::Deregister, note: None }).unwrap();
    assert_eq!(f.stage(d("2026-05-02")), CarerStage::Deregistered);
    assert_eq!(f.check(&Step::HomeVisit { on: d("2026-05-03"), note: None }), Err("err-carer-deregistered"));
    assert_eq!(f.next_due(), None);
}

#[test]
fn placement_needs_availability_room_and_the_approved_age_and_sex() {
    let mut f = CarerFacts::new(CarerKind::Foster, d("2026-01-05"));
    f.approval = Some(Approval { sex: SexPreference::Female, ..approval() });
    let today = d("2026-04-01");
    assert_eq!(may_place(&f, 0, Some(6), true, today), Err("err-carer-not-available"));
    f.available = Some((d("2026-03-01"), d("2026-12-31")));
    assert_eq!(may_place(&f, 0, Some(6), true, today), Ok(()));
    assert_eq!(may_place(&f, 2, Some(6), true, today), Err("err-carer-full"));
    assert_eq!(may_place(&f, 0, Some(15), true, today), Err("err-carer-age"));
    assert_eq!(may_place(&f, 0, Some(6), false, today), Err("err-carer-sex"));
}

#[test]
fn steps_are_validated_as_typed() {
    let today = d("2026-06-01");
    let bad = StepInput {
        kind: Some("panel".into()),
        on: Some("2026-06-01".into()),
        decision: Some("approved".into()),
        max_children: Some("0".into()),
        age_min: Some("12".into()),
        age_max: Some("3".into()),
        ..Default::default()
    };
    let e = bad.validate(today).unwrap_err();
    assert_eq!(e.for_field("max_children"), Some("err-number"));
    assert_eq!(e.for_field("age_max"), Some("err-age-range"));
    assert_eq!(e.for_field("care_types"), Some("err-required"));
    let declined =
        StepInput {
            kind: Some("panel".into()), on: Some("២០២៦-០៥-០១".into()), decision: Some("declined".into()), ..Default::default()
        };
    assert_eq!(declined.validate(today).unwrap_err().for_field("reason"), Some("err-required"));
    let future = StepInput { kind: Some("home_visit".into()), on: Some("2026-07-01".into()), ..Default::default() };
    assert_eq!(future.validate(today).unwrap_err().for_field("on"), Some("err-date-future"));
    let avail = StepInput {
        kind: Some("availability".into()),
        from: Some("2026-07-01".into()),
        to: Some("2026-06-01".into()),
        ..Default::default()
    };
    assert_eq!(avail.validate(today).unwrap_err().for_field("to"), Some("err-end-before-start"));
    let ok = StepInput {
        kind: Some("check".into()),
        on: Some("2026-05-01".into()),
        check: Some("police".into()),
        result: Some("clear".into()),
        ..Default::default()
    };
    assert!(matches!(ok.validate(today), Ok(Step::Check { .. })));
}

fn offer(n: u128, village: &str, room: u32) -> CarerOffer {
    CarerOffer {
        id: Uuid::from_u128(n),
        village: Some(village.into()),
        room,
        age_min: 0,
        age_max: 17,
        sex: SexPreference::Any,
        kinship: false,
        disability_skills: false,
        languages: vec![],
    }
}

#[test]
fn matching_ranks_by_fit_and_sets_apart_who_cannot_take_the_child() {
    assert_eq!(nearness(Some("02020101"), Some("02020102")), 3);
    assert_eq!(nearness(Some("02020101"), Some("12010101")), 0);
    let child = ChildNeeds {
        age: Some(8),
        female: true,
        village: Some("02020101".into()),
        disability: true,
        siblings: 1,
        language: Some("Bunong".into()),
        kinship: false,
    };
    let mut skilled_far = offer(1, "17010101", 2);
    skilled_far.disability_skills = true;
    skilled_far.languages = vec!["bunong".into()];
    let same_village_one_room = offer(2, "02020101", 1);
    let same_commune_two_rooms = offer(3, "02020102", 2);
    let full = offer(4, "02020101", 0);
    let mut boys_only = offer(5, "02020101", 3);
    boys_only.sex = SexPreference::Male;
    let ranked = rank(&child, &[skilled_far, same_village_one_room, same_commune_two_rooms, full, boys_only]);
    let ids: Vec<u128> = ranked.iter().map(|r| r.id.as_u128()).collect();
    // commune 30 + siblings 20 = 50; far 0 + siblings 20 + skills 20 + language 15 = 55; village 40 (siblings apart) = 40.
    assert_eq!(&ids[..3], &[1, 3, 2]);
    assert_eq!(ranked[0].reasons, vec!["match-far", "match-siblings-together", "match-disability-skills", "match-language"]);
    assert!(ranked[2].reasons.contains(&"match-siblings-apart"));
    assert!(ranked[3].excluded.is_some() && ranked[4].excluded.is_some());
    let excluded: Vec<_> = ranked[3..].iter().map(|r| (r.id.as_u128(), r.excluded.unwrap())).collect();
    assert!(excluded.contains(&(4, "match-no-room")) && excluded.contains(&(5, "match-sex")));
}
