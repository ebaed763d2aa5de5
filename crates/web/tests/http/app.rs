//! A test application: a fresh database, a real server on an ephemeral port, seeded accounts.

use krousar_domain::choices::OrgKind;
use krousar_domain::Role;
use krousar_store::accounts::User;
use krousar_store::{Store, Who};
use std::future::Future;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub worker: User,
    pub supervisor: User,
    pub other_worker: User,
    pub admin: User,
    /// The key file that seals sensitive information and second-step secrets.
    pub key_file: std::path::PathBuf,
}

/// Database URLs to run each test against.
pub async fn databases() -> Vec<String> {
    let (sqlite, pg) = TEMPLATES.get_or_init(templates).await;
    let mut urls = Vec::new();
    let dir = std::env::temp_dir().join(format!("krousar-test-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    for ext in ["", "-wal", "-shm"] {
        let from = std::path::PathBuf::from(format!("{}{ext}", sqlite.display()));
        if from.exists() {
            std::fs::copy(&from, dir.join(format!("t.db{ext}"))).unwrap();
        }
    }
    urls.push(format!("sqlite://{}", dir.join("t.db").display()));
    if let (Ok(pg), Some(template)) = (std::env::var("KROUSAR_TEST_POSTGRES_URL"), pg) {
        let name = format!("krousar_t_{}", uuid::Uuid::now_v7().simple());
        let admin = Store::connect(&pg).await.expect("postgres reachable");
        // The template's last connections may take a moment to end after its pool closed.
        for attempt in 0.. {
            match sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}"))).execute(admin.pool()).await {
                Ok(_) => break,
                Err(e) if attempt < 100 && e.to_string().contains("being accessed by other users") => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await
                }
                Err(e) => panic!("copying the template database: {e}"),
            }
        }
        admin.close().await;
        let (head, _) = pg.rsplit_once('/').unwrap();
        urls.push(format!("{head}/{name}"));
    }
    urls
}

/// A migrated database holding the gazetteer, made once per test run on each engine and
/// copied for every test: migrating and importing sixteen thousand places again for each of a
/// hundred tests cost more than a minute. Each test still opens its copy with `Store::open`.
static TEMPLATES: tokio::sync::OnceCell<(std::path::PathBuf, Option<String>)> = tokio::sync::OnceCell::const_new();

async fn templates() -> (std::path::PathBuf, Option<String>) {
    let dir = std::env::temp_dir().join(format!("krousar-template-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.db");
    Store::open(&format!("sqlite://{}", file.display())).await.unwrap().close().await;
    let pg = match std::env::var("KROUSAR_TEST_POSTGRES_URL") {
        Ok(pg) => {
            let name = format!("krousar_tpl_{}", uuid::Uuid::now_v7().simple());
            let admin = Store::connect(&pg).await.expect("postgres reachable");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await.unwrap();
            admin.close().await;
            let (head, _) = pg.rsplit_once('/').unwrap();
            Store::open(&format!("{head}/{name}")).await.unwrap().close().await;
            Some(name)
        }
        Err(_) => None,
    };
    (file, pg)
}

/// Run `test` once per database.
pub async fn each_db<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for url in databases().await {
        eprintln!("-- on {}", url.split(':').next().unwrap_or(""));
        let files = files_dir();
        test(spawn_with_files(&url, files.clone()).await).await;
        // What the test left on disk goes with it (a developer's /tmp filled with thousands).
        let _ = std::fs::remove_dir_all(&files);
        if let Some(db) = url.strip_prefix("sqlite://").and_then(|p| std::path::Path::new(p).parent()) {
            let _ = std::fs::remove_dir_all(db);
        }
    }
}

fn files_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("krousar-files-{}", uuid::Uuid::now_v7()))
}

