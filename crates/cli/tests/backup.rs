//! Backups as an administrator makes them: while the server writes, encrypted or not; a
//! restore checks before replacing, keeps what it replaces, refuses a wrong passphrase or a
//! damaged file without touching anything, and gives back every table exactly (SQLite, and
//! PostgreSQL when `KROUSAR_TEST_POSTGRES_URL` is set).

mod common;

use common::{postgres_database, run, serve};
use std::path::Path;
use std::time::Duration;

fn ok(db: &str, args: &[&str]) -> String {
    common::ok(db, args, "")
}

async fn digests(url: &str) -> std::collections::BTreeMap<String, String> {
    let s = krousar_store::Store::connect(url).await.unwrap();
    let d = krousar_store::backup::table_digests(&s).await.unwrap();
    s.close().await;
    d
}

async fn setup(db: &str) {
    ok(db, &["migrate"]);
    ok(db, &["org", "add", "--name", "Backup NGO", "--kind", "ngo"]);
    let out = run(
        db,
        &["user", "add", "--org", "Backup NGO", "--username", "backupworker", "--role", "social-worker", "--team", "T"],
        "a long enough password\n",
    );
    assert!(out.status.success());
    ok(db, &["gen-data", "--children", "150", "--cases", "10"]);
}

async fn round_trip(db: &str, other: &str, dir: &Path) {
    let pass = dir.join("pass");
    std::fs::write(&pass, "a long backup passphrase\n").unwrap();
    let wrong = dir.join("wrong");
    std::fs::write(&wrong, "not the right passphrase\n").unwrap();
    let file = dir.join("one.kbak");
    let said = ok(db, &["backup", file.to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()]);
    assert!(said.contains("encrypted") && said.contains("150 children"), "{said}");
    // Encrypted: nothing of a child readable in the file.
    let bytes = std::fs::read(&file).unwrap();
    assert!(!bytes.windows(5).any(|w| w == b"Crash" || w == b"Sokha"), "no clear text");
    // A wrong passphrase, or a damaged file, is refused and nothing is created.
    assert!(!run(other, &["restore", file.to_str().unwrap(), "--passphrase-file", wrong.to_str().unwrap()], "").status.success());
    let mut damaged = bytes.clone();
    let at = damaged.len() - 100;
    damaged[at] ^= 1;
    let bad = dir.join("damaged.kbak");
    std::fs::write(&bad, &damaged).unwrap();
    let out = run(other, &["restore", bad.to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()], "");
    assert!(!out.status.success());
    if let Some(path) = other.strip_prefix("sqlite://") {
        assert!(!Path::new(path).exists(), "nothing restored from a refused backup");
    }
    // Checked, then restored: every table exactly as it was.
    assert!(ok(other, &["restore", file.to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap(), "--check"]).contains("checks out"));
    ok(other, &["restore", file.to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()]);
    let (a, b) = (digests(db).await, digests(other).await);
    assert!(a.len() > 40, "every table: {}", a.len());
    assert_eq!(a, b, "the restored database equals the source");
    // Restoring over a database keeps what it replaces.
    let again = ok(other, &["restore", file.to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()]);
    assert!(again.contains("kept as"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_every_table_and_a_bad_one_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("krousar-backup-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("source.db").display());
    setup(&db).await;
    round_trip(&db, &format!("sqlite://{}", dir.join("restored.db").display()), &dir).await;

    // While the server writes, a backup is still one consistent moment.
    let token = ok(&db, &["token", "create", "--username", "backupworker"]).trim().to_string();
    let port = 21000 + (std::process::id() % 4000) as u16;
    let (server, base) = serve(&db, &dir.join("files"), port).await;
    let writer = tokio::spawn(async move {
        let http = reqwest::Client::new();
        for i in 0..150 {
            let body = serde_json::json!({"given_name_latin": format!("Live{i}"), "family_name_latin": "Writer", "sex": "male", "estimated_birth_year": 2012});
            let r = http.post(format!("{base}/api/v1/children")).bearer_auth(&token).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 201);
        }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let live = dir.join("live.kbak");
    ok(&db, &["backup", live.to_str().unwrap()]);
    writer.await.unwrap();
    drop(server);
    let checked = ok(&format!("sqlite://{}", dir.join("check.db").display()), &["restore", live.to_str().unwrap(), "--check"]);
    assert!(checked.contains("checks out"), "{checked}");

    if let Some(src) = postgres_database("krousar_bk").await {
        setup(&src).await;
        round_trip(&src, &format!("{src}_copy"), &dir).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
