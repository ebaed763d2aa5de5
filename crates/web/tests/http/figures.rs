//! Figures: the ministry sees every organisation without names and with small counts hidden; a
//! manager sees their own organisation; a social worker sees none.

use crate::app::{child_json, each_db, PASSWORD};
use krousar_domain::choices::OrgKind;
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::json;

#[tokio::test]
async fn figures_never_single_out_a_child() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let ministry = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        app.store.create_user(Who::system(), ministry.id, None, "mosvy", "Ministry", Role::Ministry, &hash, "en").await.unwrap();
        app.store.create_user(Who::system(), app.worker.org_id, None, "manager", "Manager", Role::Manager, &hash, "en").await.unwrap();
        let w = app.token(&app.worker).await;
        for name in ["Sreypov", "Sreymom", "Sreyneang", "Sophea", "Sokha", "Chanthy"] {
            assert_eq!(app.api_post(&w, "/api/v1/children", child_json("ស្រី", name)).await.status(), 201);
        }
        let x = app.token(&app.other_worker).await;
        for name in ["Dara", "Vanna"] {
            let mut c = child_json("ដារា", name);
            c["village_code"] = json!("12010101");
            assert_eq!(app.api_post(&x, "/api/v1/children", c).await.status(), 201);
        }
        let (m, _) = app.login("mosvy").await;
        let page = m.get(app.url("/figures")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("&#60;5"), "two children elsewhere: hidden");
        assert!(!page.contains("2 (2F)"));
        assert!(!page.contains("6 (6F)"), "and the six too, or 2 = 8 - 6 from the total");
        assert!(page.contains("8 (8F)") && page.contains(">hidden<"));
        for name in ["Sreypov", "Dara", "ស្រី"] {
            assert!(!page.contains(name), "no names in figures");
        }
        let by_org = m.get(app.url("/figures?by=org")).send().await.unwrap().text().await.unwrap();
        assert!(by_org.contains("Test NGO") && by_org.contains("Other NGO"));
        // A manager: their own organisation, exact.
        let (mg, _) = app.login("manager").await;
        let own = mg.get(app.url("/figures")).send().await.unwrap().text().await.unwrap();
        assert!(own.contains("6 (6F)") && !own.contains("&#60;5"));
        let (sw, _) = app.login("worker").await;
        assert_eq!(sw.get(app.url("/figures")).send().await.unwrap().status(), 403);
        // The ministry still opens no case file.
        let list = m.get(app.url("/children")).send().await.unwrap().status();
        assert_eq!(list, 403);
    })
    .await;
}
