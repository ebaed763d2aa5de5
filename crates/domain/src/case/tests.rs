use super::approval::{may_close, may_decide, may_request};
use super::entries::*;
use super::schedule::*;
use super::stage::*;
use super::*;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn stage_follows_what_is_recorded_and_approved() {
    let mut f = CaseFacts::default();
    assert_eq!(Stage::derive(&f), Stage::Identified);
    f.registration_complete = true;
    assert_eq!(Stage::derive(&f), Stage::Registered);
    f.assessed = true;
    assert_eq!(Stage::derive(&f), Stage::Assessment);
    f.has_care_plan = true; // a draft plan does not move the case on by itself
    assert_eq!(Stage::derive(&f), Stage::Assessment);
    f.assessment_approved = true;
    assert_eq!(Stage::derive(&f), Stage::CasePlan);
    f.care_plan_approved = true;
    assert_eq!(Stage::derive(&f), Stage::Implementation);
    f.has_placement = true;
    f.placement_approved = true;
    assert_eq!(Stage::derive(&f), Stage::Implementation, "a group home is not family care: no follow-up stage");
    f.in_family_placement = true;
    assert_eq!(Stage::derive(&f), Stage::FollowUp);
    f.closed = true;
    assert_eq!(Stage::derive(&f), Stage::Closed);
    f.closed = false; // reopened
    assert_eq!(Stage::derive(&f), Stage::FollowUp);
}

#[test]
fn approvals_come_in_order() {
    let mut f = CaseFacts { registration_complete: true, ..Default::default() };
    assert_eq!(may_request(ApprovalKind::Assessment, &f, &[]), Err("err-needs-assessment"));
    f.assessed = true;
    assert_eq!(may_request(ApprovalKind::Assessment, &f, &[]), Ok(()));
    assert_eq!(may_request(ApprovalKind::Assessment, &f, &[ApprovalKind::Assessment]), Err("err-approval-pending"));
    f.has_care_plan = true;
    assert_eq!(may_request(ApprovalKind::CarePlan, &f, &[]), Err("err-needs-approved-assessment"));
    f.assessment_approved = true;
    assert_eq!(may_request(ApprovalKind::Assessment, &f, &[]), Err("err-already-approved"));
    assert_eq!(may_request(ApprovalKind::CarePlan, &f, &[]), Ok(()));
    assert_eq!(may_request(ApprovalKind::Placement, &f, &[]), Err("err-needs-approved-plan"));
    f.care_plan_approved = true;
    assert_eq!(may_request(ApprovalKind::Placement, &f, &[]), Err("err-needs-placement"));
    f.has_placement = true;
    assert_eq!(may_request(ApprovalKind::Placement, &f, &[]), Ok(()));
    f.closed = true;
    assert_eq!(may_request(ApprovalKind::Placement, &f, &[]), Err("err-case-closed"));
}

#[test]
fn nobody_approves_their_own_request_or_decides_twice() {
    let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    assert_eq!(may_decide(a, a, ApprovalState::Pending), Err("err-approve-own"));
    assert_eq!(may_decide(a, b, ApprovalState::Pending), Ok(()));
    assert_eq!(may_decide(a, b, ApprovalState::Approved), Err("err-approval-decided"));
    assert_eq!(may_decide(a, b, ApprovalState::Returned), Err("err-approval-decided"));
}

