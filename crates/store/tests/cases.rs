//! A case from intake to closure on every engine (SQLite always, PostgreSQL when
//! `KROUSAR_TEST_POSTGRES_URL` is set): the stage follows the records, approvals gate each step,
//! the follow-up schedule is built and rescheduled, impossible sequences change nothing.

mod support;

use krousar_domain::case::entries::*;
use krousar_domain::case::{csi, ApprovalKind, Stage};
use krousar_domain::choices::*;
use krousar_domain::household::HouseholdFields;
use krousar_domain::Role;
use krousar_store::{Store, StoreError, Who};

async fn stores() -> Vec<Store> {
    support::stores("cases").await
}

use support::{acting_on, child, d};

fn invalid_code(e: StoreError) -> &'static str {
    match e {
        StoreError::Invalid(i) => i.errors[0].code,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn csi_all(score: u8) -> CsiAssessment {
    let raw: Vec<_> = csi::factors().map(|f| (f.to_string(), Some(score.to_string()), None)).collect();
    validate_csi(Some("2026-01-20"), &raw, d("2026-01-20")).unwrap()
}

#[tokio::test]
async fn a_case_walks_from_intake_to_closure_and_every_impossible_step_is_refused() {
    for store in stores().await {
        let org = store.create_org(Who::system(), "Case NGO", OrgKind::Ngo).await.unwrap();
        let team = store.create_team(Who::system(), org.id, "Battambang").await.unwrap();
        let worker = store
            .create_user(Who::system(), org.id, Some(team.id), "worker", "Worker", Role::SocialWorker, "x", "km")
            .await
            .unwrap()
            .actor();
        let boss =
            store.create_user(Who::system(), org.id, Some(team.id), "boss", "Boss", Role::Supervisor, "x", "km").await.unwrap().actor();
        let other = store.create_org(Who::system(), "Other NGO", OrgKind::Ngo).await.unwrap();
        let stranger =
            store.create_user(Who::system(), other.id, None, "stranger", "S", Role::Supervisor, "x", "km").await.unwrap().actor();

        let kid = store.register_child(&worker, child()).await.unwrap();
        let intake = IntakeInput { route: Some("rci".into()), opened_on: Some("2026-01-10".into()), ..Default::default() };
        let case = store.open_case(&worker, kid.id, intake.validate(d("2026-01-10")).unwrap()).await.unwrap();
        assert_eq!(case.stage, Stage::Registered);
        assert_eq!(case.supervisor_id, Some(boss.user_id), "the team's supervisor supervises the case");
        assert_eq!(
            invalid_code(store.open_case(&worker, kid.id, intake.validate(d("2026-01-10")).unwrap()).await.unwrap_err()),
            "err-case-exists"
        );
        assert!(matches!(store.record_csi(&stranger, kid.id, csi_all(2)).await, Err(StoreError::NotFound)));

        let risk =
            Risk { level: krousar_domain::case::stage::RiskLevel::Medium, reasons: "no school".into(), assessed_on: d("2026-01-12") };
        let case = store.record_risk(&worker, kid.id, risk).await.unwrap();
        assert_eq!(case.stage, Stage::Assessment);
        assert_eq!(case.first_contact_due, Some(d("2026-01-13")), "medium risk: contact within 3 days of intake");
        let case = store.record_csi(&worker, kid.id, csi_all(2)).await.unwrap();
        assert_eq!(case.reassessment_due, Some(d("2026-07-20")));

        // Approvals come in order, and nobody approves their own request.
        assert_eq!(
            invalid_code(
                store.request_approval(&acting_on(&worker, d("2026-01-21")), kid.id, ApprovalKind::CarePlan, None).await.unwrap_err()
            ),
            "err-needs-approved-assessment"
        );
        store.request_approval(&acting_on(&worker, d("2026-01-21")), kid.id, ApprovalKind::Assessment, None).await.unwrap();
        let (_, file) = store.case_file(&boss, kid.id, "test").await.unwrap();
        let pending = file.unwrap().pending("assessment").unwrap().id;
        assert_eq!(
            invalid_code(store.decide_approval(&acting_on(&boss, d("2026-01-22")), kid.id, pending, false, None).await.unwrap_err()),
            "err-required"
        );
        assert!(matches!(
            store.decide_approval(&acting_on(&worker, d("2026-01-22")), kid.id, pending, true, None).await,
            Err(StoreError::Forbidden)
        ));
        let case = store.decide_approval(&acting_on(&boss, d("2026-01-22")), kid.id, pending, true, Some("Agreed")).await.unwrap();
        assert_eq!(case.stage, Stage::CasePlan);

        let plan = CarePlan {
            goals: vec![Goal { domain: "education".into(), goal: "Back to school".into() }],
            child_view: Some("ចង់ទៅផ្ទះ".into()),
            family_view: None,
            review_on: d("2026-07-01"),
        };
        store.save_care_plan(&worker, kid.id, plan, d("2026-01-25")).await.unwrap();
        store.request_approval(&acting_on(&worker, d("2026-01-25")), kid.id, ApprovalKind::CarePlan, None).await.unwrap();
        let (_, file) = store.case_file(&boss, kid.id, "test").await.unwrap();
        let pending = file.unwrap().pending("care_plan").unwrap().id;
        let case = store.decide_approval(&acting_on(&boss, d("2026-01-26")), kid.id, pending, true, None).await.unwrap();
        assert_eq!(case.stage, Stage::Implementation);

        // A visit before there is a placement is refused and changes nothing.
        let visit = |on: &str| Visit {
            visited_on: d(on),
            visited_by: VisitBy::CaseWorker,
            visitor_name: None,
            mode: VisitMode::Home,
            child_seen: true,
            spoken_alone: true,
            school: SchoolAttendance::Regular,
            observations: vec![],
            safety_concern: None,
            actions: None,
            raise_risk: None,
        };
        let before = store.case_file(&worker, kid.id, "test").await.unwrap().1.unwrap();
        assert_eq!(invalid_code(store.record_visit(&worker, kid.id, visit("2026-02-10")).await.unwrap_err()), "err-visit-needs-placement");
        let after = store.case_file(&worker, kid.id, "test").await.unwrap().1.unwrap();
        assert_eq!(before.case.version, after.case.version);
        assert_eq!(before.timeline.len(), after.timeline.len());

        let home = HouseholdFields {
            name: "Sok family".into(),
            phone: None,
            village_code: Some("02020101".into()),
            address_detail: None,
            income_band: IncomeBand::Under300k,
            id_poor: IdPoor::Level1,
            id_poor_number: None,
            members: vec![],
        };
        let home = store.create_household(&worker, home, Some(kid.id)).await.unwrap();
        let placement = Placement {
            kind: PlacementType::Mother,
            household_id: Some(home.id),
            started_on: d("2026-01-31"),
            justification: None,
            rci_id: None,
        };
        store.record_placement(&worker, kid.id, placement.clone()).await.unwrap();
        assert_eq!(invalid_code(store.record_placement(&worker, kid.id, placement).await.unwrap_err()), "err-placement-current");
        store.request_approval(&acting_on(&worker, d("2026-02-01")), kid.id, ApprovalKind::Placement, None).await.unwrap();
        let (_, file) = store.case_file(&boss, kid.id, "test").await.unwrap();
        let pending = file.unwrap().pending("placement").unwrap().id;
        let case = store.decide_approval(&acting_on(&boss, d("2026-02-01")), kid.id, pending, true, None).await.unwrap();
        assert_eq!(case.stage, Stage::FollowUp);
        assert_eq!(case.follow_up_until, Some(d("2028-01-31")));
        let file = store.case_file(&worker, kid.id, "test").await.unwrap().1.unwrap();
        assert_eq!(file.visits.len(), 12, "medium risk: every two months for two years");
        assert_eq!(file.visits[0].due_on, "2026-03-31");

        assert_eq!(invalid_code(store.record_visit(&worker, kid.id, visit("2026-01-30")).await.unwrap_err()), "err-visit-before-placement");
        store.record_visit(&worker, kid.id, visit("2026-03-25")).await.unwrap();
        // A concern at the second visit raises risk to high: monthly visits and a task.
        let worrying = Visit {
            safety_concern: Some("Bruises on arms".into()),
            raise_risk: Some(krousar_domain::case::stage::RiskLevel::High),
            ..visit("2026-05-20")
        };
        let case = store.record_visit(&worker, kid.id, worrying).await.unwrap();
        assert_eq!(case.risk_level, Some(krousar_domain::case::stage::RiskLevel::High));
        let file = store.case_file(&worker, kid.id, "test").await.unwrap().1.unwrap();
        assert_eq!(file.visits.iter().filter(|v| v.done_on.is_some()).count(), 2);
        let open: Vec<_> = file.visits.iter().filter(|v| v.done_on.is_none()).collect();
        assert_eq!(open[0].due_on, "2026-06-20");
        assert_eq!(open.last().unwrap().due_on, "2028-01-31");
        assert_eq!(file.tasks.len(), 1);
        assert_eq!(file.tasks[0].due_on, "2026-05-21", "high risk: act within a day");
        let list = store.worklist(&acting_on(&worker, d("2026-06-15")), true).await.unwrap();
        assert!(list.due.iter().any(|i| i.what == "visit" && i.due_on == "2026-06-20"));
        assert!(list.due.iter().any(|i| i.what == "task"));
        // The organisation's manager sees the reassessment coming up, from the organisation's
        // own case indexes, and the cases by stage.
        let manager = store.create_user(Who::system(), org.id, None, "manager", "Manager", Role::Manager, "x", "km").await.unwrap().actor();
        let managed = store.worklist(&acting_on(&manager, d("2026-07-15")), true).await.unwrap();
        assert!(managed.due.iter().any(|i| i.what == "reassessment" && i.due_on == "2026-07-20" && i.child_id == kid.id));
        assert_eq!(managed.by_stage.iter().map(|s| s.count).sum::<i64>(), 1);
        let other_manager =
            store.create_user(Who::system(), other.id, None, "omanager", "O", Role::Manager, "x", "km").await.unwrap().actor();
        let theirs = store.worklist(&acting_on(&other_manager, d("2026-07-15")), true).await.unwrap();
        assert!(theirs.due.is_empty() && theirs.by_stage.is_empty(), "another organisation's manager sees none of it");
        // The visits too come from the organisation's own index of open visits, and the team view.
        assert!(managed.due.iter().any(|i| i.what == "visit" && i.due_on == "2026-07-20" && i.child_id == kid.id));
        let org_view = store.team_view(&acting_on(&manager, d("2026-07-01"))).await.unwrap();
        let row = org_view.iter().find(|r| r.worker_id == worker.user_id).expect("the worker's row");
        assert_eq!((row.open_cases, row.overdue_visits, row.overdue_tasks), (1, 1, 1));
        assert!(store.team_view(&acting_on(&other_manager, d("2026-07-01"))).await.unwrap().is_empty());
        // A second worker sharing the case sees its visits too; a colleague without it does not.
        let second = store
            .create_user(Who::system(), org.id, Some(team.id), "second", "Second", Role::SocialWorker, "x", "km")
            .await
            .unwrap()
            .actor();
        assert!(store.worklist(&acting_on(&second, d("2026-06-15")), true).await.unwrap().due.is_empty());
        store.set_co_worker(&boss, kid.id, Some(second.user_id)).await.unwrap();
        let shared = store.worklist(&acting_on(&second, d("2026-06-15")), true).await.unwrap();
        assert!(shared.due.iter().any(|i| i.what == "visit" && i.due_on == "2026-06-20" && i.child_id == kid.id));
        assert!(shared.due.iter().all(|i| i.what != "task"), "the task is its owner's");
        let team = store.team_view(&acting_on(&boss, d("2026-07-01"))).await.unwrap();
        assert_eq!(team[0].worker_id, worker.user_id);
        assert_eq!(team[0].overdue_visits, 1);
        assert_eq!(team[0].overdue_tasks, 1);
        assert_eq!(team[0].open_cases, 1);
        assert!(!team[0].worker_name.is_empty(), "the worker's name is joined in");

        // Closing during follow-up needs a reason that allows it, and a supervisor's approval.
        let stable = ClosureInput { reason: Some("reintegrated_stable".into()), note: None }.validate().unwrap();
        assert_eq!(
            invalid_code(
                store
                    .request_approval(&acting_on(&worker, d("2026-08-01")), kid.id, ApprovalKind::Closure, Some(stable))
                    .await
                    .unwrap_err()
            ),
            "err-follow-up-not-ended"
        );
        let moved = ClosureInput { reason: Some("moved_away".into()), note: Some("Family moved to Thailand".into()) }.validate().unwrap();
        store.request_approval(&acting_on(&worker, d("2026-08-01")), kid.id, ApprovalKind::Closure, Some(moved)).await.unwrap();
        // The supervisor sees the request in their worklist and in the team view.
        let boss_list = store.worklist(&acting_on(&boss, d("2026-08-01")), true).await.unwrap();
        assert_eq!(boss_list.pending_approvals.len(), 1);
        assert!(boss_list.pending_approvals.iter().all(|i| i.what == "approval" && i.child_id == kid.id));
        assert!(boss_list.due.iter().all(|i| i.what != "approval"));
        assert_eq!(store.team_view(&acting_on(&boss, d("2026-08-01"))).await.unwrap()[0].pending_approvals, 1);
        let managed = store.worklist(&acting_on(&manager, d("2026-08-01")), true).await.unwrap();
        assert_eq!(managed.pending_approvals.len(), 1, "the manager sees it from the organisation's index of pending approvals");
        assert!(store.worklist(&acting_on(&other_manager, d("2026-08-01")), true).await.unwrap().pending_approvals.is_empty());
        let org_view = store.team_view(&acting_on(&manager, d("2026-08-01"))).await.unwrap();
        assert_eq!(org_view.iter().find(|r| r.worker_id == worker.user_id).unwrap().pending_approvals, 1);
        assert!(
            store.worklist(&acting_on(&worker, d("2026-08-01")), true).await.unwrap().pending_approvals.is_empty(),
            "not the worker's to decide"
        );
        let (_, file) = store.case_file(&boss, kid.id, "test").await.unwrap();
        let pending = file.unwrap().pending("closure").unwrap().id;
        let case = store.decide_approval(&acting_on(&boss, d("2026-08-02")), kid.id, pending, true, None).await.unwrap();
        assert_eq!(case.stage, Stage::Closed);
        let file = store.case_file(&worker, kid.id, "test").await.unwrap().1.unwrap();
        assert!(file.visits.iter().all(|v| v.done_on.is_some() || v.due_on.as_str() <= "2026-08-02"), "no visits owed after closure");
        // The visit missed before the closure stays in the record, and is no one's work any more.
        assert!(file.visits.iter().any(|v| v.done_on.is_none()), "the missed visit is still recorded");
        let after = store.worklist(&acting_on(&worker, d("2026-08-05")), true).await.unwrap();
        assert!(after.due.iter().all(|i| !(i.what == "visit" && i.child_id == kid.id)), "not on the worker's list");
        let team = store.team_view(&acting_on(&boss, d("2026-08-05"))).await.unwrap();
        assert_eq!(team.iter().find(|r| r.worker_id == worker.user_id).map_or(0, |r| r.overdue_visits), 0, "nor counted overdue");
        assert_eq!(
            invalid_code(
                store
                    .add_note(
                        &worker,
                        kid.id,
                        NoteInput { kind: Some("phone".into()), noted_on: Some("2026-08-03".into()), text: Some("x".into()) }
                            .validate(d("2026-08-03"))
                            .unwrap()
                    )
                    .await
                    .unwrap_err()
            ),
            "err-case-closed"
        );
        let case = store.reopen_case(&acting_on(&worker, d("2026-09-01")), kid.id, Some("Family came back")).await.unwrap();
        assert_eq!(case.stage, Stage::FollowUp);
        let file = store.case_file(&worker, kid.id, "test").await.unwrap().1.unwrap();
        let open: Vec<_> = file.visits.iter().filter(|v| v.done_on.is_none() && v.due_on.as_str() > "2026-09-01").collect();
        assert_eq!(open[0].due_on, "2026-10-01", "visits resume monthly (high risk) from the reopening");
        assert_eq!(open.last().unwrap().due_on, "2028-01-31");

        // Transferred to the other organisation, the case's visits go with it: its manager sees
        // them due (from its own index), ours no longer does.
        let transfer = krousar_domain::referral::ReferralInput {
            to_org: Some(other.id.to_string()),
            kind: Some("transfer".into()),
            services: Some("Follow-up".into()),
            reason: Some("Family moved to Siem Reap".into()),
            urgency: Some("normal".into()),
            consent_by: Some("parent".into()),
            consent_on: Some("2026-09-20".into()),
            shares: Some("identity,case_summary".into()),
            override_reason: None,
        }
        .validate(d("2026-09-20"), org.id)
        .unwrap();
        let referral = store.send_referral(&acting_on(&worker, d("2026-09-20")), kid.id, transfer).await.unwrap();
        store.decide_referral(&acting_on(&other_manager, d("2026-09-21")), referral, "accept", None).await.unwrap();
        let theirs = store.worklist(&acting_on(&other_manager, d("2026-09-28")), true).await.unwrap();
        assert!(theirs.due.iter().any(|i| i.what == "visit" && i.due_on == "2026-10-01" && i.child_id == kid.id), "{:?}", theirs.due);
        let ours = store.worklist(&acting_on(&manager, d("2026-09-28")), true).await.unwrap();
        assert!(ours.due.iter().all(|i| i.child_id != kid.id));
        assert!(krousar_store::audit::verify(&store).await.unwrap().broken_at.is_none());
    }
}

#[tokio::test]
async fn tracing_finds_a_relative_and_conference_steps_become_tasks() {
    use krousar_domain::case::family::*;
    use krousar_domain::case::support::*;
    for store in stores().await {
        let org = store.create_org(Who::system(), "Trace NGO", OrgKind::Ngo).await.unwrap();
        let worker =
            store.create_user(Who::system(), org.id, None, "tracer", "Tracer", Role::SocialWorker, "x", "km").await.unwrap().actor();
        let kid = store.register_child(&worker, child()).await.unwrap();
        let intake = IntakeInput { route: Some("rci".into()), opened_on: Some("2026-01-10".into()), ..Default::default() };
        store.open_case(&worker, kid.id, intake.validate(d("2026-01-10")).unwrap()).await.unwrap();
        let today = d("2026-02-01");

        // Alternative care before tracing has failed is refused.
        let alt = AltCareInput { decided_on: Some("2026-01-20".into()), option: Some("foster".into()), reason: Some("No family".into()) }
            .validate(today)
            .unwrap();
        assert_eq!(invalid_code(store.record_alt_care(&worker, kid.id, alt.clone()).await.unwrap_err()), "err-alt-care-needs-reason");

        let attempt = |outcome: &str, village: &str| TracingAttemptInput {
            attempted_on: Some("2026-01-15".into()),
            method: Some("commune_council".into()),
            village_code: Some(village.into()),
            outcome: Some(outcome.into()),
            ..Default::default()
        };
        assert_eq!(
            invalid_code(
                store.record_tracing_attempt(&worker, kid.id, attempt("ongoing", "99999999").validate(today).unwrap()).await.unwrap_err()
            ),
            "err-unknown-place"
        );
        store.record_tracing_attempt(&worker, kid.id, attempt("not_found", "02020101").validate(today).unwrap()).await.unwrap();
        store.record_alt_care(&worker, kid.id, alt).await.unwrap();
        assert!(store.households_of_child(kid.id).await.unwrap().is_empty());
        let found = TracingAttemptInput {
            relative_name_km: Some("សុខ ស្រីមុំ".into()),
            relative_relationship: Some("aunt_uncle".into()),
            ..attempt("found", "02020101")
        };
        store.record_tracing_attempt(&worker, kid.id, found.validate(today).unwrap()).await.unwrap();
        let homes = store.households_of_child(kid.id).await.unwrap();
        assert_eq!(homes.len(), 1, "the relative's household is linked to the child");
        let home = store.view_household(&worker, homes[0].0, "test").await.unwrap();
        assert_eq!(home.fields.members[0].name_km.as_deref(), Some("សុខ ស្រីមុំ"));
        assert_eq!(home.fields.village_code.as_deref(), Some("02020101"));
        // A second relative joins the same household.
        let uncle = TracingAttemptInput {
            relative_name_latin: Some("Sok Dara".into()),
            relative_relationship: Some("aunt_uncle".into()),
            ..attempt("found", "02020101")
        };
        store.record_tracing_attempt(&worker, kid.id, uncle.validate(today).unwrap()).await.unwrap();
        let home = store.view_household(&worker, homes[0].0, "test").await.unwrap();
        assert_eq!(home.fields.members.len(), 2);
        assert_eq!(
            store.list_households(&worker, Some("Dara"), None, None, None, 10).await.unwrap().items.len(),
            1,
            "the new member is searchable"
        );

        let mut rest = std::collections::BTreeMap::new();
        rest.insert("participant_family".to_string(), "on".to_string());
        rest.insert("step_1_title".to_string(), "School enrolment".to_string());
        rest.insert("step_1_due".to_string(), "2026-02-20".to_string());
        let conf = ConferenceInput {
            held_on: Some("2026-01-30".into()),
            decisions: Some("Kinship care with the aunt".into()),
            rest,
            ..Default::default()
        };
        store.record_conference(&worker, kid.id, conf.validate(today).unwrap()).await.unwrap();
        let service = ServiceInput {
            service: Some("emergency_food".into()),
            provided_on: Some("2026-01-31".into()),
            value_riel: Some("120000".into()),
            ..Default::default()
        };
        store.record_service(&worker, kid.id, service.validate(today).unwrap()).await.unwrap();
        let file = store.case_file(&worker, kid.id, "test").await.unwrap().1.unwrap();
        assert_eq!(file.tasks.len(), 1);
        assert_eq!(file.tasks[0].source, "conference");
        let kinds: Vec<&str> = file.timeline.iter().map(|e| e.kind()).collect();
        for k in ["intake", "tracing_attempt", "alt_care", "conference", "service", "task"] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
    }
}
