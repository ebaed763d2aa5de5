//! Where a child lives is one story (issue 21, item 1), on every engine: her stays in RCIs and
//! her case's placement are the facts, and her record, the RCI's residents, cash eligibility,
//! the figures and `check` all follow them after each step of the walk.

mod support;

use krousar_domain::case::entries::*;
use krousar_domain::case::{csi, ApprovalKind};
use krousar_domain::choices::*;
use krousar_domain::household::HouseholdFields;
use krousar_domain::rci::RciFields;
use krousar_domain::{Actor, Role};
use krousar_store::figures::GroupBy;
use krousar_store::{Store, Who};
use support::{acting_on, d};
use uuid::Uuid;

fn rci(name: &str) -> RciFields {
    RciFields {
        name: name.into(),
        rci_type: RciType::Ngo,
        village_code: Some("02020101".into()),
        capacity: None,
        registration_status: RciRegistration::Registered,
        note: None,
    }
}

async fn approve(store: &Store, worker: &Actor, boss: &Actor, kid: Uuid, kind: ApprovalKind, on: &str) {
    store.request_approval(&acting_on(worker, d(on)), kid, kind, None).await.unwrap();
    let (_, file) = store.case_file(boss, kid, "test").await.unwrap();
    let pending = file.unwrap().pending(kind.code()).unwrap().id;
    store.decide_approval(&acting_on(boss, d(on)), kid, pending, true, None).await.unwrap();
}

/// (living situation, RCI) on her record.
async fn lives(store: &Store, who: &Actor, kid: Uuid) -> (LivingArrangement, Option<Uuid>) {
    let c = store.view_child(who, kid, "test").await.unwrap();
    (c.fields.living_arrangement, c.fields.rci_id)
}

/// The organisation's own "living in an RCI" on the figures page (counted now).
async fn in_rci_figure(store: &Store, manager: &Actor) -> i64 {
    let f = store.figures(manager, GroupBy::Province).await.unwrap();
    f.total.cells[krousar_store::figures::METRICS.iter().position(|m| *m == "in_rci").unwrap()].total
}

async fn assert_checked(store: &Store) {
    let r = store.check(krousar_domain::today()).await.unwrap();
    assert!(r.ok(), "check: {:?}", r.findings);
}