pub async fn spawn_with_files(url: &str, files: std::path::PathBuf) -> TestApp {
    let key_file = files.join("keys");
    let (keys, _) = krousar_store::keyring::Keyring::open_or_create(&key_file).unwrap();
    let store = Store::open(url).await.unwrap();
    // Files where `serve` keeps them: beside a SQLite database, in a PostgreSQL one.
    let store = if url.starts_with("sqlite:") { store.with_files(files) } else { store };
    let store = store.with_keys(keys);
    let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
    let ngo = store.create_org(Who::system(), "Test NGO", OrgKind::Ngo).await.unwrap();
    let other = store.create_org(Who::system(), "Other NGO", OrgKind::Ngo).await.unwrap();
    let team = store.create_team(Who::system(), ngo.id, "North").await.unwrap();
    let mk = |org, team, name: &'static str, role| {
        let store = store.clone();
        let hash = hash.clone();
        async move { store.create_user(Who::system(), org, team, name, name, role, &hash, "en").await.unwrap() }
    };
    let worker = mk(ngo.id, Some(team.id), "worker", Role::SocialWorker).await;
    let supervisor = mk(ngo.id, Some(team.id), "supervisor", Role::Supervisor).await;
    let admin = mk(ngo.id, None, "admin", Role::OrgAdmin).await;
    let other_worker = mk(other.id, None, "stranger", Role::SocialWorker).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = krousar_web::router(store.clone(), krousar_web::Config::default());
    tokio::spawn(serve(listener, app));
    TestApp { base, store, worker, supervisor, other_worker, admin, key_file }
}

/// Serve `app` as `krousar serve` does (its connection loop and timeouts), until the test ends.
pub async fn serve(listener: tokio::net::TcpListener, app: axum::Router) {
    let timeouts = krousar_web::connections::Timeouts::default();
    krousar_web::connections::serve_connections(listener, app, timeouts, std::future::pending()).await;
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The `_csrf` value of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("page has a form with a CSRF token") + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sign in through the page; returns the client and the session's CSRF token.
    pub async fn login(&self, username: &str) -> (reqwest::Client, String) {
        self.login_with(username, PASSWORD).await
    }

    /// Sign in with a password other than the test accounts' own.
    pub async fn login_with(&self, username: &str, password: &str) -> (reqwest::Client, String) {
        let c = client();
        let page = c.get(self.url("/login")).send().await.unwrap().text().await.unwrap();
        let res = c
            .post(self.url("/login"))
            .form(&[("_csrf", csrf_of(&page).as_str()), ("username", username), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "sign-in of {username} should redirect");
        // The account page is open to every signed-in user and carries the session's token.
        let account = c.get(self.url("/account")).send().await.unwrap().text().await.unwrap();
        let token = csrf_of(&account);
        (c, token)
    }

    pub async fn token(&self, user: &User) -> String {
        self.store.create_token(Who::system(), user, "test").await.unwrap()
    }

    pub async fn api_post(&self, token: &str, path: &str, body: serde_json::Value) -> reqwest::Response {
        client().post(self.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }

    pub async fn api_put(&self, token: &str, path: &str, body: serde_json::Value) -> reqwest::Response {
        client().put(self.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }

    pub async fn api_get(&self, token: &str, path: &str) -> reqwest::Response {
        client().get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn api_post_multipart(&self, token: &str, path: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        client().post(self.url(path)).bearer_auth(token).multipart(form).send().await.unwrap()
    }
}

/// A child to register through the API, said to be new (`confirmed_new`): the tests register
/// children alike on purpose (same family name, birth date and village), and a likely
/// duplicate is otherwise answered 409 (`api_contract.rs` tests that question).
pub fn child_json(given_km: &str, given_latin: &str) -> serde_json::Value {
    serde_json::json!({
        "given_name_km": given_km, "family_name_km": "ចាន់",
        "given_name_latin": given_latin, "family_name_latin": "Chan",
        "sex": "female", "date_of_birth": "2015-03-02", "village_code": "02020101",
        "confirmed_new": true
    })
}

/// A value as it goes in a query string.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_string()
}

/// The actor acting at noon in Cambodia on `day`: operations take their day from the actor.
pub fn acting_on(actor: &krousar_domain::Actor, day: chrono::NaiveDate) -> krousar_domain::Actor {
    actor.clone().at(day.and_hms_opt(5, 0, 0).expect("noon in Cambodia is 05:00 UTC").and_utc())
}

/// A page's text without its request reference (each answer has its own), for comparing two
/// answers that must say the same.
pub fn without_reference(page: &str) -> String {
    match (page.find("<code class=\"reference\">"), page.find("</code>")) {
        (Some(a), Some(b)) if b > a => format!("{}{}", &page[..a], &page[b..]),
        _ => page.to_string(),
    }
}
