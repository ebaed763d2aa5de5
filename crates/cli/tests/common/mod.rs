//! What the command-line tests share: running `krousar` as an administrator would, starting a
//! real server, and a fresh PostgreSQL database when `KROUSAR_TEST_POSTGRES_URL` is set.
#![allow(dead_code)] // each test file uses its own part

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// `krousar` for the database `db`. An SQLite database has its key file (and audit anchor)
/// beside it; a PostgreSQL one would share `./krousar.keys` with every other test database, whose
/// signed audit checkpoints would then contradict its chain: each gets its own, named after it.
pub fn krousar(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_krousar"));
    c.env("KROUSAR_DATABASE_URL", db);
    if !db.starts_with("sqlite:") {
        let name = db.rsplit('/').next().unwrap_or("db");
        let dir = std::env::temp_dir().join(format!("krousar-keys-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        c.env("KROUSAR_KEY_FILE", dir.join("krousar.keys"));
    }
    c
}

/// Run `krousar` with `db`, feeding `stdin`.
pub fn run(db: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = krousar(db)
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

/// Run `krousar`, which must succeed; its standard output, trimmed.
pub fn ok(db: &str, args: &[&str], stdin: &str) -> String {
    let out = run(db, args, stdin);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A `krousar serve`, killed (SIGKILL) when dropped or by hand.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start a server on 127.0.0.1:`port` and wait until it answers; its base URL.
pub async fn serve(db: &str, files: &std::path::Path, port: u16) -> (Server, String) {
    let server = Server(
        krousar(db)
            .env("KROUSAR_LOG", "error")
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--files-dir"])
            .arg(files)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return (server, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

/// A new, empty PostgreSQL database named after `prefix`, when a test server is configured.
pub async fn postgres_database(prefix: &str) -> Option<String> {
    let pg = std::env::var("KROUSAR_TEST_POSTGRES_URL").ok()?;
    let name = format!("{prefix}_{}", &uuid::Uuid::now_v7().simple().to_string()[16..]);
    let admin = krousar_store::Store::connect(&pg).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await.unwrap();
    admin.close().await;
    Some(format!("{}/{name}", pg.rsplit_once('/').unwrap().0))
}

/// The CSRF token of a page's form.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form") + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// A browser-like client signed in at `base` as `username` (password "a long enough password"),
/// and its CSRF token.
pub async fn signed_in(base: &str, username: &str) -> (reqwest::Client, String) {
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = c.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let form = [("_csrf", csrf_of(&page)), ("username", username.into()), ("password", "a long enough password".into())];
    assert_eq!(c.post(format!("{base}/login")).form(&form).send().await.unwrap().status(), 303);
    let csrf = csrf_of(&c.get(format!("{base}/account")).send().await.unwrap().text().await.unwrap());
    (c, csrf)
}

/// Register a child through the page (names: Latin given, Latin family, Khmer given, Khmer
/// family); the child's address (`/children/ID`).
pub async fn register_child(c: &reqwest::Client, base: &str, csrf: &str, names: [&str; 4], sex: &str, age: &str) -> String {
    let [given, family, given_km, family_km] = names;
    let form = [
        ("_csrf", csrf),
        ("given_name_latin", given),
        ("family_name_latin", family),
        ("given_name_km", given_km),
        ("family_name_km", family_km),
        ("sex", sex),
        ("estimated_age", age),
        ("save", "1"),
    ];
    let res = c.post(format!("{base}/children")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    res.headers()["location"].to_str().unwrap().to_string()
}

/// Give the child at `child` a photo (a small PNG of one colour) through its page.
pub async fn add_photo(c: &reqwest::Client, base: &str, csrf: &str, child: &str, colour: [u8; 3]) {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb(colour)).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let upload = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .part("file", reqwest::multipart::Part::bytes(png).file_name("p.png"));
    let res = c.post(format!("{base}{child}/photo")).multipart(upload).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}