#[tokio::test]
async fn the_stays_the_placement_and_the_record_tell_one_story() {
    for store in support::stores("living").await {
        let org = store.create_org(Who::system(), "Living NGO", OrgKind::Ngo).await.unwrap();
        let team = store.create_team(Who::system(), org.id, "Battambang").await.unwrap();
        let user = |name: &'static str, role| {
            let store = store.clone();
            async move { store.create_user(Who::system(), org.id, Some(team.id), name, name, role, "x", "km").await.unwrap().actor() }
        };
        let worker = user("worker", Role::SocialWorker).await;
        let boss = user("boss", Role::Supervisor).await;
        let manager = user("manager", Role::Manager).await;
        let home = store.create_rci(&boss, rci("Hope Centre")).await.unwrap().id;
        let other = store.create_rci(&boss, rci("Lotus Centre")).await.unwrap().id;
        let today = krousar_domain::today();
        let before = in_rci_figure(&store, &manager).await;

        // Registered as living in an RCI: her stay there begins, and every view counts her.
        let kid = store.register_child(&worker, support::child_in(home)).await.unwrap().id;
        assert_eq!(lives(&store, &worker, kid).await, (LivingArrangement::InRci, Some(home)));
        let stays = store.residences_of_child(kid).await.unwrap();
        assert_eq!((stays.len(), stays[0].rci_id, stays[0].period.left), (1, home, None));
        assert_eq!(store.residents_on(&boss, home, today).await.unwrap(), Some(1));
        assert_eq!(in_rci_figure(&store, &manager).await, before + 1);
        assert!(!store.cash_support(&worker, kid).await.unwrap().eligible);
        assert_checked(&store).await;

        // A case from the RCI knows the stay (and keeps the one she has).
        let intake = IntakeInput { route: Some("rci".into()), opened_on: Some(today.to_string()), ..Default::default() };
        store.open_case(&worker, kid, intake.validate(today).unwrap()).await.unwrap();
        let (_, file) = store.case_file(&worker, kid, "test").await.unwrap();
        let file = file.unwrap();
        let (_, intake_entry) = file.latest_of(krousar_domain::entry_of!(Intake)).unwrap();
        assert_eq!(intake_entry.rci_id, Some(home), "the case knows which RCI");
        assert_eq!(store.residences_of_child(kid).await.unwrap().len(), 1, "her stay is kept, not doubled");

        // Assessed, planned, placed with her mother: the approval ends her stay the day the
        // placement began, and she lives with her family everywhere.
        let raw: Vec<_> = csi::factors().map(|f| (f.to_string(), Some("2".to_string()), None)).collect();
        store.record_csi(&worker, kid, validate_csi(Some(&today.to_string()), &raw, today).unwrap()).await.unwrap();
        approve(&store, &worker, &boss, kid, ApprovalKind::Assessment, &today.to_string()).await;
        let plan = CarePlan {
            goals: vec![Goal { domain: "education".into(), goal: "Back to school".into() }],
            child_view: None,
            family_view: None,
            review_on: today + chrono::Duration::days(90),
        };
        store.save_care_plan(&worker, kid, plan, today).await.unwrap();
        approve(&store, &worker, &boss, kid, ApprovalKind::CarePlan, &today.to_string()).await;
        let mother = HouseholdFields {
            name: "ម្ដាយ".into(),
            phone: None,
            village_code: Some("02020101".into()),
            address_detail: None,
            income_band: IncomeBand::Under300k,
            id_poor: IdPoor::Level1,
            id_poor_number: None,
            members: vec![],
        };
        let mother = store.create_household(&worker, mother, Some(kid)).await.unwrap().id;
        let placement =
            Placement { kind: PlacementType::Mother, household_id: Some(mother), started_on: today, justification: None, rci_id: None };
        store.record_placement(&worker, kid, placement).await.unwrap();
        assert_eq!(lives(&store, &worker, kid).await.0, LivingArrangement::InRci, "a placement not yet approved moves nobody");
        approve(&store, &worker, &boss, kid, ApprovalKind::Placement, &today.to_string()).await;
        assert_eq!(lives(&store, &worker, kid).await, (LivingArrangement::WithFamily, None));
        let stays = store.residences_of_child(kid).await.unwrap();
        assert_eq!(stays[0].period.left, Some(today), "the stay ends the day the placement began");
        assert_eq!(store.residents_on(&boss, home, today).await.unwrap(), Some(0), "no longer among the RCI's residents");
        assert_eq!(stays[0].period.entered, today, "her stay began when she was registered there");
        assert_eq!(in_rci_figure(&store, &manager).await, before);
        assert!(store.cash_support(&worker, kid).await.unwrap().eligible, "a family placement after a stay that ended");
        assert_checked(&store).await;

        // The placement breaks down and she returns to residential care: its RCI is required,
        // and the approval opens her stay there.
        store.end_placement(&worker, kid, today, Some("Breakdown")).await.unwrap();
        let residential = PlacementInput {
            kind: Some("residential".into()),
            started_on: Some(today.to_string()),
            justification: Some("No safe family option now".into()),
            ..Default::default()
        };
        assert_eq!(residential.validate(today).unwrap_err().for_field("rci_id"), Some("err-placement-rci"));
        let unknown = PlacementInput { rci_id: Some(Uuid::now_v7().to_string()), ..residential.clone() }.validate(today).unwrap();
        assert!(store.record_placement(&worker, kid, unknown).await.is_err(), "an RCI that does not exist is refused");
        let residential = PlacementInput { rci_id: Some(other.to_string()), ..residential }.validate(today).unwrap();
        store.record_placement(&worker, kid, residential).await.unwrap();
        approve(&store, &worker, &boss, kid, ApprovalKind::Placement, &today.to_string()).await;
        assert_eq!(lives(&store, &worker, kid).await, (LivingArrangement::InRci, Some(other)));
        assert_eq!(store.residents_on(&boss, other, today).await.unwrap(), Some(1));
        assert!(!store.cash_support(&worker, kid).await.unwrap().eligible, "back in an institution");
        assert_checked(&store).await;

        // Ending residential care ends the stay; an edit of her record saying she left an RCI
        // ends a stay too, and one naming an RCI opens one.
        store.end_placement(&worker, kid, today, Some("Went home")).await.unwrap();
        assert_eq!(store.residents_on(&boss, other, today + chrono::Duration::days(1)).await.unwrap(), Some(0));
        assert_ne!(lives(&store, &worker, kid).await.0, LivingArrangement::InRci);
        let second = store.register_child(&worker, support::child_in(home)).await.unwrap();
        let mut f = second.fields.clone();
        f.living_arrangement = LivingArrangement::WithFamily;
        f.rci_id = None;
        let edited = store.update_child(&worker, second.id, second.version, f).await.unwrap();
        assert_eq!(edited.fields.living_arrangement, LivingArrangement::WithFamily);
        assert!(store.residences_of_child(second.id).await.unwrap().iter().all(|s| s.period.left.is_some()));
        let mut f = edited.fields.clone();
        f.living_arrangement = LivingArrangement::InRci;
        f.rci_id = Some(other);
        store.update_child(&worker, second.id, edited.version, f).await.unwrap();
        assert_eq!(store.residents_on(&boss, other, today).await.unwrap(), Some(1));
        assert_checked(&store).await;
    }
}

