//! Offline sync on every engine: two workers' offline edits of one child merge field by field
//! and conflicts wait for a person; a change sent twice makes its record once and is audited with
//! the device's times; a revoked device is refused; devices carry only what their user may see.

mod support;

use krousar_domain::case::entries::*;
use krousar_domain::child::ChildFields;
use krousar_domain::choices::*;
use krousar_domain::context::{DeviceChange, Slot, Via};
use krousar_domain::{Actor, Role};
use krousar_store::audit::{self, AuditFilter};
use krousar_store::{Store, StoreError, Who};
use std::collections::BTreeMap;
use support::{acting_on, d};
use uuid::Uuid;

/// A child living with a family (the shared fixture lives in an institution).
fn child() -> ChildFields {
    ChildFields { living_arrangement: LivingArrangement::WithFamily, nickname: Some("Pov".into()), ..support::child() }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

struct World {
    worker: Actor,
    boss: Actor,
    outsider: Actor,
    admin: Actor,
}

async fn world(store: &Store) -> World {
    let org = store.create_org(Who::system(), "Sync NGO", OrgKind::Ngo).await.unwrap();
    let team = store.create_team(Who::system(), org.id, "Mondulkiri").await.unwrap();
    let other_team = store.create_team(Who::system(), org.id, "Ratanakiri").await.unwrap();
    let user = |name: &'static str, team: Option<Uuid>, role: Role| {
        let store = store.clone();
        async move { store.create_user(Who::system(), org.id, team, name, name, role, "x", "km").await.unwrap().actor() }
    };
    World {
        worker: user("worker", Some(team.id), Role::SocialWorker).await,
        boss: user("boss", Some(team.id), Role::Supervisor).await,
        outsider: user("outsider", Some(other_team.id), Role::SocialWorker).await,
        admin: user("admin", None, Role::OrgAdmin).await,
    }
}

/// The worker acting through a change made on her device (recorded there on 1 December,
/// received on the 2nd).
fn from_device(worker: &Actor, device: Uuid, change: Uuid, slot: Slot) -> Actor {
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc();
    let made = DeviceChange::new(device, change, slot, at("2026-12-01T03:15:00Z"));
    worker.clone().via(Via::Device(made)).at(at("2026-12-02T09:00:00Z"))
}

