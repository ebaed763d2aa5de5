//! Backups as an administrator makes them: while the server writes, encrypted or not; a
//! restore checks before replacing, keeps what it replaces, refuses a wrong passphrase or a
//! damaged file without touching anything, and gives back every table exactly (SQLite, and
//! PostgreSQL when `KROUSAR_TEST_POSTGRES_URL` is set).

mod common;
#[path = "backup/refusals.rs"]
mod refusals;

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
            let body = serde_json::json!({"given_name_latin": format!("Live{i}"), "family_name_latin": "Writer", "sex": "male", "estimated_birth_year": 2012, "confirmed_new": true});
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

#[cfg(unix)]
fn mode(p: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).ok().map(|m| m.permissions().mode() & 0o777)
}

fn is_clear_database(p: &Path) -> bool {
    std::fs::read(p).is_ok_and(|b| b.starts_with(b"SQLite format 3\0"))
}

/// Everything a backup made in `dir` is owner-only (files 0600, directories 0700), and no clear
/// database lies directly in it; whether a clear copy was seen (inside a private directory).
#[cfg(unix)]
fn assert_private(dir: &Path) -> bool {
    let mut seen = false;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            let Some(m) = mode(&p) else { continue };
            assert_eq!(m, 0o700, "{} is a directory others can enter", p.display());
            for f in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                if let Some(m) = mode(&f.path()) {
                    assert_eq!(m, 0o600, "{} can be read by others", f.path().display());
                    seen |= is_clear_database(&f.path());
                }
            }
        } else if let Some(m) = mode(&p) {
            assert_eq!(m, 0o600, "{} can be read by others", p.display());
            assert!(!is_clear_database(&p), "a clear copy of the database lies in the backup directory: {}", p.display());
        }
    }
    seen
}

/// What is in `dir` besides backup files.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".kbak"))
        .collect()
}

/// What a killed older Krousar left: a clear copy and a part file beside the backups.
fn plant_legacy(dir: &Path) {
    let id = uuid::Uuid::now_v7().simple().to_string();
    std::fs::write(dir.join(format!("old.kbak.snapshot-{id}")), b"SQLite format 3\0children").unwrap();
    std::fs::write(dir.join(format!("old.kbak.part-{id}")), b"KROUSAR-BACKUP-1\n").unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_backup_leaves_no_clear_copy_and_the_next_one_sweeps_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("krousar-backup-kill-{}", uuid::Uuid::now_v7()));
    let backups = dir.join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    std::fs::set_permissions(&backups, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = format!("sqlite://{}", dir.join("source.db").display());
    setup(&db).await;

    // A passphrase file others can read is named, with the fix.
    let pass = dir.join("pass");
    std::fs::write(&pass, "a long backup passphrase\n").unwrap();
    std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(&db, &["backup", backups.join("w.kbak").to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()], "");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.contains(pass.to_str().unwrap()) && said.contains("chmod 600"), "{said}");
    std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(&db, &["backup", backups.join("w2.kbak").to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()], "");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("chmod"), "no warning for a private file");

    // A failure midway (the backup cannot be put in place) leaves nothing.
    std::fs::create_dir(backups.join("taken.kbak")).unwrap();
    std::fs::set_permissions(backups.join("taken.kbak"), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(!run(&db, &["backup", backups.join("taken.kbak").to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()], "")
        .status
        .success());
    assert_private(&backups);
    assert_eq!(leftovers(&backups), Vec::<String>::new());
    std::fs::remove_dir(backups.join("taken.kbak")).unwrap();

    // Killed while its clear copy exists: that copy is private while it lives, and only there.
    let mut child = common::Server(
        common::krousar(&db)
            .args(["backup", backups.join("a.kbak").to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = std::time::Instant::now();
    loop {
        if assert_private(&backups) {
            break;
        }
        assert!(child.0.try_wait().unwrap().is_none(), "the backup ended before it could be interrupted");
        assert!(started.elapsed() < Duration::from_secs(120), "no clear copy seen");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    assert!(!backups.join("a.kbak").exists());
    assert!(!leftovers(&backups).is_empty(), "the killed backup left its private directory");
    assert_private(&backups);

    // The next backup sweeps what the killed one (and older versions) left.
    plant_legacy(&backups);
    assert_eq!(leftovers(&backups).len(), 3, "the killed backup's directory and two of an older version");
    ok(&db, &["backup", backups.join("b.kbak").to_str().unwrap(), "--passphrase-file", pass.to_str().unwrap()]);
    assert_eq!(leftovers(&backups), Vec::<String>::new());
    assert_private(&backups);

    // So does a server's scheduled backup.
    let sched = dir.join("scheduled");
    std::fs::create_dir_all(sched.join(".krousar-work-0190f3a1b2c34d5e8f90a1b2c3d4e5f6")).unwrap();
    std::fs::write(sched.join(".krousar-work-0190f3a1b2c34d5e8f90a1b2c3d4e5f6/lock"), "").unwrap();
    plant_legacy(&sched);
    let port = 25000 + (std::process::id() % 4000) as u16;
    let _server = common::Server(
        common::krousar(&db)
            .env("KROUSAR_LOG", "error")
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--backup-dir", sched.to_str().unwrap(), "--files-dir"])
            .arg(dir.join("files"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = std::time::Instant::now();
    while std::fs::read_dir(&sched).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().ends_with(".kbak")) {
        assert!(started.elapsed() < Duration::from_secs(120), "no scheduled backup");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The backup's own private directory goes a moment after its file appears (the file is
    // moved out of it first): wait for that, then nothing of the older ones may be left.
    let written = std::time::Instant::now();
    while !leftovers(&sched).is_empty() && written.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(leftovers(&sched), Vec::<String>::new());

    // PostgreSQL: pg_dump failing midway, having written part of its dump, leaves nothing.
    if let Some(src) = postgres_database("krousar_bkk").await {
        ok(&src, &["migrate"]);
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let fake = bin.join("pg_dump");
        let modes = dir.join("modes");
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --file ] && f=\"$2\"; shift; done\nprintf 'PGDMP children' > \"$f\"\nstat -c %a \"$f\" \"$(dirname \"$f\")\" > {}\nexit 1\n",
                modes.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let pgb = dir.join("pg-backups");
        std::fs::create_dir_all(&pgb).unwrap();
        let out = common::krousar(&src)
            .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
            .args(["backup", pgb.join("x.kbak").to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert_eq!(std::fs::read_to_string(&modes).unwrap().split_whitespace().collect::<Vec<_>>(), ["600", "700"], "the dump was private");
        assert_eq!(std::fs::read_dir(&pgb).unwrap().count(), 0, "nothing left of the failed dump");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
