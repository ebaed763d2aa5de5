//! Sensitive information: sealed at rest, read and changed only by the case's workers and
//! supervisor (and a receiver whose consent covers it), every reading and change audited with
//! field names only, bad input and stale versions change nothing.

use crate::app::{child_json, client, csrf_of, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};
use sqlx::Row;

async fn put(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    client().put(app.url(&format!("/api/v1/children/{id}/sensitive"))).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn audit_actions(app: &TestApp, id: &str) -> Vec<(String, String)> {
    sqlx::query("SELECT action, detail FROM audit_log WHERE record_id = $1 ORDER BY seq")
        .bind(id)
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("action"), r.get::<String, _>("detail")))
        .collect()
}

#[tokio::test]
async fn sensitive_information_is_sealed_limited_to_the_case_and_audited() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();

        // Nothing yet: version 0. Bad input and a missing version change nothing.
        let empty: Value = app.api_get(&w, &format!("/api/v1/children/{id}/sensitive")).await.json().await.unwrap();
        assert_eq!((empty["version"].as_i64(), empty["hiv_status"].as_str()), (Some(0), Some("unknown")));
        assert_eq!(put(&app, &w, &id, json!({"version": 0, "hiv_status": "maybe"})).await.status(), 422);
        assert_eq!(put(&app, &w, &id, json!({"hiv_status": "negative"})).await.status(), 422);
        assert_eq!(put(&app, &w, &id, json!({"version": 0, "hiv": "negative"})).await.status(), 400, "a misspelt field is refused");
        let body = json!({"version": 0, "hiv_status": "positive", "health": "ARV-TREATMENT-DAILY", "sexual_abuse": "DISCLOSED-IN-2025"});
        let saved: Value = put(&app, &w, &id, body).await.json().await.unwrap();
        assert_eq!((saved["version"].as_i64(), saved["health"].as_str()), (Some(1), Some("ARV-TREATMENT-DAILY")));
        assert_eq!(put(&app, &w, &id, json!({"version": 0, "hiv_status": "negative"})).await.status(), 409, "stale version");

        // At rest: sealed, no plain text anywhere in the database row, nor in the audit log.
        let row = sqlx::query("SELECT key_id, sealed FROM child_sensitive WHERE child_id = $1")
            .bind(&id)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        let sealed: String = row.get("sealed");
        assert!(!sealed.contains("ARV") && !sealed.contains("positive") && sealed.len() > 40);
        let audit = audit_actions(&app, &id).await;
        assert!(audit.iter().all(|(_, d)| !d.contains("ARV") && !d.contains("DISCLOSED") && !d.contains("positive")), "{audit:?}");
        let update = audit.iter().find(|(a, _)| a == "child.sensitive_update").expect("change audited");
        assert!(update.1.contains("health") && update.1.contains("hiv_status"));
        let views = audit.iter().filter(|(a, _)| a == "child.sensitive_view").count();
        assert!(views >= 2, "each reading audited: {views}");
        // A sealed value moved onto another child does not open there.
        let c2: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let id2 = c2["id"].as_str().unwrap().to_string();
        sqlx::query("INSERT INTO child_sensitive (child_id, key_id, sealed, version, updated_at) VALUES ($1, $2, $3, 1, '2026-01-01')")
            .bind(&id2)
            .bind(row.get::<String, _>("key_id"))
            .bind(&sealed)
            .execute(app.store.pool())
            .await
            .unwrap();
        assert_eq!(app.api_get(&w, &format!("/api/v1/children/{id2}/sensitive")).await.status(), 500);

        // The team's supervisor reads and changes it; the manager, the administrator, another
        // organisation do not — though the manager reads the child's record.
        let s = app.token(&app.supervisor).await;
        let seen: Value = app.api_get(&s, &format!("/api/v1/children/{id}/sensitive")).await.json().await.unwrap();
        assert_eq!(seen["sexual_abuse"], "DISCLOSED-IN-2025");
        assert_eq!(seen["editable"], true);
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let manager =
            app.store.create_user(Who::system(), app.worker.org_id, None, "boss", "Boss", Role::Manager, &hash, "en").await.unwrap();
        let m = app.token(&manager).await;
        assert_eq!(app.api_get(&m, &format!("/api/v1/children/{id}")).await.status(), 200);
        for (who, token) in [("manager", &m), ("admin", &app.token(&app.admin).await), ("stranger", &app.token(&app.other_worker).await)] {
            let res = app.api_get(token, &format!("/api/v1/children/{id}/sensitive")).await;
            assert!(matches!(res.status().as_u16(), 403 | 404), "{who}: {}", res.status());
            assert!(!res.text().await.unwrap().contains("ARV"));
            assert_eq!(put(&app, token, &id, json!({"version": 1, "hiv_status": "negative"})).await.status().as_u16() / 100, 4, "{who}");
        }
        let denied = audit_actions(&app, &id).await.iter().filter(|(a, d)| a == "access.denied" && d.contains("sensitive")).count();
        assert!(denied >= 6, "refusals audited: {denied}");

        // Pages: the child page links to it without showing it; the manager is told it is restricted.
        let (wc, _) = app.login("worker").await;
        let child_page = wc.get(app.url(&format!("/children/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(child_page.contains(&format!("/children/{id}/sensitive")) && !child_page.contains("ARV"));
        let page = wc.get(app.url(&format!("/children/{id}/sensitive"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("ARV-TREATMENT-DAILY") && page.contains("name=\"version\" value=\"1\""));
        let form = [
            ("_csrf", csrf_of(&page)),
            ("version", "1".to_string()),
            ("hiv_status", "positive".to_string()),
            ("health", "ARV-TREATMENT-DAILY".to_string()),
            ("disability_detail", "Uses a wheelchair".to_string()),
            ("sexual_abuse", "DISCLOSED-IN-2025".to_string()),
            ("harmful_behaviour", String::new()),
        ];
        let res = wc.post(app.url(&format!("/children/{id}/sensitive"))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let page = wc.get(app.url(&format!("/children/{id}/sensitive?saved=1"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Uses a wheelchair"));
        let res = wc.post(app.url(&format!("/children/{id}/sensitive"))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 409, "the page's version is stale now");
        assert!(res.text().await.unwrap().contains("Uses a wheelchair"), "what was typed is kept");
        let (mc, _) = app.login("boss").await;
        let manager_page = mc.get(app.url(&format!("/children/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(!manager_page.contains(&format!("/children/{id}/sensitive")) && !manager_page.contains("wheelchair"));
        assert_eq!(mc.get(app.url(&format!("/children/{id}/sensitive"))).send().await.unwrap().status(), 403);
    })
    .await;
}

/// A referral opens sensitive information to the receiver only when the consent names it, and
/// even then the receiver reads it without changing it.
#[tokio::test]
async fn a_referral_shares_sensitive_information_only_when_the_consent_covers_it() {
    use krousar_domain::referral::{Consent, ConsentBy, Referral, ReferralKind, Share, Urgency};
    each_db(|app| async move {
        let today = krousar_domain::today();
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let boss = app
            .store
            .create_user(Who::system(), app.other_worker.org_id, None, "otherboss", "Other boss", Role::Supervisor, &hash, "en")
            .await
            .unwrap();
        let w = app.token(&app.worker).await;
        let x = app.token(&app.other_worker).await;
        for (name, shares, opens) in
            [("Sokha", vec![Share::Identity, Share::CaseSummary], false), ("Dara", vec![Share::Identity, Share::Sensitive], true)]
        {
            let c: Value = app.api_post(&w, "/api/v1/children", child_json("សុខា", name)).await.json().await.unwrap();
            let id: uuid::Uuid = c["id"].as_str().unwrap().parse().unwrap();
            assert_eq!(put(&app, &w, &id.to_string(), json!({"version": 0, "health": "EPILEPSY-MEDICATION"})).await.status(), 200);
            let r = Referral {
                to_org: app.other_worker.org_id,
                kind: ReferralKind::Referral,
                services: "Health care".into(),
                reason: "Moved".into(),
                urgency: Urgency::Normal,
                consent: Some(Consent { by: ConsentBy::Guardian, given_on: today, shares }),
                override_reason: None,
            };
            let rid = app.store.send_referral(&app.worker.actor(), id, r).await.unwrap();
            app.store.decide_referral(&boss.actor(), rid, "accept", None).await.unwrap();
            let path = format!("/api/v1/children/{id}/sensitive");
            assert_eq!(app.api_get(&x, &format!("/api/v1/children/{id}")).await.status(), 200, "{name}: the referral opens the record");
            let res = app.api_get(&x, &path).await;
            assert_eq!(res.status() == 200, opens, "{name}");
            assert_eq!(res.text().await.unwrap().contains("EPILEPSY"), opens);
            assert_eq!(put(&app, &x, &id.to_string(), json!({"version": 1, "health": "changed"})).await.status(), 403, "{name}: read only");
        }
    })
    .await;
}
