//! The `krousar` commands as an administrator runs them, on a fresh SQLite database.

#[path = "../../store/tests/support/chain_attacker.rs"]
mod chain_attacker;
mod common;

use common::run as krousar;
use std::process::Output;

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn an_administrator_sets_up_krousar_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("krousar-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    let out = krousar(&db, &["migrate"], "");
    assert!(out.status.success());
    assert!(text(&out).contains("16463 places"), "{}", text(&out));
    assert!(krousar(&db, &["org", "add", "--name", "Family First", "--kind", "ngo"], "").status.success());
    assert!(!krousar(&db, &["org", "add", "--name", "X", "--kind", "club"], "").status.success(), "unknown kind refused");
    // The password comes from standard input and must be long enough.
    assert!(!krousar(&db, &["user", "add", "--org", "Family First", "--username", "sokha", "--role", "social-worker"], "short\n")
        .status
        .success());
    let out = krousar(
        &db,
        &["user", "add", "--org", "Family First", "--username", "sokha", "--role", "social-worker", "--team", "North"],
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = text(&krousar(&db, &["token", "create", "--username", "sokha"], "")).trim().to_string();
    assert!(token.starts_with("krt_") && token.len() == 68);
    // gen-data, then the audit chain verifies; after tampering it does not.
    assert!(krousar(&db, &["gen-data", "--children", "50"], "").status.success());
    let ok = krousar(&db, &["audit", "verify"], "");
    assert!(ok.status.success() && text(&ok).contains("intact"));
    // Each intact verify signs a checkpoint beside the key file, which the next one checks.
    assert!(dir.join("krousar.audit-anchor").exists());
    let again = krousar(&db, &["audit", "verify"], "");
    assert!(text(&again).contains("1 signed checkpoints checked"), "{}", text(&again));
    let tampered = tamper_with_audit_log(&dir.join("k.db"));
    assert!(tampered);
    let broken = krousar(&db, &["audit", "verify"], "");
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("BROKEN at entry 2"));
    // Someone who can write the database goes further: deletes an entry and recomputes every
    // later link and the head, so that the chain holds together again. The checkpoint signed
    // outside the database by the first verify does not match it.
    recompute_without(&dir.join("k.db"), 3);
    let recomputed = krousar(&db, &["audit", "verify"], "");
    assert_eq!(recomputed.status.code(), Some(1), "{}", text(&recomputed));
    assert!(String::from_utf8_lossy(&recomputed.stderr).contains("the signed checkpoint at entry"));
}

/// The attacker with the database file (the store's tests share it): delete audit entry `gone`
/// and recompute the chain after it.
fn recompute_without(path: &std::path::Path, gone: i64) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = krousar_store::Store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        chain_attacker::recompute_without(&store, gone).await;
    });
}

/// Change an audit entry behind Krousar's back (dropping the append-only trigger first), with
/// the store's own connection.
fn tamper_with_audit_log(path: &std::path::Path) -> bool {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = krousar_store::Store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update").execute(store.pool()).await.unwrap();
        sqlx::query("UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 2").execute(store.pool()).await.unwrap().rows_affected()
            == 1
    })
}

