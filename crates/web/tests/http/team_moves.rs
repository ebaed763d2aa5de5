//! A child moved to a worker of another team takes its work along: its case, due first contact
//! and pending approval leave the first supervisor's worklist and team view and appear in the
//! other's (the team is carried by the case's events, copied by triggers from the child), and
//! `krousar check` finds every carried team equal to its child's.

use crate::app::{child_json, each_db, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

#[tokio::test]
async fn moving_a_child_between_teams_moves_its_work_on_every_worklist() {
    each_db(|app| async move {
        let org = app.worker.org_id;
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let south = app.store.create_team(Who::system(), org, "South").await.unwrap();
        let mk = |name: &'static str, role| {
            let (store, hash) = (app.store.clone(), hash.clone());
            async move { store.create_user(Who::system(), org, Some(south.id), name, name, role, &hash, "en").await.unwrap() }
        };
        let south_boss = mk("southboss", Role::Supervisor).await;
        let south_worker = mk("southworker", Role::SocialWorker).await;
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today().to_string();
        let mut children = Vec::new();
        for (km, latin) in [("សុភា", "Sophea"), ("ចន្ថា", "Chantha")] {
            let c: Value = app.api_post(&w, "/api/v1/children", child_json(km, latin)).await.json().await.unwrap();
            let id = c["id"].as_str().unwrap().to_string();
            let base = format!("/api/v1/children/{id}/case");
            let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
            assert_eq!(app.api_post(&w, &format!("{base}/open"), open).await.status(), 201);
            let risk = json!({"level": "high", "reasons": "x", "assessed_on": today});
            assert_eq!(app.api_post(&w, &format!("{base}/risk"), risk).await.status(), 200);
            assert_eq!(app.api_post(&w, &format!("{base}/approvals"), json!({"kind": "assessment"})).await.status(), 200);
            children.push(id);
        }
        let moving = uuid::Uuid::parse_str(&children[0]).unwrap();
        let north_boss = app.supervisor.actor();
        let south_boss = south_boss.actor();
        // (first contacts, approvals) of `child` on a supervisor's worklist.
        let work_of = |boss: krousar_domain::Actor, child: uuid::Uuid| {
            let store = app.store.clone();
            async move {
                let list = store.worklist(&boss, false).await.unwrap();
                let firsts = list.due.iter().filter(|i| i.child_id == child && i.what == "first_contact").count();
                let approvals = list.pending_approvals.iter().filter(|i| i.child_id == child).count();
                (firsts, approvals)
            }
        };
        let open_cases = |boss: krousar_domain::Actor| {
            let store = app.store.clone();
            async move { store.team_view(&boss).await.unwrap().iter().map(|r| r.open_cases).sum::<i64>() }
        };
        assert_eq!(work_of(north_boss.clone(), moving).await, (1, 1), "the North supervisor sees the child's work");
        assert_eq!(work_of(south_boss.clone(), moving).await, (0, 0));
        assert_eq!((open_cases(north_boss.clone()).await, open_cases(south_boss.clone()).await), (2, 0));

        // The North supervisor gives the child to a South worker.
        app.store.assign_child(&north_boss, moving, south_worker.id).await.unwrap();
        assert_eq!(work_of(north_boss.clone(), moving).await, (0, 0), "gone from North");
        assert_eq!(work_of(south_boss.clone(), moving).await, (1, 1), "and on South's worklist");
        assert_eq!((open_cases(north_boss.clone()).await, open_cases(south_boss.clone()).await), (1, 1));
        let other = uuid::Uuid::parse_str(&children[1]).unwrap();
        assert_eq!(work_of(north_boss.clone(), other).await, (1, 1), "the child who stayed keeps her work in North");
        let south_view = app.store.team_view(&south_boss).await.unwrap();
        let row = south_view.iter().find(|r| r.worker_id == south_worker.id).expect("the South worker's row");
        assert_eq!((row.open_cases, row.pending_approvals), (1, 0), "approvals are counted by who asked");

        // And back: the work follows again; every carried team agrees with its child's.
        app.store.assign_child(&south_boss, moving, app.worker.id).await.unwrap();
        assert_eq!(work_of(north_boss.clone(), moving).await, (1, 1));
        assert_eq!(work_of(south_boss.clone(), moving).await, (0, 0));
        let north_view = app.store.team_view(&north_boss).await.unwrap();
        let mine = north_view.iter().find(|r| r.worker_id == app.worker.id).expect("the North worker's row");
        assert_eq!(mine.open_cases, 2, "both open cases are counted for the worker who holds them again");
        let report = app.store.check(krousar_domain::today()).await.unwrap();
        assert_eq!(report.counts.get("carried_keys"), Some(&0), "{:?}", report.findings);
        assert!(report.checked.get("carried_keys").is_some_and(|n| *n >= 4));
    })
    .await;
}
