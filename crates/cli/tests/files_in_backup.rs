//! A SQLite backup is the whole installation: the attached files of the files directory go into
//! it. A machine that lost both the database and the files directory is whole again from the
//! backup alone: the restored copy serves the child's photo from its database.

mod common;

use common::{ok, serve};

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form") + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

async fn signed_in(base: &str) -> (reqwest::Client, String) {
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = c.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let form = [("_csrf", csrf_of(&page)), ("username", "fworker".into()), ("password", "a long enough password".into())];
    assert_eq!(c.post(format!("{base}/login")).form(&form).send().await.unwrap().status(), 303);
    let csrf = csrf_of(&c.get(format!("{base}/account")).send().await.unwrap().text().await.unwrap());
    (c, csrf)
}

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
    let (c, csrf) = signed_in(&base).await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("given_name_latin", "Dara"),
        ("family_name_latin", "Keo"),
        ("given_name_km", "ដារា"),
        ("family_name_km", "កែវ"),
        ("sex", "male"),
        ("estimated_age", "8"),
        ("save", "1"),
    ];
    let res = c.post(format!("{base}/children")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let child = res.headers()["location"].to_str().unwrap().to_string();
    let mut png = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb([10, 160, 90]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let upload =
        reqwest::multipart::Form::new().text("_csrf", csrf.clone()).part("file", reqwest::multipart::Part::bytes(png).file_name("p.png"));
    assert_eq!(c.post(format!("{base}{child}/photo")).multipart(upload).send().await.unwrap().status(), 303);
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
    let (c, _) = signed_in(&base).await;
    let res = c.get(format!("{base}{child}/photo?size=full")).send().await.unwrap();
    assert_eq!(res.status(), 200, "the restored copy serves the photo from the backup");
    assert_eq!(res.bytes().await.unwrap(), before, "the same bytes");
    let _ = std::fs::remove_dir_all(&dir);
}