#[tokio::test]
async fn two_workers_edit_one_child_offline_and_nothing_is_overwritten() {
    for store in support::stores("syncmerge").await {
        let w = world(&store).await;
        let kid = store.register_child(&w.worker, child()).await.unwrap();
        // Both devices took the record as registered.
        let taken = map(&[("nickname", "Pov"), ("birth_certificate_number", ""), ("village_code", "02020101")]);

        // The worker, back in range first: a nickname and the birth certificate number.
        let first = Uuid::now_v7();
        let device = map(&[("nickname", "Srey Pov"), ("birth_certificate_number", "BC-2014-77")]);
        let base = taken.iter().filter(|(k, _)| device.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let out = store.sync_child_edit(&acting_on(&w.worker, d("2026-12-02")), kid.id, first, &base, &device).await.unwrap();
        assert_eq!(out.applied, vec!["birth_certificate_number".to_string(), "nickname".to_string()]);
        assert!(out.conflicts.is_empty());

        // The supervisor, later: another nickname (a conflict) and nothing else of the same.
        let second = Uuid::now_v7();
        let device = map(&[("nickname", "Mey"), ("birth_certificate_number", "")]);
        let base = taken.iter().filter(|(k, _)| device.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let out = store.sync_child_edit(&acting_on(&w.boss, d("2026-12-02")), kid.id, second, &base, &device).await.unwrap();
        assert!(out.applied.is_empty(), "the supervisor's unchanged field does not undo the worker's number");
        assert_eq!(out.conflicts.len(), 1);
        let c = &out.conflicts[0];
        assert_eq!((c.field.as_str(), c.server.as_str(), c.device.as_str(), c.base.as_str()), ("nickname", "Srey Pov", "Mey", "Pov"));
        let now = store.view_child(&w.worker, kid.id, "test").await.unwrap();
        assert_eq!(now.fields.nickname.as_deref(), Some("Srey Pov"));
        assert_eq!(now.fields.birth_certificate_number.as_deref(), Some("BC-2014-77"));

        // The same change again (its answer was lost): no second conflict.
        let again = store.sync_child_edit(&acting_on(&w.boss, d("2026-12-02")), kid.id, second, &base, &device).await.unwrap();
        assert_eq!(again.conflicts.len(), 1);
        // Both the worker and the supervisor see it; a worker of another team does not.
        assert_eq!(store.open_conflicts(&w.worker, Some(kid.id)).await.unwrap().len(), 1);
        assert_eq!(store.open_conflicts(&w.boss, None).await.unwrap().len(), 1);
        assert!(store.open_conflicts(&w.outsider, None).await.unwrap().is_empty());
        // A record one may not read answers as a missing one.
        assert!(matches!(store.resolve_conflict(&acting_on(&w.outsider, d("2026-12-02")), c.id, true).await, Err(StoreError::NotFound)));

        // The worker decides for the supervisor's value.
        let after = store.resolve_conflict(&acting_on(&w.worker, d("2026-12-02")), c.id, true).await.unwrap();
        assert_eq!(after.fields.nickname.as_deref(), Some("Mey"));
        assert!(store.open_conflicts(&w.boss, None).await.unwrap().is_empty());
        assert!(matches!(store.resolve_conflict(&acting_on(&w.worker, d("2026-12-02")), c.id, false).await, Err(StoreError::NotFound)));
        let f = AuditFilter { record_id: Some(kid.id.to_string()), limit: 50, ..Default::default() };
        let actions: Vec<String> = audit::list(&store, &f).await.unwrap().into_iter().map(|r| r.action).collect();
        assert!(actions.contains(&"sync.conflict".to_string()) && actions.contains(&"sync.resolve".to_string()), "{actions:?}");

        // A device may not change what the pages keep to themselves, nor write nonsense.
        let bad = store
            .sync_child_edit(&acting_on(&w.worker, d("2026-12-02")), kid.id, Uuid::now_v7(), &map(&[]), &map(&[("rci_id", "x")]))
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))));
        let base = map(&[("date_of_birth", "2014-03-02")]);
        let bad = store
            .sync_child_edit(
                &acting_on(&w.worker, d("2026-12-02")),
                kid.id,
                Uuid::now_v7(),
                &base,
                &map(&[("date_of_birth", "2090-01-01")]),
            )
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "the same validation as the form");
        assert!(matches!(
            store
                .sync_child_edit(&acting_on(&w.outsider, d("2026-12-02")), kid.id, Uuid::now_v7(), &base, &map(&[("nickname", "x")]))
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_change_sent_twice_makes_its_record_once_with_the_devices_times_in_the_audit() {
    for store in support::stores("synconce").await {
        let store = support::with_keys(store);
        let w = world(&store).await;
        let kid = store.register_child(&w.worker, child()).await.unwrap();
        let intake = IntakeInput { route: Some("rci".into()), opened_on: Some("2026-11-01".into()), ..Default::default() };
        store.open_case(&w.worker, kid.id, intake.validate(d("2026-11-01")).unwrap()).await.unwrap();
        let (device, _key) = store.enrol_device(&w.worker, "phone", support::SECRET).await.unwrap();
        let change = Uuid::now_v7();
        let note = || NoteInput {
            kind: Some("home_visit".into()), noted_on: Some("2026-12-01".into()), text: Some("ជួបម្តាយ".into())
        };
        store
            .add_note(&from_device(&w.worker, device.id, change, Slot::CaseEntry), kid.id, note().validate(d("2026-12-02")).unwrap())
            .await
            .unwrap();
        assert!(store.made_by_change(&w.worker, change).await.unwrap());
        assert!(!store.made_by_change(&w.boss, change).await.unwrap(), "only its own author's");
        let twice = store
            .add_note(&from_device(&w.worker, device.id, change, Slot::CaseEntry), kid.id, note().validate(d("2026-12-02")).unwrap())
            .await;
        assert!(twice.is_err(), "the second insert meets the first one's id");
        let (_, file) = store.case_file(&w.worker, kid.id, "test").await.unwrap();
        let notes: Vec<_> = file.unwrap().timeline.into_iter().filter(|e| e.kind() == "note").collect();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].id, change, "the note has the id made on the device");

        let f = AuditFilter { record_id: Some(kid.id.to_string()), action: Some("case.note".into()), limit: 5, ..Default::default() };
        let rows = audit::list(&store, &f).await.unwrap();
        assert_eq!(rows.len(), 1);
        let detail: serde_json::Value = serde_json::from_str(&rows[0].detail).unwrap();
        assert_eq!(detail["device"]["recorded_at"], "2026-12-01T03:15:00.000000Z");
        assert_eq!(detail["device"]["received_at"], "2026-12-02T09:00:00.000000Z");
        assert_eq!(detail["device"]["id"], device.id.to_string());
        assert!(audit::verify(&store).await.unwrap().broken_at.is_none());

        // A child registered on the device keeps the device's id too.
        let new_child = Uuid::now_v7();
        let c = store.register_child(&from_device(&w.worker, device.id, new_child, Slot::Child), child()).await.unwrap();
        assert_eq!(c.id, new_child);
        assert!(store.made_by_change(&w.worker, new_child).await.unwrap());
    }
}

