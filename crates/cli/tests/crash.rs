//! Nothing acknowledged is lost: clients register children concurrently while the server is
//! killed with SIGKILL again and again. After each round, every child whose creation was
//! answered 201 is in the database with its audit entry and its search keys (one transaction,
//! so never one without the others), the audit chain verifies, and SQLite passes its integrity
//! check. Runs on SQLite, and on PostgreSQL when `KROUSAR_TEST_POSTGRES_URL` is set. The rounds
//! are few here (CI); `KROUSAR_CRASH_ROUNDS=50` runs the long version.

mod common;

use common::{ok as krousar, postgres_database, serve};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_the_server_being_killed() {
    let rounds: usize = std::env::var("KROUSAR_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(4);
    let dir = std::env::temp_dir().join(format!("krousar-crash-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs = vec![format!("sqlite://{}", dir.join("crash.db").display())];
    dbs.extend(postgres_database("krousar_crash").await);
    for db in dbs {
        krousar(&db, &["migrate"], "");
        krousar(&db, &["org", "add", "--name", "Crash NGO", "--kind", "ngo"], "");
        krousar(
            &db,
            &["user", "add", "--org", "Crash NGO", "--username", "crashworker", "--role", "social-worker", "--team", "T"],
            "a long enough password\n",
        );
        let token = krousar(&db, &["token", "create", "--username", "crashworker"], "");
        let acked: Arc<Mutex<BTreeSet<String>>> = Arc::default();
        let mut sent = 0usize;
        for round in 0..rounds {
            let port = 20000 + (std::process::id() as u16 % 5000) + round as u16;
            let (mut server, base) = serve(&db, &dir.join("files"), port).await;
            let mut clients = Vec::new();
            for client in 0..8 {
                let (base, token, acked) = (base.clone(), token.clone(), acked.clone());
                clients.push(tokio::spawn(async move {
                    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
                    let mut tried = 0;
                    for i in 0.. {
                        tried += 1;
                        let body = serde_json::json!({"given_name_latin": format!("R{round}c{client}n{i}"), "family_name_latin": "Crash", "sex": "female", "estimated_birth_year": 2015, "confirmed_new": true});
                        match http.post(format!("{base}/api/v1/children")).bearer_auth(&token).json(&body).send().await {
                            Ok(r) if r.status() == 201 => {
                                let v: serde_json::Value = match r.json().await {
                                    Ok(v) => v,
                                    Err(_) => break, // killed while answering: not acknowledged
                                };
                                acked.lock().unwrap().insert(v["id"].as_str().unwrap().to_string());
                            }
                            Ok(r) => panic!("unexpected answer {}", r.status()),
                            Err(_) => break, // the server is gone
                        }
                    }
                    tried
                }));
            }
            // Let the writes run for a while, then kill the server in the middle of them.
            tokio::time::sleep(Duration::from_millis(400 + (round as u64 * 173) % 700)).await;
            server.0.kill().unwrap(); // SIGKILL
            server.0.wait().unwrap();
            for c in clients {
                sent += c.await.unwrap();
            }
        }
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() > 20, "the clients got writes through: {}", acked.len());
        // Everything acknowledged is there, with its audit entry and search keys.
        let store = krousar_store::Store::connect(&db).await.unwrap();
        let ids: BTreeSet<String> =
            sqlx::query_scalar("SELECT id FROM children").fetch_all(store.pool()).await.unwrap().into_iter().collect();
        let missing: Vec<&String> = acked.difference(&ids).collect();
        assert!(missing.is_empty(), "acknowledged but lost after SIGKILL: {missing:?}");
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'child.create'").fetch_one(store.pool()).await.unwrap();
        let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM child_search").fetch_one(store.pool()).await.unwrap();
        assert_eq!((audited, keys), (ids.len() as i64, ids.len() as i64), "every child has its audit entry and keys, nothing half-written");
        if db.starts_with("sqlite") {
            let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap();
            assert_eq!(check, "ok");
        }
        store.close().await;
        assert!(krousar(&db, &["audit", "verify"], "").contains("intact"));
        eprintln!("{db}: {rounds} kills, {sent} requests sent, {} acknowledged, {} stored", acked.len(), ids.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
