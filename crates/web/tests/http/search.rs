//! Search by case number and across Khmer vowel variants (issue 21, items 5 and 6).

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

/// Registers a child said to be new (children alike on purpose: a likely duplicate is otherwise 409).
async fn register(app: &TestApp, token: &str, mut body: Value) -> Value {
    body["confirmed_new"] = json!(true);
    let res = app.api_post(token, "/api/v1/children", body).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn ids_found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let url = format!("/api/v1/children?q={}", &serde_urlencoded::to_string([("", q)]).unwrap()[1..]);
    let page: Value = app.api_get(token, &url).await.json().await.unwrap();
    page["items"].as_array().unwrap_or_else(|| panic!("{q}: {page}")).iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_child_is_found_by_her_case_number_whole_or_its_digits_in_scope_only() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let sokha = register(&app, &w, child_json("សុខា", "Sokha")).await;
        assert_eq!(sokha["case_number"], "TN-000001");
        let sokha = sokha["id"].as_str().unwrap().to_string();
        let dara = register(&app, &w, child_json("ដារា", "Dara")).await["id"].as_str().unwrap().to_string();
        // Another organisation's first child has the same digits: ON-000001.
        let x = app.token(&app.other_worker).await;
        let theirs = register(&app, &x, child_json("ស្រីពៅ", "Sreypov")).await;
        assert_eq!(theirs["case_number"], "ON-000001");
        let theirs = theirs["id"].as_str().unwrap().to_string();

        for q in ["TN-000001", "tn-000001", "TN-1", "000001", "1", "01", "#TN-000001", "០០០០០១", "Sokha 000001", "chan tn-000001"]
        {
            assert_eq!(ids_found(&app, &w, q).await, vec![sokha.clone()], "worker, query {q}");
        }
        assert_eq!(ids_found(&app, &w, "000002").await, vec![dara.clone()], "an exact number, not a part");
        for q in ["ON-000001", "Dara 000001", "TN-000003", "000011", "10"] {
            assert!(ids_found(&app, &w, q).await.is_empty(), "worker, query {q}");
        }
        // The supervisor sees the team's children, still not another organisation's.
        let a = app.token(&app.supervisor).await;
        assert_eq!(ids_found(&app, &a, "1").await, vec![sokha.clone()]);
        assert!(ids_found(&app, &a, "on-000001").await.is_empty());
        // The other organisation's worker finds her own child by the same digits, never ours.
        assert_eq!(ids_found(&app, &x, "000001").await, vec![theirs.clone()]);
        assert!(ids_found(&app, &x, "TN-000001").await.is_empty());

        // The children page finds her too, and counts what it found.
        let (c, _) = app.login("worker").await;
        let page = c.get(app.url("/children?q=tn-000001")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("/children/{sokha}")) && !page.contains(&format!("/children/{dara}")));
    })
    .await;
}

fn kim(family_km: &str) -> Value {
    json!({"family_name_km": family_km, "given_name_km": "ដារា", "sex": "male", "date_of_birth": "2014-06-01", "village_code": "02020101"})
}

#[tokio::test]
async fn a_khmer_name_is_found_and_flagged_across_confusable_vowels() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let id = register(&app, &w, kim("គឹម")).await["id"].as_str().unwrap().to_string();
        for q in ["គីម ដារា", "គីមដារា", "គឹម ដារា", "គីម"] {
            assert_eq!(ids_found(&app, &w, q).await, vec![id.clone()], "query {q}");
        }

        // The duplicate check at registration flags គីម ដារា as the same child.
        let found: Value = app.api_post(&w, "/api/v1/children/duplicate-check", kim("គីម")).await.json().await.unwrap();
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{found}");
        assert_eq!(items[0]["same_org"], true);
        assert_eq!(items[0]["child"]["id"], id.as_str(), "{found}");
        let (c, csrf) = app.login("worker").await;
        let form = [
            ("_csrf", csrf.as_str()),
            ("family_name_km", "គីម"),
            ("given_name_km", "ដារា"),
            ("sex", "male"),
            ("date_of_birth", "2014-06-01"),
            ("village_pick", "02020101"),
            ("save", "1"),
        ];
        let res = c.post(app.url("/children")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200, "not saved: the worker is asked first");
        let page = res.text().await.unwrap();
        assert!(page.contains(&format!("/children/{id}")) && page.contains("name=\"confirm_new\""));
    })
    .await;
}

