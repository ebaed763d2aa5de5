//! `krousar copy --to`: a SQLite installation moved into PostgreSQL (or into another SQLite
//! file where no PostgreSQL runs) with its attached files; every table checked on both sides;
//! the copy serves the same child and photo, finds her by name, and passes `krousar check`.
//! A target that already holds records is refused and left as it was.

mod common;

use common::{add_photo, ok, postgres_database, register_child, run, serve, signed_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moves_to_another_engine_whole() {
    let dir = std::env::temp_dir().join(format!("krousar-copy-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    let files = dir.join("files");
    ok(&db, &["migrate"], "");
    ok(&db, &["org", "add", "--name", "Copy NGO", "--kind", "ngo"], "");
    ok(
        &db,
        &["user", "add", "--org", "Copy NGO", "--username", "cworker", "--role", "social-worker", "--team", "T"],
        "a long enough password\n",
    );
    let port = 24000 + (std::process::id() % 4000) as u16;
    let (server, base) = serve(&db, &files, port).await;
    let (c, csrf) = signed_in(&base, "cworker").await;
    let child = register_child(&c, &base, &csrf, ["Bopha", "Meas", "បុប្ផា", "មាស"], "female", "11").await;
    add_photo(&c, &base, &csrf, &child, [90, 10, 200]).await;
    let photo = c.get(format!("{base}{child}/photo?size=full")).send().await.unwrap().bytes().await.unwrap();
    drop(server);

    let target = match postgres_database("krousar_copy").await {
        Some(pg) => pg,
        None => format!("sqlite://{}", dir.join("copy.db").display()),
    };
    let out = ok(&db, &["copy", "--to", &target, "--files-dir", files.to_str().unwrap()], "");
    assert!(out.contains("every table was counted and digested on both sides and agrees"), "{out}");
    assert!(out.contains("and 1 attached files") || out.contains("and 2 attached files"), "the photo's files went along: {out}");

    // Copying again into the copy is refused: it holds records now.
    let again = run(&db, &["copy", "--to", &target], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds records"));

    // The copy, with an empty files directory, serves everything.
    let key_file = dir.join("krousar.keys");
    let check = common::krousar(&target).env("KROUSAR_KEY_FILE", &key_file).env("KROUSAR_LOG", "warn").arg("check").output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    std::fs::remove_dir_all(&files).unwrap();
    let (_server, base) = serve(&target, &dir.join("empty-files"), port + 1).await;
    let (c, _) = signed_in(&base, "cworker").await;
    let page = c.get(format!("{base}{child}")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("បុប្ផា"), "the child is there");
    let res = c.get(format!("{base}{child}/photo?size=full")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap(), photo, "the same photo");
    let found = c.get(format!("{base}/children?q=bopha")).send().await.unwrap().text().await.unwrap();
    assert!(found.contains(&child), "the name search was made again on the copy");
    let _ = std::fs::remove_dir_all(&dir);
}
