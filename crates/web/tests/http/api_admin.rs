//! An organisation's administration through the API (issue 23): revoking a lost device and
//! putting people in teams, with the administration pages' rules (the same store operations):
//! another organisation's device or account answers as one that does not exist, one's own
//! organisation's beyond one's role is refused.

use crate::app::{client, each_db, TestApp, PASSWORD};
use crate::sync::enrol;
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = client().put(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_lost_device_is_revoked_through_the_api_by_its_user_or_administrator_only() {
    each_db(|app| async move {
        let d = enrol(&app, "worker").await;
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other_admin = app
            .store
            .create_user(Who::system(), app.other_worker.org_id, None, "otheradmin", "Other admin", Role::OrgAdmin, &hash, "en")
            .await
            .unwrap();
        let (w, s, a, oa) =
            (app.token(&app.worker).await, app.token(&app.supervisor).await, app.token(&app.admin).await, app.token(&other_admin).await);

        let mine: Value = app.api_get(&w, "/api/v1/devices").await.json().await.unwrap();
        assert_eq!(ids(&mine), [d.id.as_str()]);
        assert_eq!(mine["items"][0]["name"], "phone");
        assert_eq!(app.api_get(&w, "/api/v1/devices?all=true").await.status(), 403, "the organisation's list is its administrator's");
        let all: Value = app.api_get(&a, "/api/v1/devices?all=true").await.json().await.unwrap();
        assert_eq!(ids(&all), [d.id.as_str()]);
        let theirs: Value = app.api_get(&oa, "/api/v1/devices?all=true").await.json().await.unwrap();
        assert!(ids(&theirs).is_empty(), "another organisation's administrator lists only theirs");

        let revoke = format!("/api/v1/devices/{}/revoke", d.id);
        assert_eq!(app.api_post(&oa, &revoke, json!({})).await.status(), 404, "another organisation's device: as if none");
        assert_eq!(app.api_post(&s, &revoke, json!({})).await.status(), 403, "a colleague who is not its administrator");
        assert_eq!(d.post(&app, "/pull", json!({})).await.0, 200, "refusals changed nothing");
        let res = app.api_post(&a, &revoke, json!({})).await;
        assert_eq!(res.status(), 200);
        let revoked: Value = res.json().await.unwrap();
        assert_eq!(revoked["id"], d.id.as_str());
        assert!(revoked["revoked_at"].is_string(), "{revoked}");
        let (status, body) = d.post(&app, "/pull", json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (410, Some("device_revoked")), "the phone is told to wipe");
        assert_eq!(app.api_post(&a, &revoke, json!({})).await.status(), 200, "revoking again changes nothing");
        let f = krousar_store::audit::AuditFilter { action: Some("device.revoke".into()), limit: 10, ..Default::default() };
        assert_eq!(krousar_store::audit::list(&app.store, &f).await.unwrap().len(), 1, "audited once");

        // Its own user may revoke a phone given back.
        let d2 = enrol(&app, "worker").await;
        assert_eq!(app.api_post(&w, &format!("/api/v1/devices/{}/revoke", d2.id), json!({})).await.status(), 200);
        assert_eq!(d2.post(&app, "/pull", json!({})).await.0, 410);
        assert_eq!(app.api_post(&a, &format!("/api/v1/devices/{}/revoke", uuid::Uuid::now_v7()), json!({})).await.status(), 404);
    })
    .await;
}

#[tokio::test]
async fn people_are_put_in_teams_through_the_api_by_their_administrator() {
    each_db(|app| async move {
        let org = app.worker.org_id;
        let north = app.worker.team_id.unwrap();
        let south = app.store.create_team(Who::system(), org, "South").await.unwrap();
        let elsewhere = app.store.create_team(Who::system(), app.other_worker.org_id, "Elsewhere").await.unwrap();
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other_admin = app
            .store
            .create_user(Who::system(), app.other_worker.org_id, None, "otheradmin", "Other admin", Role::OrgAdmin, &hash, "en")
            .await
            .unwrap();
        let (w, a, oa) = (app.token(&app.worker).await, app.token(&app.admin).await, app.token(&other_admin).await);

        let teams: Value = app.api_get(&a, "/api/v1/teams").await.json().await.unwrap();
        let mut names: Vec<&str> = teams["items"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["North", "South"], "the organisation's teams, no other's");
        assert_eq!(app.api_get(&w, "/api/v1/teams").await.status(), 403);
        assert_eq!(app.api_get(&w, "/api/v1/users").await.status(), 403);
        let users: Value = app.api_get(&a, "/api/v1/users").await.json().await.unwrap();
        let worker = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "worker").expect("listed").clone();
        assert_eq!(worker["team_id"], north.to_string());
        assert!(worker.get("password_hash").is_none() && !users.to_string().contains("stranger"), "{users}");

        let path = format!("/api/v1/users/{}/team", app.worker.id);
        assert_eq!(put(&app, &w, &path, json!({"team_id": south.id})).await.0, 403, "a worker does not move people");
        assert_eq!(put(&app, &oa, &path, json!({"team_id": null})).await.0, 404, "another organisation's account: as if none");
        let theirs = format!("/api/v1/users/{}/team", app.other_worker.id);
        assert_eq!(put(&app, &a, &theirs, json!({"team_id": null})).await.0, 404);
        let (status, body) = put(&app, &a, &path, json!({})).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("team_id")), "an empty body moves no one");
        assert_eq!(put(&app, &a, &path, json!({"team_id": elsewhere.id})).await.0, 422, "a team of another organisation");
        assert_eq!(put(&app, &a, &path, json!({"team_id": "north"})).await.0, 422);
        assert_eq!(put(&app, &a, &path, json!({"team_id": 5})).await.0, 400);
        assert_eq!(put(&app, &a, &path, json!({"team_id": south.id, "role": "manager"})).await.0, 400, "only the team");
        assert_eq!(app.store.user(app.worker.id).await.unwrap().team_id, Some(north), "refusals changed nothing");

        let (status, body) = put(&app, &a, &path, json!({"team_id": south.id})).await;
        assert_eq!((status, body["team_id"].as_str()), (200, Some(south.id.to_string().as_str())), "{body}");
        let now = app.store.user(app.worker.id).await.unwrap();
        assert_eq!((now.team_id, now.role), (Some(south.id), Role::SocialWorker), "the team only");
        assert_eq!(put(&app, &app.token(&app.supervisor).await, &path, json!({"team_id": north})).await.0, 403, "nor does a supervisor");
        let (status, body) = put(&app, &a, &path, json!({"team_id": null})).await;
        assert_eq!((status, body["team_id"].clone()), (200, Value::Null));
        let f = krousar_store::audit::AuditFilter { action: Some("user.team".into()), limit: 10, ..Default::default() };
        assert_eq!(krousar_store::audit::list(&app.store, &f).await.unwrap().len(), 2, "each move audited");

        // An administrator's reach: no further than their own role (a system administrator).
        let sysadmin = app.store.create_user(Who::system(), org, None, "root", "Root", Role::SystemAdmin, &hash, "en").await.unwrap();
        assert_eq!(put(&app, &a, &format!("/api/v1/users/{}/team", sysadmin.id), json!({"team_id": north})).await.0, 403);
    })
    .await;
}
