//! Issue 19, item 17: the database, its WAL and backups owner-only; HSTS with secure cookies.

use crate::app::each_db;

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_database_its_wal_and_its_backups_are_owner_only() {
    // Whatever the umask of whoever starts the server (the usual 022 made them 0644).
    let dir = std::env::temp_dir().join(format!("krousar-modes-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("k.db");
    let url = format!("sqlite://{}", db.display());
    let store = krousar_store::Store::open(&url).await.unwrap();
    // A write, so that the WAL and shared-memory files exist.
    store.create_org(krousar_store::Who::system(), "Mode NGO", krousar_domain::choices::OrgKind::Ngo).await.unwrap();
    for name in ["k.db", "k.db-wal", "k.db-shm"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    let out = dir.join("backup.krousar");
    krousar_store::backup::create(&store, &url, &out, None).await.unwrap();
    assert_eq!(mode(&out), 0o600, "an unencrypted backup");
    store.close().await;
    // A database left world-readable by an older version is made owner-only when opened.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let again = krousar_store::Store::open(&url).await.unwrap();
    assert_eq!(mode(&db), 0o600);
    again.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn strict_transport_security_is_sent_when_cookies_are_secure() {
    each_db(|app| async move {
        let plain = reqwest::get(app.url("/login")).await.unwrap();
        assert!(plain.headers().get("strict-transport-security").is_none(), "not over plain HTTP");
        let config = krousar_web::Config { secure_cookies: true, ..Default::default() };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = krousar_web::router(app.store.clone(), config);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        for path in ["/login", "/static/app.css", "/api/v1/children"] {
            let res = reqwest::get(format!("{base}{path}")).await.unwrap();
            assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains", "{path}");
        }
    })
    .await;
}
