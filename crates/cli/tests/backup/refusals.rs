//! What a restore refuses before replacing anything (issue 20, item 8): a clear backup when a
//! passphrase is given, an edited header, another installation's backup over this one, and
//! sealed records whose key the key file no longer holds — on SQLite and PostgreSQL.

use super::common::{postgres_database, run};
use super::{digests, ok};
use std::path::Path;

/// Seal one more child's sensitive information with the key file's current key, as the server
/// does; how many sealed records there are.
async fn seal_one(db: &str, key_file: &Path) -> i64 {
    let keys = krousar_store::keyring::Keyring::open(key_file).unwrap();
    let s = krousar_store::Store::connect(db).await.unwrap();
    let child: String = sqlx::query_scalar("SELECT id FROM children WHERE id NOT IN (SELECT child_id FROM child_sensitive) LIMIT 1")
        .fetch_one(s.pool())
        .await
        .unwrap();
    let (key_id, sealed) = keys.seal(&child, b"{}").unwrap();
    sqlx::query(
        "INSERT INTO child_sensitive (child_id, key_id, sealed, version, updated_at) VALUES ($1, $2, $3, 1, '2026-01-01T00:00:00Z')",
    )
    .bind(child)
    .bind(key_id)
    .bind(sealed)
    .execute(s.pool())
    .await
    .unwrap();
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM child_sensitive").fetch_one(s.pool()).await.unwrap();
    s.close().await;
    n
}

/// Whether the database at `url` exists (a refused restore into a new target creates none).
async fn exists(url: &str) -> bool {
    match url.strip_prefix("sqlite://") {
        Some(path) => Path::new(path).exists(),
        None => {
            let (head, name) = url.rsplit_once('/').unwrap();
            let admin = krousar_store::Store::connect(&format!("{head}/postgres")).await.unwrap();
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1").bind(name).fetch_one(admin.pool()).await.unwrap();
            admin.close().await;
            n > 0
        }
    }
}

/// `krousar restore` that must be refused, saying `why`.
fn refused(db: &str, args: &[&str], why: &str) {
    let out = run(db, args, "");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} was accepted");
    assert!(said.contains(why), "{args:?}: {said}");
}

/// `src` and `other` exist (two installations); `fresh(n)` names a database that does not.
async fn refusals(src: &str, other: &str, fresh: impl Fn(u32) -> String, dir: &Path) {
    let (ka, kb) = (dir.join("a.keys"), dir.join("b.keys"));
    let (ka, kb) = (ka.to_str().unwrap(), kb.to_str().unwrap());
    ok(src, &["--key-file", ka, "migrate"]);
    ok(src, &["org", "add", "--name", "Source NGO", "--kind", "ngo"]);
    ok(src, &["gen-data", "--children", "20", "--cases", "2"]);
    let sealed = seal_one(src, Path::new(ka)).await;
    ok(other, &["--key-file", kb, "migrate"]);
    ok(other, &["org", "add", "--name", "Other NGO", "--kind", "ngo"]);
    let before = digests(other).await;
    let pass = dir.join("pass");
    std::fs::write(&pass, "a long backup passphrase\n").unwrap();
    let pass = pass.to_str().unwrap();

    // A clear backup where an encrypted one was expected.
    let clear = dir.join("clear.kbak");
    ok(src, &["backup", clear.to_str().unwrap()]);
    let target = fresh(1);
    refused(&target, &["--key-file", ka, "restore", clear.to_str().unwrap(), "--passphrase-file", pass], "not encrypted");
    assert!(!exists(&target).await, "nothing restored");

    // An edited header: the encryption binds it.
    let file = dir.join("sealed.kbak");
    assert!(ok(src, &["backup", file.to_str().unwrap(), "--passphrase-file", pass]).contains("installation"));
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8_lossy(&bytes[..bytes.iter().position(|b| *b == b'{').unwrap() + 200]).into_owned();
    let year = text.find("\"created_at\":\"").unwrap() + "\"created_at\":\"".len();
    let mut edited = bytes.clone();
    edited[year + 3] = if edited[year + 3] == b'1' { b'2' } else { b'1' };
    let edited_file = dir.join("edited.kbak");
    std::fs::write(&edited_file, &edited).unwrap();
    refused(&target, &["--key-file", ka, "restore", edited_file.to_str().unwrap(), "--passphrase-file", pass], "changed");
    assert!(!exists(&target).await, "nothing restored");

    // Another installation's backup over this one's database: refused, even to check, unless said.
    let args = ["--key-file", ka, "restore", file.to_str().unwrap(), "--passphrase-file", pass];
    refused(other, &args, "--other-installation");
    refused(other, &[&args[..], &["--check"]].concat(), "--other-installation");
    assert_eq!(digests(other).await, before, "the other installation's database unchanged");
    if let Some(path) = other.strip_prefix("sqlite://") {
        let dir = Path::new(path).parent().unwrap();
        assert!(std::fs::read_dir(dir).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().contains("before-restore")));
    }
    // Into a new database it is fine, and with the flag too.
    assert!(ok(&fresh(2), &args).contains("header is authenticated"));
    ok(other, &[&args[..], &["--other-installation"]].concat());
    assert_eq!(digests(other).await, digests(src).await);

    // Sealed records whose key was retired since the backup.
    let old = std::fs::read_to_string(ka).unwrap().lines().find(|l| !l.starts_with('#')).unwrap().split(' ').next().unwrap().to_string();
    ok(src, &["--key-file", ka, "keys", "rotate"]);
    ok(src, &["--key-file", ka, "keys", "retire", &old]);
    let target = fresh(3);
    refused(&target, &args, &format!("{old} ({sealed} records)"));
    assert!(!exists(&target).await, "nothing restored");
    // With the key file of the other installation (none of these keys), the same.
    refused(&target, &["--key-file", kb, "restore", file.to_str().unwrap(), "--passphrase-file", pass], "records");
    assert!(!exists(&target).await, "nothing restored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_refuses_what_it_cannot_trust_and_replaces_nothing() {
    let dir = std::env::temp_dir().join(format!("krousar-restore-refusals-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(dir.join("other")).unwrap();
    let url = |name: &str| format!("sqlite://{}", dir.join(name).display());
    refusals(&url("source.db"), &url("other/other.db"), |n| url(&format!("fresh{n}.db")), &dir).await;
    if let (Some(src), Some(other)) = (postgres_database("krousar_rs").await, postgres_database("krousar_ro").await) {
        let pg = dir.join("pg");
        std::fs::create_dir_all(&pg).unwrap();
        refusals(&src, &other, |n| format!("{src}_f{n}"), &pg).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
