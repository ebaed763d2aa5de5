//! The leak sweep: one child of one organisation, with a case, a note, a file, a household and a
//! stay in an institution; every page and API route that returns child data is requested by every
//! role of another organisation (and the ministry). None may show the child.

use crate::app::{child_json, each_db, PASSWORD};
use krousar_domain::choices::OrgKind;
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
    0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60,
    0x82,
];

#[tokio::test]
async fn no_role_of_another_organisation_sees_the_child_anywhere() {
    each_db(|app| async move {
        // The child, as its own worker records it.
        let w = app.token(&app.worker).await;
        let mut body = child_json("ស្រីពេជ្រ", "Xsreypech");
        body["family_name_latin"] = json!("Qvandara");
        let child: Value = app.api_post(&w, "/api/v1/children", body).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap().to_string();
        let case_number = child["case_number"].as_str().unwrap().to_string();
        let today = krousar_web::views::today().to_string();
        app.api_post(
            &w,
            &format!("/api/v1/children/{id}/case/open"),
            json!({"route": "emergency", "opened_on": today, "immediate_safety": "Moved to aunt SAFEHOUSE-77"}),
        )
        .await;
        app.api_post(
            &w,
            &format!("/api/v1/children/{id}/case/note"),
            json!({"kind": "phone", "noted_on": today, "text": "SECRET-NOTE-42"}),
        )
        .await;
        let home: Value = app
            .api_post(
                &w,
                "/api/v1/households",
                json!({"name": "Zetafamily", "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": id}),
            )
            .await
            .json()
            .await
            .unwrap();
        let hid = home["id"].as_str().unwrap().to_string();
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("x.png"));
        let file: Value = crate::app::client()
            .post(app.url(&format!("/api/v1/children/{id}/case/attachments")))
            .bearer_auth(&w)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let fid = file["id"].as_str().unwrap().to_string();
        let sensitive = json!({"version": 0, "hiv_status": "positive", "health": "SENSITIVE-HEALTH-9"});
        assert_eq!(
            crate::app::client()
                .put(app.url(&format!("/api/v1/children/{id}/sensitive")))
                .bearer_auth(&w)
                .json(&sensitive)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let markers =
            ["Xsreypech", "Qvandara", "ស្រីពេជ្រ", case_number.as_str(), "SECRET-NOTE-42", "SAFEHOUSE-77", "Zetafamily", "SENSITIVE-HEALTH-9"];

        // Every role of another organisation, and the ministry.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other = app.other_worker.org_id;
        let ministry = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        let mut users = vec![app.other_worker.clone()];
        for (name, role, org) in [
            ("osup", Role::Supervisor, other),
            ("omgr", Role::Manager, other),
            ("oadmin", Role::OrgAdmin, other),
            ("ointake", Role::Intake, other),
            ("mosvy", Role::Ministry, ministry.id),
        ] {
            users.push(app.store.create_user(Who::system(), org, None, name, name, role, &hash, "en").await.unwrap());
        }
        let pages = [
            format!("/children/{id}"),
            format!("/children/{id}/edit"),
            format!("/children/{id}/case"),
            format!("/children/{id}/case/note"),
            format!("/children/{id}/case/plan"),
            format!("/children/{id}/case/forms/1?format=html"),
            format!("/children/{id}/case/forms/6"),
            format!("/children/{id}/case/attachments/{fid}"),
            format!("/children/{id}/duplicates"),
            format!("/children/{id}/sensitive"),
            format!("/children/{id}/cash"),
            format!("/children/{id}/carers"),
            format!("/children/{id}/referral"),
            "/children?q=xsreypech".to_string(),
            "/children?q=qvandara".to_string(),
            "/children".to_string(),
            "/households?q=zetafamily".to_string(),
            format!("/households/{hid}"),
            "/".to_string(),
            "/team".to_string(),
            "/figures".to_string(),
            "/figures?by=org".to_string(),
            "/referrals".to_string(),
            "/duplicates".to_string(),
            "/children/export?format=csv".to_string(),
            "/children/export?format=csv&q=xsreypech".to_string(),
            "/cash".to_string(),
            "/carers".to_string(),
            "/training".to_string(),
            "/indicators?by=province".to_string(),
            "/indicators/registered".to_string(),
            "/indicators/registered?reach=national".to_string(),
            "/dashboard".to_string(),
            "/reports/quarterly?format=html".to_string(),
        ];
        let api = [
            format!("/api/v1/children/{id}"),
            "/api/v1/children?q=xsreypech".to_string(),
            "/api/v1/children".to_string(),
            format!("/api/v1/children/{id}/case"),
            format!("/api/v1/children/{id}/case/attachments/{fid}"),
            format!("/api/v1/children/{id}/duplicates"),
            format!("/api/v1/children/{id}/sensitive"),
            format!("/api/v1/children/{id}/cash"),
            format!("/api/v1/children/{id}/carer-matches"),
            format!("/api/v1/households/{hid}"),
            "/api/v1/households?q=zetafamily".to_string(),
            "/api/v1/worklist".to_string(),
            "/api/v1/referrals".to_string(),
            "/api/v1/duplicate-scans/latest".to_string(),
        ];
        let mut checked = 0;
        for user in &users {
            let (c, _) = app.login(&user.username).await;
            for path in &pages {
                let res = c.get(app.url(path)).send().await.unwrap();
                let status = res.status().as_u16();
                let body = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
                for m in markers {
                    assert!(!body.contains(m), "{} ({:?}) sees {m} at {path} (status {status})", user.username, user.role);
                }
                assert!(status != 200 || !path.contains(&id), "{} got 200 for {path}", user.username);
                checked += 1;
            }
            let t = app.token(user).await;
            for path in &api {
                let res = app.api_get(&t, path).await;
                let status = res.status().as_u16();
                let body = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
                for m in markers {
                    assert!(!body.contains(m), "{} ({:?}) sees {m} at {path} (status {status})", user.username, user.role);
                }
                assert!(status != 200 || !path.contains(&id), "{} got 200 for {path}", user.username);
                checked += 1;
            }
            // A duplicate check from the other organisation learns only where the child is known.
            let probe =
                json!({"given_name_latin": "Xsreypech", "family_name_latin": "Qvandara", "sex": "female", "date_of_birth": "2015-03-02"});
            let res = app.api_post(&t, "/api/v1/children/duplicate-check", probe).await;
            let body = res.text().await.unwrap();
            for m in markers {
                assert!(!body.contains(m), "{} sees {m} through a duplicate check", user.username);
            }
            assert!(!body.contains(&id), "{} learns the record's id through a duplicate check", user.username);
        }
        assert_eq!(checked, users.len() * (pages.len() + api.len()));
        // And the owner does see it (the sweep can fail).
        let own: Value = app.api_get(&w, &format!("/api/v1/children/{id}/case")).await.json().await.unwrap();
        assert!(own.to_string().contains("SECRET-NOTE-42"));
    })
    .await;
}
