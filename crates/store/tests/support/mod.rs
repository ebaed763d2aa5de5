//! Test support shared by the store's integration tests.

use krousar_store::Store;

/// A fresh SQLite database, and a fresh PostgreSQL database too when
/// `KROUSAR_TEST_POSTGRES_URL` names a server: every test runs on every engine.
pub async fn stores(tag: &str) -> Vec<Store> {
    let dir = std::env::temp_dir().join(format!("krousar-{tag}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.join(format!("{tag}.db")).display())];
    if let Ok(pg) = std::env::var("KROUSAR_TEST_POSTGRES_URL") {
        let name = format!("krousar_{tag}_{}", uuid::Uuid::now_v7().simple());
        let admin = Store::connect(&pg).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await.unwrap();
        let (head, _) = pg.rsplit_once('/').unwrap();
        urls.push(format!("{head}/{name}"));
    }
    let mut out = Vec::new();
    for u in urls {
        out.push(Store::open(&u).await.unwrap());
    }
    out
}