#[tokio::test]
async fn a_revoked_device_is_refused_and_only_its_user_gets_its_key() {
    for store in support::stores("syncdevice").await {
        let store = support::with_keys(store);
        let w = world(&store).await;
        let (device, key) = store.enrol_device(&w.worker, "Sokha's phone", support::SECRET).await.unwrap();
        assert!(key.len() >= 32);
        let claimed = store.claim_device(device.id, support::SECRET).await.unwrap();
        assert_eq!(store.unlock_device(&claimed, support::SECRET).await.unwrap().keys.key, key);
        assert_eq!(store.device_for(&w.worker, device.id, support::SECRET).await.unwrap().id, device.id);
        assert!(
            matches!(store.device_for(&w.boss, device.id, support::SECRET).await, Err(StoreError::DeviceNotYours)),
            "not another user's"
        );
        assert!(matches!(
            store.claim_device(device.id, "another-secret-of-forty-three-characters-xx").await,
            Err(StoreError::DeviceNotYours)
        ));
        assert!(
            matches!(store.enrol_device(&w.admin, "desk", support::SECRET).await, Err(StoreError::Forbidden)),
            "administrators do not visit"
        );
        assert!(matches!(store.org_devices(&w.worker, w.worker.org_id).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.revoke_device(&w.outsider, device.id).await, Err(StoreError::Forbidden)));

        let listed = store.org_devices(&w.admin, w.admin.org_id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].user_name, "worker");
        let revoked = store.revoke_device(&w.admin, device.id).await.unwrap();
        assert!(revoked.revoked());
        assert!(matches!(store.device_for(&w.worker, device.id, support::SECRET).await, Err(StoreError::DeviceRevoked)));
        assert!(matches!(store.claim_device(device.id, support::SECRET).await, Err(StoreError::DeviceRevoked)));
        assert!(matches!(store.device_for(&w.worker, Uuid::now_v7(), support::SECRET).await, Err(StoreError::DeviceNotYours)));
        // Its key is gone from the server too.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE data_key = ''").fetch_one(store.pool()).await.unwrap();
        assert_eq!(n, 1);
        // The worker may still enrol another one and give it back themselves.
        let (second, _) = store.enrol_device(&w.worker, "laptop", "the-laptop-secret-of-forty-three-characters").await.unwrap();
        assert!(store.revoke_device(&w.worker, second.id).await.unwrap().revoked());
        assert_eq!(store.my_devices(&w.worker).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn a_device_carries_its_users_caseload_and_chosen_cases_they_may_see() {
    for store in support::stores("synccarry").await {
        let w = world(&store).await;
        let mine = store.register_child(&w.worker, child()).await.unwrap();
        let theirs = store.register_child(&w.outsider, child()).await.unwrap();
        let carried = store.carried(&w.worker).await.unwrap();
        assert_eq!(carried.iter().map(|c| c.child_id).collect::<Vec<_>>(), vec![mine.id]);
        let stamp = carried[0].stamp.clone();

        // Another team's child cannot be taken offline by this worker; the supervisor may take
        // their team's.
        assert!(matches!(store.set_offline(&w.worker, theirs.id, true).await, Err(StoreError::NotFound)));
        store.set_offline(&w.boss, mine.id, true).await.unwrap();
        assert!(store.is_offline(&w.boss, mine.id).await.unwrap());
        let boss = store.carried(&w.boss).await.unwrap();
        assert_eq!(boss.len(), 1);
        assert!(boss[0].chosen);

        // A change to the child changes its stamp: the device fetches it again.
        let c = store.view_child(&w.worker, mine.id, "test").await.unwrap();
        let mut f = c.fields.clone();
        f.nickname = Some("Pov Pov".into());
        store.update_child(&w.worker, mine.id, c.version, f).await.unwrap();
        assert_ne!(store.carried(&w.worker).await.unwrap()[0].stamp, stamp);

        store.set_offline(&w.boss, mine.id, false).await.unwrap();
        assert!(store.carried(&w.boss).await.unwrap().is_empty());
    }
}
