//! The `krousar` commands as an administrator runs them, on a fresh SQLite database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn krousar(db: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_krousar"))
        .env("KROUSAR_DATABASE_URL", db)
        .env("KROUSAR_LOG", "warn")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn an_administrator_sets_up_krousar_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("krousar-cli-{}", std::process::id()));
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
    let tampered = tamper_with_audit_log(&dir.join("k.db"));
    assert!(tampered);
    let broken = krousar(&db, &["audit", "verify"], "");
    assert_eq!(broken.status.code(), Some(1));
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
