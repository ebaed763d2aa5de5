//! The system administrator's consistency check page (issue 21): it runs `krousar check` and
//! shows the report in the user's language; nobody else may run it, and a run is audited.

use crate::app::{each_db, PASSWORD};
use krousar_domain::choices::OrgKind;
use krousar_domain::Role;
use krousar_store::Who;

#[tokio::test]
async fn a_system_administrator_runs_the_check_and_nobody_else_can() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let ministry = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        app.store.create_user(Who::system(), ministry.id, None, "sysadmin", "Sys", Role::SystemAdmin, &hash, "km").await.unwrap();
        let (c, csrf) = app.login("sysadmin").await;
        let page = c.get(app.url("/admin/check")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("ដំណើរការការត្រួតពិនិត្យ"), "the page in Khmer: {page}");
        let res = c.post(app.url("/admin/check")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let report = res.text().await.unwrap();
        assert!(report.contains("ទាំងអស់ស្របគ្នា"), "a consistent database: {report}");
        assert!(report.contains("កន្លែងដែលកុមាររស់នៅ"), "each rule named in Khmer");
        // Without the form's token, nothing runs.
        let forged = c.post(app.url("/admin/check")).form(&[("_csrf", "x")]).send().await.unwrap();
        assert_eq!(forged.status(), 403);
        // The check is audited.
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'system.check'").fetch_one(app.store.pool()).await.unwrap();
        assert!(n >= 1);
        // An organisation's administrator, a supervisor: refused, page and run.
        for who in ["admin", "supervisor"] {
            let (o, token) = app.login(who).await;
            assert_eq!(o.get(app.url("/admin/check")).send().await.unwrap().status(), 403, "{who}");
            assert_eq!(o.post(app.url("/admin/check")).form(&[("_csrf", token.as_str())]).send().await.unwrap().status(), 403, "{who}");
        }
        // A damaged record shows as a finding, named, with the record.
        let w = app.token(&app.worker).await;
        let kid: serde_json::Value =
            app.api_post(&w, "/api/v1/children", crate::app::child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let kid = kid["id"].as_str().unwrap().to_string();
        sqlx::query("UPDATE children SET living_arrangement = 'in_rci' WHERE id = $1").bind(&kid).execute(app.store.pool()).await.unwrap();
        let report = c.post(app.url("/admin/check")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("ការត្រួតពិនិត្យបានរកឃើញ") && report.contains(&kid), "{report}");
    })
    .await;
}