#[test]
fn closure_waits_for_the_follow_up_period_unless_the_reason_allows() {
    let f = CaseFacts { care_plan_approved: true, ..Default::default() };
    let until = Some(d("2027-03-01"));
    assert_eq!(may_close(ClosureReason::ReintegratedStable, &f, d("2027-02-28"), until), Err("err-follow-up-not-ended"));
    assert_eq!(may_close(ClosureReason::ReintegratedStable, &f, d("2027-03-01"), until), Ok(()));
    for early in [ClosureReason::MovedAway, ClosureReason::Transferred, ClosureReason::Died, ClosureReason::AgedOut] {
        assert_eq!(may_close(early, &f, d("2025-06-01"), until), Ok(()), "{early:?}");
    }
    assert_eq!(may_close(ClosureReason::Other, &f, d("2025-06-01"), until), Err("err-follow-up-not-ended"));
    // A prevention case never placed: no follow-up period, but success needs an approved plan.
    let unplanned = CaseFacts::default();
    assert_eq!(may_close(ClosureReason::GoalsMet, &unplanned, d("2025-06-01"), None), Err("err-close-needs-plan"));
    assert_eq!(may_close(ClosureReason::RefusedServices, &unplanned, d("2025-06-01"), None), Ok(()));
    let closed = CaseFacts { closed: true, ..Default::default() };
    assert_eq!(may_close(ClosureReason::Died, &closed, d("2025-06-01"), None), Err("err-case-closed"));
}

#[test]
fn months_clamp_to_month_ends_and_leap_days() {
    assert_eq!(add_months(d("2025-01-31"), 1), d("2025-02-28"));
    assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
    assert_eq!(add_months(d("2024-02-29"), 12), d("2025-02-28"));
    assert_eq!(add_months(d("2024-02-29"), 48), d("2028-02-29"));
    assert_eq!(add_months(d("2025-08-31"), 1), d("2025-09-30"));
    assert_eq!(add_months(d("2025-12-15"), 1), d("2026-01-15"));
}

#[test]
fn schedule_covers_two_years_without_drift() {
    let start = d("2025-01-31");
    let until = follow_up_until(start, 24);
    assert_eq!(until, d("2027-01-31"));
    let monthly = visits_after(start, until, 1);
    assert_eq!(monthly.len(), 24);
    assert_eq!(monthly[0], d("2025-02-28"));
    assert_eq!(monthly[1], d("2025-03-31"), "counted from the anchor, not chained from 28 Feb");
    assert_eq!(*monthly.last().unwrap(), until);
    let quarterly = visits_after(start, until, 3);
    assert_eq!(quarterly.len(), 8);
    assert_eq!(quarterly[0], d("2025-04-30"));
    // An interval that does not divide the period still ends with a visit on the last day.
    let five = visits_after(start, until, 5);
    assert_eq!(five, vec![d("2025-06-30"), d("2025-11-30"), d("2026-04-30"), d("2026-09-30"), d("2027-01-31")]);
    assert!(visits_after(until, until, 1).is_empty());
}

#[test]
fn risk_change_mid_schedule_keeps_history_and_replaces_the_rest() {
    let start = d("2025-01-10");
    let until = follow_up_until(start, 24);
    let existing: Vec<DueVisit> =
        visits_after(start, until, 3).into_iter().enumerate().map(|(i, due_on)| DueVisit { due_on, done: i == 0 }).collect();
    // 10 Apr done; 10 Jul open and overdue when risk rises to high on 1 Aug.
    let (add, drop) = reschedule(&existing, d("2025-08-01"), until, 1);
    assert!(!drop.contains(&d("2025-04-10")), "done visits stay");
    assert!(!drop.contains(&d("2025-07-10")), "an overdue visit is not forgiven");
    assert!(drop.contains(&d("2025-10-10")));
    assert_eq!(drop.len(), existing.len() - 2);
    assert_eq!(add[0], d("2025-09-01"));
    assert_eq!(*add.last().unwrap(), until);
    assert_eq!(add.len(), 18); // Sep 2025 … Dec 2026 monthly, then 10 Jan 2027
                               // A change after the period ends adds nothing.
    let (add, _) = reschedule(&existing, d("2027-02-01"), until, 1);
    assert!(add.is_empty());
}

#[test]
fn visits_need_a_started_placement() {
    assert_eq!(check_visit_date(d("2025-01-01"), None), Err("err-visit-needs-placement"));
    assert_eq!(check_visit_date(d("2025-01-01"), Some(d("2025-01-02"))), Err("err-visit-before-placement"));
    assert_eq!(check_visit_date(d("2025-01-02"), Some(d("2025-01-02"))), Ok(()));
}