/// The key file: `migrate` creates it and seals the disability notes an older version kept in
/// clear; `keys rotate` re-seals everything with a new key; an old key is retired only once
/// nothing uses it; what was sealed still opens with the file alone.
#[test]
fn sensitive_information_survives_a_key_rotation() {
    let dir = std::env::temp_dir().join(format!("krousar-cli-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    let key_file = dir.join("krousar.keys");
    assert!(krousar(&db, &["migrate"], "").status.success());
    assert!(key_file.exists(), "created beside the database");
    assert!(krousar(&db, &["gen-data", "--children", "3"], "").status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = || async { krousar_store::Store::connect(&db).await.unwrap() };
    let ids: Vec<String> = rt.block_on(async {
        let s = store().await;
        // As an older Krousar kept it: in clear on the child.
        sqlx::query("UPDATE children SET disability_note = 'LEGACY-NOTE: uses crutches'").execute(s.pool()).await.unwrap();
        // And a second-step secret (issue 20), also in clear.
        sqlx::query("UPDATE users SET totp_secret = 'LEGACYTOTPSECRET' WHERE id = (SELECT MIN(id) FROM users)")
            .execute(s.pool())
            .await
            .unwrap();
        sqlx::query_scalar("SELECT id FROM children ORDER BY id").fetch_all(s.pool()).await.unwrap()
    });
    assert!(krousar(&db, &["migrate"], "").status.success());
    let first_key = status_keys(&db);
    assert_eq!(first_key.len(), 1);
    assert_eq!(first_key[0].1, 4, "the three notes and the second-step secret are sealed");

    let out = krousar(&db, &["keys", "rotate"], "");
    assert!(out.status.success() && text(&out).contains("re-sealed 4 records"), "{}", text(&out));
    let keys = status_keys(&db);
    assert_eq!(keys.len(), 2);
    assert_eq!((keys[0].1, keys[1].1), (0, 4), "everything under the new key");
    assert!(!krousar(&db, &["keys", "retire", &keys[1].0], "").status.success(), "the current key stays");
    assert!(krousar(&db, &["keys", "retire", &keys[0].0], "").status.success());
    assert_eq!(status_keys(&db).len(), 1);

    rt.block_on(async {
        let s = store().await;
        let clear: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM children WHERE disability_note IS NOT NULL").fetch_one(s.pool()).await.unwrap();
        assert_eq!(clear, 0, "nothing left in clear");
        let raw: Vec<String> = sqlx::query_scalar("SELECT sealed FROM child_sensitive").fetch_all(s.pool()).await.unwrap();
        assert!(raw.iter().all(|r| !r.contains("LEGACY")));
        let totp: Vec<String> =
            sqlx::query_scalar("SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL").fetch_all(s.pool()).await.unwrap();
        assert!(totp.len() == 1 && !totp[0].contains("LEGACY"), "the second-step secret is sealed: {totp:?}");
        // Opened with nothing but the key file, as a new server would.
        let ring = krousar_store::keyring::Keyring::open(&key_file).unwrap();
        let row: (String, String) = sqlx::query_as("SELECT key_id, sealed FROM child_sensitive WHERE child_id = $1")
            .bind(&ids[0])
            .fetch_one(s.pool())
            .await
            .unwrap();
        let plain = String::from_utf8(ring.open_sealed(&row.0, &ids[0], &row.1).unwrap()).unwrap();
        assert!(plain.contains("LEGACY-NOTE: uses crutches"), "{plain}");
    });
}

/// `keys status` as (key id, records sealed), oldest first.
fn status_keys(db: &str) -> Vec<(String, i64)> {
    let out = krousar(db, &["keys", "status"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    text(&out)
        .lines()
        .skip(1)
        .map(|l| {
            let mut parts = l.split('\t');
            let id = parts.next().unwrap().to_string();
            let n = parts.next().unwrap().trim_end_matches(" records").parse().unwrap();
            (id, n)
        })
        .collect()
}

/// `gen-data --orgs`: organisations with their teams and users, a ministry, RCIs, and children
/// shared out between the workers, those in an RCI with their stay recorded.
#[test]
fn a_synthetic_nation_has_organisations_users_rcis_and_stays() {
    let dir = std::env::temp_dir().join(format!("krousar-nation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("n.db").display());
    let out = krousar(&db, &["gen-data", "--orgs", "2", "--children", "400", "--data-dir", dir.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = krousar_store::Store::connect(&db).await.unwrap();
        let n = |sql: &'static str| {
            let pool = store.pool().clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
        };
        assert_eq!(n("SELECT COUNT(*) FROM organisations").await, 3, "two organisations and the ministry");
        assert_eq!(n("SELECT COUNT(*) FROM users").await, 2 * 50 + 2, "with the ministry's user and a system administrator");
        assert_eq!(n("SELECT COUNT(*) FROM teams").await, 10);
        assert_eq!(n("SELECT COUNT(*) FROM children").await, 400);
        assert_eq!(n("SELECT COUNT(DISTINCT assigned_worker_id) FROM children").await, 80, "every worker has a caseload");
        assert_eq!(n("SELECT COUNT(*) FROM rcis").await, 4);
        assert!(n("SELECT COUNT(*) FROM residence_periods").await > 10);
        assert_eq!(
            n("SELECT COUNT(*) FROM children c WHERE c.living_arrangement = 'in_rci' AND NOT EXISTS (SELECT 1 FROM residence_periods p WHERE p.child_id = c.id AND p.rci_id = c.rci_id)").await,
            0,
            "every child in an RCI has its stay there"
        );
        assert_eq!(n("SELECT COUNT(DISTINCT household_id) FROM household_children").await, 400, "a household for every child");
        store.close().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--log-format json`: every log line is one JSON object a log collector can read.
#[test]
fn logs_can_be_json_lines() {
    let dir = std::env::temp_dir().join(format!("krousar-json-log-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    // The first migration makes the key file, and says so (a warning).
    let out = krousar(&db, &["--log-format", "json", "migrate"], "");
    assert!(out.status.success(), "{}", text(&out));
    let logged = String::from_utf8_lossy(&out.stderr).to_string();
    let lines: Vec<&str> = logged.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "the key file's warning");
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["fields"]["message"].is_string(), "{line}");
    }
}
