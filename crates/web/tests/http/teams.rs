//! A configurable team hierarchy: a supervisor oversees their team and every team below it; an
//! administrator arranges the teams on the users page, and a loop is refused.

use crate::app::{child_json, each_db, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::Value;

#[tokio::test]
async fn a_supervisor_oversees_the_teams_placed_under_theirs() {
    each_db(|app| async move {
        let (a, csrf) = app.login("admin").await;
        let post = |path: String, form: Vec<(&'static str, String)>| {
            let a = a.clone();
            let csrf = csrf.clone();
            let url = app.url(&path);
            async move {
                let mut f = vec![("_csrf", csrf)];
                f.extend(form);
                a.post(url).form(&f).send().await.unwrap()
            }
        };
        assert_eq!(post("/admin/teams".into(), vec![("team_name", "Battambang province".into())]).await.status(), 303);
        let org = app.worker.org_id;
        let province = app.store.teams(org).await.unwrap().into_iter().find(|t| t.name == "Battambang province").unwrap().id;
        let res = post("/admin/teams".into(), vec![("team_name", "Moung Ruessei".into()), ("team_parent", province.to_string())]).await;
        assert_eq!(res.status(), 303);
        let teams = app.store.teams(org).await.unwrap();
        let district = teams.iter().find(|t| t.name == "Moung Ruessei").unwrap();
        assert_eq!(district.parent_id, Some(province));
        let page = a.get(app.url("/admin/users")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Battambang province › Moung Ruessei"));

        // A loop is refused and changes nothing.
        let res = post(format!("/admin/teams/{province}/parent"), vec![("parent", district.id.to_string())]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("cannot be placed under itself"));
        assert!(app.store.teams(org).await.unwrap().iter().all(|t| t.id != province || t.parent_id.is_none()));

        // The province supervisor reads and lists the district worker's child; another team's
        // supervisor does not.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let boss = app.store.create_user(Who::system(), org, Some(province), "provsup", "P", Role::Supervisor, &hash, "en").await.unwrap();
        let dw =
            app.store.create_user(Who::system(), org, Some(district.id), "distworker", "D", Role::SocialWorker, &hash, "en").await.unwrap();
        let dt = app.token(&dw).await;
        let child: Value = app.api_post(&dt, "/api/v1/children", child_json("ស្រីមុំ", "Sreymom")).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap().to_string();
        let bt = app.token(&boss).await;
        assert_eq!(app.api_get(&bt, &format!("/api/v1/children/{id}")).await.status(), 200);
        let list: Value = app.api_get(&bt, "/api/v1/children").await.json().await.unwrap();
        assert!(list["items"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()));
        let north = app.token(&app.supervisor).await;
        assert_eq!(app.api_get(&north, &format!("/api/v1/children/{id}")).await.status(), 404);

        // Moved to the top, the district is no longer the province's.
        assert_eq!(post(format!("/admin/teams/{}/parent", district.id), vec![("parent", String::new())]).await.status(), 303);
        assert_eq!(app.api_get(&bt, &format!("/api/v1/children/{id}")).await.status(), 404);

        // Another organisation's administrator cannot touch these teams.
        let other_admin =
            app.store.create_user(Who::system(), app.other_worker.org_id, None, "oadmin", "O", Role::OrgAdmin, &hash, "en").await.unwrap();
        let (o, ocsrf) = app.login(&other_admin.username).await;
        let res = o
            .post(app.url(&format!("/admin/teams/{}/parent", district.id)))
            .form(&[("_csrf", ocsrf.as_str()), ("parent", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    })
    .await;
}
