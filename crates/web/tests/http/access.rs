//! Who may see what: denials on pages (friendly 403), API (403 JSON), search and counts.

use crate::app::{child_json, each_db};

#[tokio::test]
async fn another_organisations_child_is_refused_everywhere() {
    each_db(|app| async move {
        let mine = app.token(&app.worker).await;
        let theirs = app.token(&app.other_worker).await;
        let child: serde_json::Value = app.api_post(&mine, "/api/v1/children", child_json("សុខា", "Sokha")).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap().to_string();

        // API: 404 with the error shape, as for an id that does not exist, and nothing of the child in the body.
        let res = app.api_get(&theirs, &format!("/api/v1/children/{id}")).await;
        assert_eq!(res.status(), 404);
        let body = res.text().await.unwrap();
        assert!(body.contains("\"not_found\"") && !body.contains("Sokha"), "{body}");

        // Search and counts never show it.
        let found: serde_json::Value = app.api_get(&theirs, "/api/v1/children?q=sokha").await.json().await.unwrap();
        assert_eq!(found["items"].as_array().unwrap().len(), 0);
        let (c, _) = app.login("stranger").await;
        let list = c.get(app.url("/children?q=sokha")).send().await.unwrap().text().await.unwrap();
        assert!(!list.contains("Sokha") && list.contains("0 children"), "{list}");

        // Page: a friendly page in the user's language, status 404 (as for an id that does not exist).
        let res = c.get(app.url(&format!("/children/{id}"))).send().await.unwrap();
        assert_eq!(res.status(), 404);
        let html = res.text().await.unwrap();
        assert!(html.contains("does not exist, or is not open to you") && !html.contains("Sokha"));

        // The refusal is in the audit log.
        let denied = krousar_store::audit::list(
            &app.store,
            &krousar_store::audit::AuditFilter { action: Some("access.denied".into()), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
        assert_eq!(denied.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn supervisor_sees_the_team_and_admin_sees_no_case_files() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let child: serde_json::Value = app.api_post(&w, "/api/v1/children", child_json("ដារា", "Dara")).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap();
        let sup = app.token(&app.supervisor).await;
        assert_eq!(app.api_get(&sup, &format!("/api/v1/children/{id}")).await.status(), 200);
        let admin = app.token(&app.admin).await;
        assert_eq!(app.api_get(&admin, &format!("/api/v1/children/{id}")).await.status(), 404);
        assert_eq!(app.api_get(&admin, "/api/v1/children").await.status(), 403);
        // Unauthenticated: 401.
        assert_eq!(crate::app::client().get(app.url("/api/v1/children")).send().await.unwrap().status(), 401);
    })
    .await;
}

#[tokio::test]
async fn the_audit_chain_records_reads_and_detects_tampering() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let child: serde_json::Value = app.api_post(&w, "/api/v1/children", child_json("សុខា", "Sokha")).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap();
        app.api_get(&w, &format!("/api/v1/children/{id}")).await;
        let reads = krousar_store::audit::list(
            &app.store,
            &krousar_store::audit::AuditFilter { record_id: Some(id.into()), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
        let actions: Vec<_> = reads.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["child.view", "child.create"]);
        let v = krousar_store::audit::verify(&app.store).await.unwrap();
        assert_eq!(v.broken_at, None);
        assert!(v.entries > 5);
        // The log refuses changes; a tamperer who gets around that is caught by the chain.
        assert!(sqlx::query("UPDATE audit_log SET detail = '{}' WHERE seq = 3").execute(app.store.pool()).await.is_err());
        let drop_guard = match app.store.backend {
            krousar_store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            krousar_store::Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log",
        };
        sqlx::query(drop_guard).execute(app.store.pool()).await.unwrap();
        sqlx::query("UPDATE audit_log SET detail = '{}' WHERE seq = 3").execute(app.store.pool()).await.unwrap();
        assert_eq!(krousar_store::audit::verify(&app.store).await.unwrap().broken_at, Some(3));
    })
    .await;
}