#[test]
fn settings_default_and_bounds() {
    let s = CaseSettings::default();
    assert_eq!(s.visit_interval(RiskLevel::High, None), 1);
    assert_eq!(s.first_contact_days(RiskLevel::Low), 7);
    assert!(CaseSettings { follow_up_months: 12, ..s.clone() }.validate().is_err(), "never under two years");
    assert!(CaseSettings { visit_interval_months: [0, 2, 3, 6], ..s.clone() }.validate().is_err());
    assert!(s.validate().is_ok());
}

#[test]
fn the_visit_rhythm_follows_risk_and_placement_type() {
    use crate::case::entries::PlacementType;
    let mut s = CaseSettings::default();
    // Emergency foster care is visited monthly even at low risk; a child back with her mother
    // follows the rhythm of her risk.
    assert_eq!(s.visit_interval(RiskLevel::Low, Some(PlacementType::FosterShort)), 1);
    assert_eq!(s.visit_interval(RiskLevel::Low, Some(PlacementType::Mother)), 3);
    assert_eq!(s.visit_interval(RiskLevel::NoAction, Some(PlacementType::FosterShort)), 2);
    s.placement_visit_months.insert("kinship".into(), [1, 2, 2, 4]);
    assert_eq!(s.visit_interval(RiskLevel::NoAction, Some(PlacementType::Kinship)), 4);
    assert!(s.clone().validate().is_ok());
    let mut bad = s.clone();
    bad.placement_visit_months.insert("residential".into(), [1, 1, 1, 1]);
    assert!(bad.validate().is_err(), "an institution is not followed up by this schedule");
    let mut bad = s.clone();
    bad.placement_visit_months.insert("kinship".into(), [0, 1, 1, 1]);
    assert!(bad.validate().is_err());
    // Settings saved before the rhythm by placement existed read with the default rhythm.
    let old: CaseSettings = serde_json::from_str(r#"{"visit_interval_months": [1, 2, 3, 6]}"#).unwrap();
    assert_eq!(old.visit_interval(RiskLevel::Low, Some(PlacementType::FosterShort)), 1);
}

#[test]
fn a_visit_says_who_made_it_and_how() {
    use crate::case::visit::{Visit, VisitBy, VisitInput, VisitMode};
    let input = |by: Option<&str>, name: Option<&str>, mode: Option<&str>| VisitInput {
        visited_on: Some("2026-03-01".into()),
        visited_by: by.map(String::from),
        visitor_name: name.map(String::from),
        mode: mode.map(String::from),
        school: Some("regular".into()),
        ..Default::default()
    };
    let today = d("2026-03-02");
    let v = input(None, None, None).validate(today).unwrap();
    assert_eq!((v.visited_by, v.mode, v.visitor_name), (VisitBy::CaseWorker, VisitMode::Home, None));
    let e = input(Some("dosvy"), None, Some("phone")).validate(today).unwrap_err();
    assert!(e.has("visitor_name"), "someone else must be named");
    let v = input(Some("dosvy"), Some("Sok Dara"), Some("phone")).validate(today).unwrap();
    assert_eq!((v.visited_by, v.mode, v.visitor_name.as_deref()), (VisitBy::Dosvy, VisitMode::Phone, Some("Sok Dara")));
    assert!(v.mode.remote());
    assert!(input(Some("police"), Some("x"), None).validate(today).unwrap_err().has("visited_by"));
    assert!(input(None, None, Some("letter")).validate(today).unwrap_err().has("mode"));
    // The case's own worker needs no name: one given is not kept.
    assert_eq!(input(Some("case_worker"), Some("Me"), None).validate(today).unwrap().visitor_name, None);
    // A visit stored before these questions reads as the worker's home visit.
    let old: Visit = serde_json::from_str(
        r#"{"visited_on":"2025-01-01","child_seen":true,"spoken_alone":false,"school":"regular","observations":[],"safety_concern":null,"actions":null,"raise_risk":null}"#,
    )
    .unwrap();
    assert_eq!((old.visited_by, old.mode), (VisitBy::CaseWorker, VisitMode::Home));
}

fn csi_raw(score: &str) -> Vec<(String, Option<String>, Option<String>)> {
    csi::factors().map(|f| (f.to_string(), Some(score.to_string()), None)).collect()
}

#[test]
fn the_average_csi_change_is_taken_per_domain_over_children() {
    let (two, three, four) =
        (csi::validate(&csi_raw("2")).unwrap(), csi::validate(&csi_raw("3")).unwrap(), csi::validate(&csi_raw("4")).unwrap());
    // One child up a point on each factor (two per domain), one up two points on each.
    let change = csi::average_change(&[(&two, &three), (&two, &four)]);
    assert_eq!(change.len(), 6);
    assert!(change.iter().all(|(_, c)| (*c - 3.0).abs() < 1e-9), "{change:?}");
    assert!(csi::average_change(&[]).is_empty());
    assert_eq!(csi::average_change(&[(&four, &two)])[0], ("food", -4.0));
}

#[test]
fn csi_scores_are_one_to_four_for_every_factor() {
    let ok = csi::validate(&csi_raw("3")).unwrap();
    assert_eq!(ok.total(), 36);
    assert_eq!(ok.scores.len(), 12);
    let e = csi::validate(&csi_raw("5")).unwrap_err();
    assert_eq!(e.for_field("food_security"), Some("err-csi-score"));
    assert_eq!(e.errors.len(), 12);
    assert!(csi::validate(&csi_raw("0")).is_err());
    assert_eq!(csi::validate(&csi_raw("៤")).unwrap().total(), 48, "Khmer digits");
    let mut missing = csi_raw("2");
    missing.pop();
    assert_eq!(csi::validate(&missing).unwrap_err().for_field("education_work"), Some("err-required"));
    let mut unknown = csi_raw("2");
    unknown.push(("charm".into(), Some("4".into()), None));
    assert_eq!(csi::validate(&unknown).unwrap_err().for_field("scores"), Some("err-csi-unknown-factor"));
}

#[test]
fn weakest_domains_suggest_goals_and_comparison_pairs_factors() {
    let mut raw = csi_raw("4");
    raw[4].1 = Some("1".into()); // protection: abuse and exploitation
    raw[10].1 = Some("2".into()); // education: performance
    let now = csi::validate(&raw).unwrap();
    assert_eq!(now.weakest_domains(), vec!["protection", "education"]);
    let before = csi::validate(&csi_raw("2")).unwrap();
    let changes = csi::compare(Some(&before), &now);
    assert_eq!(changes.len(), 12);
    assert_eq!(changes[0].before, Some(2));
    assert_eq!(changes[0].now, 4);
    assert!(csi::compare(None, &now).iter().all(|c| c.before.is_none()));
}

#[test]
fn impossible_records_are_refused() {
    let today = d("2026-01-15");
    let task = TaskInput {
        title: Some("Visit school".into()),
        owner_id: Some(uuid::Uuid::now_v7().to_string()),
        due_on: Some("2025-12-31".into()),
    };
    assert_eq!(task.validate(d("2026-01-01")).unwrap_err().for_field("due_on"), Some("err-task-before-case"));
    let emergency = IntakeInput { route: Some("emergency".into()), opened_on: Some("2026-01-15".into()), ..Default::default() };
    assert_eq!(emergency.validate(today).unwrap_err().for_field("immediate_safety"), Some("err-required"));
    let report = IntakeInput { route: Some("report".into()), opened_on: Some("2026-01-16".into()), ..Default::default() };
    let e = report.validate(today).unwrap_err();
    assert_eq!(e.for_field("opened_on"), Some("err-date-future"));
    assert_eq!(e.for_field("referral_source"), Some("err-required"));
    let institution = PlacementInput { kind: Some("residential".into()), started_on: Some("2026-01-10".into()), ..Default::default() };
    assert_eq!(institution.validate(today).unwrap_err().for_field("justification"), Some("err-institution-justification"));
    assert_eq!(
        institution.validate(today).unwrap_err().for_field("rci_id"),
        Some("err-placement-rci"),
        "a return to residential care names the RCI"
    );
    let kin = PlacementInput { kind: Some("kinship".into()), started_on: Some("2026-01-10".into()), ..Default::default() };
    assert_eq!(kin.validate(today).unwrap_err().for_field("household_id"), Some("err-placement-household"));
    let visit = VisitInput {
        visited_on: Some("2026-01-10".into()),
        school: Some("regular".into()),
        spoken_alone: Some("on".into()),
        ..Default::default()
    };
    assert_eq!(visit.validate(today).unwrap_err().for_field("spoken_alone"), Some("err-alone-not-seen"));
    let other = ClosureInput { reason: Some("other".into()), note: None };
    assert_eq!(other.validate().unwrap_err().for_field("note"), Some("err-required"));
}

#[test]
fn notes_keep_their_lines() {
    let n = NoteInput { kind: Some("phone".into()), noted_on: Some("2026-01-02".into()), text: Some("line one\r\nline two".into()) };
    assert_eq!(n.validate(d("2026-01-15")).unwrap().text, "line one\nline two");
    let bad = NoteInput { text: Some("x\u{202E}y".into()), ..n };
    assert_eq!(bad.validate(d("2026-01-15")).unwrap_err().for_field("text"), Some("err-control-chars"));
}

#[test]
fn tracing_relatives_and_alternative_care_follow_the_family_findings() {
    use super::family::*;
    let today = d("2026-02-01");
    let found = TracingAttemptInput {
        attempted_on: Some("2026-01-20".into()),
        method: Some("commune_council".into()),
        village_code: Some("02020101".into()),
        outcome: Some("ongoing".into()),
        relative_name_km: Some("ចាន់ ស្រីមុំ".into()),
        relative_relationship: Some("grandparent".into()),
        ..Default::default()
    };
    assert_eq!(found.validate(today).unwrap_err().for_field("outcome"), Some("err-relative-needs-found"));
    let ok = TracingAttemptInput { outcome: Some("found".into()), ..found.clone() }.validate(today).unwrap();
    assert_eq!(ok.relative.unwrap().relationship, crate::choices::Relationship::Grandparent);
    let nameless = TracingAttemptInput { relative_name_km: None, outcome: Some("found".into()), ..found };
    assert_eq!(nameless.validate(today).unwrap_err().for_field("relative_name_km"), Some("err-required"));
    assert_eq!(may_choose_alternative(Some(TracingOutcome::Ongoing), None), Err("err-alt-care-needs-reason"));
    assert_eq!(may_choose_alternative(Some(TracingOutcome::NotFound), None), Ok(()));
    assert_eq!(may_choose_alternative(Some(TracingOutcome::Found), Some(FamilyOutcome::Negative)), Ok(()));
    let residential = AltCareInput { decided_on: Some("2026-01-30".into()), option: Some("residential".into()), reason: None };
    assert_eq!(residential.validate(today).unwrap_err().for_field("reason"), Some("err-institution-justification"));
    let r = ReadinessInput {
        assessed_on: Some("2026-01-30".into()),
        child_ready: Some("ready".into()),
        family_ready: Some("partly".into()),
        ..Default::default()
    };
    assert_eq!(r.validate(today).unwrap_err().for_field("child_view"), Some("err-child-view-required"));
    let fam = FamilyAssessmentInput {
        assessed_on: Some("2026-01-30".into()),
        safety: Some("Safe".into()),
        outcome: Some("positive".into()),
        ..Default::default()
    };
    let e = fam.validate(today).unwrap_err();
    assert_eq!(e.for_field("willingness"), Some("err-required"));
    assert_eq!(e.for_field("capacity"), Some("err-required"));
}

#[test]
fn conference_steps_become_tasks_and_services_are_checked() {
    use super::support::*;
    let today = d("2026-02-01");
    let mut rest = std::collections::BTreeMap::new();
    rest.insert("participant_family".to_string(), "on".to_string());
    rest.insert("participant_dosvy".to_string(), "on".to_string());
    rest.insert("step_1_title".to_string(), "Enrol at Prey Veng primary school".to_string());
    rest.insert("step_1_due".to_string(), "2026-02-15".to_string());
    rest.insert("step_2_title".to_string(), "Birth certificate".to_string());
    rest.insert("step_2_due".to_string(), "2026-01-01".to_string());
    let c = ConferenceInput {
        held_on: Some("2026-01-31".into()),
        decisions: Some("Reunify with mother".into()),
        rest: rest.clone(),
        ..Default::default()
    };
    assert_eq!(c.validate(today).unwrap_err().for_field("step_2_due"), Some("err-step-before-conference"));
    rest.remove("step_2_title");
    rest.remove("step_2_due");
    let c = ConferenceInput { rest: rest.clone(), ..c };
    let ok = c.validate(today).unwrap();
    assert_eq!(ok.participants, vec![Participant::Dosvy, Participant::Family]);
    assert_eq!(ok.next_steps.len(), 1);
    let nobody = ConferenceInput { rest: std::collections::BTreeMap::new(), ..c };
    assert_eq!(nobody.validate(today).unwrap_err().for_field("participants"), Some("err-participants"));
    let s = ServiceInput {
        service: Some("emergency_food".into()),
        provider: Some("other_org".into()),
        provided_on: Some("2026-01-31".into()),
        value_riel: Some("១២០,០០០".into()),
        ..Default::default()
    };
    assert_eq!(s.validate(today).unwrap_err().for_field("provider_name"), Some("err-required"));
    let s = ServiceInput { provider_name: Some("Friends".into()), ..s };
    assert_eq!(s.validate(today).unwrap().value_riel, Some(120_000));
    let s = ServiceInput { service: Some("magic".into()), ..Default::default() };
    assert_eq!(s.validate(today).unwrap_err().for_field("service"), Some("err-invalid-choice"));
}

mod schedule_properties {
    use super::super::schedule::*;
    use chrono::{Datelike, NaiveDate};
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = NaiveDate> {
        (2000i32..2040, 1u32..=12, 1u32..=31)
            .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| NaiveDate::from_ymd_opt(y, m, 28).unwrap()))
    }

    proptest! {
        /// Whatever the start and rhythm: visits rise strictly, fall between the start and the
        /// end, the last is the end itself, each is counted from the start (never chained from the
        /// visit before: 29 January, 28 February, 29 March), so the day of month does not drift.
        #[test]
        fn a_schedule_is_ordered_bounded_and_does_not_drift(start in date(), months in 1u32..=36, interval in 0u32..=12) {
            let until = follow_up_until(start, months);
            let v = visits_after(start, until, interval);
            prop_assert!(!v.is_empty());
            prop_assert_eq!(*v.last().unwrap(), until);
            prop_assert!(v.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(v.iter().all(|d| *d > start && *d <= until));
            let step = interval.max(1);
            for (k, d) in v.iter().enumerate() {
                if *d != until {
                    prop_assert_eq!(*d, add_months(start, (k as u32 + 1) * step));
                    if start.day() <= 28 {
                        prop_assert_eq!(d.day(), start.day());
                    }
                }
            }
        }

        /// A change of rhythm keeps every visit done and every open one due by the change, and
        /// the new visits all fall after the change.
        #[test]
        fn a_reschedule_keeps_history(start in date(), done_upto in 0usize..30, change_after in 0i64..800, interval in 1u32..=6) {
            let until = follow_up_until(start, 24);
            let old = visits_after(start, until, 1);
            let existing: Vec<DueVisit> = old.iter().enumerate().map(|(i, d)| DueVisit { due_on: *d, done: i < done_upto }).collect();
            let changed_on = start + chrono::Duration::days(change_after);
            let (add, drop) = reschedule(&existing, changed_on, until, interval);
            prop_assert!(drop.iter().all(|d| *d > changed_on));
            prop_assert!(existing.iter().filter(|v| v.done).all(|v| !drop.contains(&v.due_on)));
            prop_assert!(add.iter().all(|d| *d > changed_on && *d <= until));
        }
    }
}