/// A stay corrected from a form that showed it (`update_residence_as_seen`) is refused, with
/// nothing written, when the stay changed since the form was opened; the policy is asked
/// first, so one who may not correct it learns nothing from a stale form.
#[tokio::test]
async fn a_stay_changed_since_its_form_was_opened_is_not_overwritten() {
    for store in support::stores("stayseen").await {
        let org = store.create_org(Who::system(), "Stay NGO", OrgKind::Ngo).await.unwrap();
        let team = store.create_team(Who::system(), org.id, "Battambang").await.unwrap();
        let worker = store
            .create_user(Who::system(), org.id, Some(team.id), "worker", "worker", Role::SocialWorker, "x", "km")
            .await
            .unwrap()
            .actor();
        let boss =
            store.create_user(Who::system(), org.id, Some(team.id), "boss", "boss", Role::Supervisor, "x", "km").await.unwrap().actor();
        let elsewhere = store.create_org(Who::system(), "Other NGO", OrgKind::Ngo).await.unwrap();
        let stranger = store
            .create_user(Who::system(), elsewhere.id, None, "stranger", "stranger", Role::SocialWorker, "x", "km")
            .await
            .unwrap()
            .actor();
        let (home, lotus) =
            (store.create_rci(&boss, rci("Hope Centre")).await.unwrap().id, store.create_rci(&boss, rci("Lotus Centre")).await.unwrap().id);
        let kid = store.register_child(&worker, support::child()).await.unwrap().id;
        let period = |from: &str, to: &str| krousar_domain::rci::ResidencePeriod { entered: d(from), left: Some(d(to)), reason_left: None };
        let stay = store.add_residence(&worker, kid, home, period("2019-01-10", "2020-06-30")).await.unwrap();
        let seen = stay.seen();

        // Two forms opened on the same stay: the first saved wins, the second is told.
        let first = store.update_residence_as_seen(&worker, kid, stay.id, &seen, lotus, period("2019-01-10", "2020-07-31")).await.unwrap();
        assert_ne!(first.seen(), seen, "what the form saw is what the stay holds");
        let stale = store.update_residence_as_seen(&boss, kid, stay.id, &seen, home, period("2019-02-01", "2020-06-30")).await;
        assert!(matches!(stale, Err(krousar_store::StoreError::Conflict { .. })), "{stale:?}");
        let now = store.residences_of_child(kid).await.unwrap();
        assert_eq!((now[0].rci_id, now[0].period.left), (lotus, Some(d("2020-07-31"))), "nothing written");
        store.update_residence_as_seen(&boss, kid, stay.id, &first.seen(), home, period("2019-02-01", "2020-06-30")).await.unwrap();

        // Refused by the policy before the comparison: not found, not "stale".
        let theirs = store.update_residence_as_seen(&stranger, kid, stay.id, "stale", lotus, period("2019-01-10", "2019-02-01")).await;
        assert!(matches!(theirs, Err(krousar_store::StoreError::NotFound)), "{theirs:?}");
        // The API's correction states the stay as it should be, without what it saw.
        store.update_residence(&worker, kid, stay.id, lotus, period("2019-01-10", "2020-06-30")).await.unwrap();
        assert_checked(&store).await;
    }
}