#[tokio::test]
async fn keys_saved_before_the_vowel_fold_are_made_again_at_start() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let id = register(&app, &w, kim("គឹម")).await["id"].as_str().unwrap().to_string();
        // The keys an older version saved: Khmer keys without the vowel fold.
        let old = format!(
            " {} {} {}{}",
            krousar_match::khmer_key("គឹម"),
            krousar_match::khmer_key("ដារា"),
            krousar_match::khmer_key("គឹម"),
            krousar_match::khmer_key("ដារា")
        );
        sqlx::query("UPDATE child_search SET keys = $1").bind(old).execute(app.store.pool()).await.unwrap();
        sqlx::query("DELETE FROM settings WHERE key = 'search_keys_version'").execute(app.store.pool()).await.unwrap();
        assert!(ids_found(&app, &w, "គីម ដារា").await.is_empty(), "stale keys miss her");

        assert!(app.store.ensure_search_keys().await.unwrap(), "an unversioned database is rebuilt");
        assert_eq!(ids_found(&app, &w, "គីម ដារា").await, vec![id.clone()]);
        assert_eq!(ids_found(&app, &w, "គឹម").await, vec![id.clone()]);
        assert_eq!(app.store.search_keys_version().await.unwrap(), Some(krousar_match::KEYS_VERSION));
        assert!(!app.store.ensure_search_keys().await.unwrap(), "once");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'search.keys_rebuilt'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 1, "the rebuild is audited");
    })
    .await;
}

/// Across scripts (issue 22): a Khmer query finds a child whose name was written only in Latin
/// letters and a romanised query one written only in Khmer, for a worker (her caseload, tested
/// record by record) and a manager (the organisation, through the index), never another
/// organisation's.
#[tokio::test]
async fn a_name_written_in_one_script_is_found_from_the_other() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let latin_only = json!({"given_name_latin": "Sokha", "family_name_latin": "Chan", "sex": "female", "date_of_birth": "2014-06-01"});
        let latin_only = register(&app, &w, latin_only).await["id"].as_str().unwrap().to_string();
        let khmer_only = json!({"given_name_km": "ដារា", "family_name_km": "កែវ", "sex": "male", "date_of_birth": "2013-02-01"});
        let khmer_only = register(&app, &w, khmer_only).await["id"].as_str().unwrap().to_string();
        let x = app.token(&app.other_worker).await;
        let theirs = json!({"given_name_latin": "Sokha", "family_name_latin": "Chan", "sex": "female", "date_of_birth": "2014-06-01"});
        let theirs = register(&app, &x, theirs).await["id"].as_str().unwrap().to_string();
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let manager =
            app.store.create_user(Who::system(), app.worker.org_id, None, "manager", "Manager", Role::Manager, &hash, "en").await.unwrap();
        let m = app.token(&manager).await;
        for token in [&w, &m] {
            assert_eq!(ids_found(&app, token, "សុខា").await, vec![latin_only.clone()], "Khmer query, Latin-only record");
            assert_eq!(ids_found(&app, token, "ចាន់ សុខា").await, vec![latin_only.clone()]);
            assert_eq!(ids_found(&app, token, "dara").await, vec![khmer_only.clone()], "romanised query, Khmer-only record");
            assert_eq!(ids_found(&app, token, "Keo Dara").await, vec![khmer_only.clone()]);
            assert!(ids_found(&app, token, "ស្រីពៅ").await.is_empty(), "no one of that name");
        }
        assert_eq!(ids_found(&app, &x, "សុខា").await, vec![theirs], "the other organisation finds only its own");
    })
    .await;
}
