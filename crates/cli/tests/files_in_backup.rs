//! A SQLite backup is the whole installation: the attached files of the files directory go into
//! it. A machine that lost both the database and the files directory is whole again from the
//! backup alone: the restored copy serves the child's photo from its database.

mod common;

use common::{add_photo, ok, register_child, serve, signed_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_carries_the_files_and_a_restored_copy_serves_them() {
    let dir = std::env::temp_dir().join(format!("krousar-files-backup-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    let files = dir.join("files");
    ok(&db, &["migrate"], "");
    ok(&db, &["org", "add", "--name", "Files NGO", "--kind", "ngo"], "");
    ok(
        &db,
        &["user", "add", "--org", "Files NGO", "--username", "fworker", "--role", "social-worker", "--team", "T"],
        "a long enough password\n",
    );
    let port = 26000 + (std::process::id() % 4000) as u16;

    let (server, base) = serve(&db, &files, port).await;
    let (c, csrf) = signed_in(&base, "fworker").await;
    let child = register_child(&c, &base, &csrf, ["Dara", "Keo", "ដារា", "កែវ"], "male", "8").await;
    add_photo(&c, &base, &csrf, &child, [10, 160, 90]).await;
    let before = c.get(format!("{base}{child}/photo?size=full")).send().await.unwrap().bytes().await.unwrap();
    drop(server);
    assert!(std::fs::read_dir(&files).unwrap().count() > 0, "with SQLite the photo is in the files directory");

    let out = dir.join("whole.kbak");
    ok(&db, &["backup", out.to_str().unwrap(), "--files-dir", files.to_str().unwrap()], "");
    // The disk is lost: the database and every attached file.
    std::fs::remove_dir_all(&files).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", dir.join("k.db").display()));
    }
    ok(&db, &["restore", out.to_str().unwrap()], "");

    let (_server, base) = serve(&db, &files, port + 1).await;
    let (c, _) = signed_in(&base, "fworker").await;
    let res = c.get(format!("{base}{child}/photo?size=full")).send().await.unwrap();
    assert_eq!(res.status(), 200, "the restored copy serves the photo from the backup");
    assert_eq!(res.bytes().await.unwrap(), before, "the same bytes");
    let _ = std::fs::remove_dir_all(&dir);
}
