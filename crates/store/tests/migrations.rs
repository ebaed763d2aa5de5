//! sqlx's migrator runs each engine's folder: a database made by an older release (which kept
//! its versions in `schema_migrations`) is adopted without running anything twice, a gap in
//! that old record is refused, and a migration edited after it was applied is refused.

mod support;

use krousar_store::migrate::{latest, schema_version};
use krousar_store::{Store, StoreError};

async fn url_of(store: &Store) -> String {
    // Each support store is a fresh database; reopen it by the URL it was made from.
    match store.backend {
        krousar_store::Backend::Sqlite => {
            let file: String =
                sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'").fetch_one(store.pool()).await.unwrap();
            format!("sqlite://{file}")
        }
        krousar_store::Backend::Postgres => {
            let db: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)").fetch_one(store.pool()).await.unwrap();
            let pg = std::env::var("KROUSAR_TEST_POSTGRES_URL").unwrap();
            let (head, _) = pg.rsplit_once('/').unwrap();
            format!("{head}/{db}")
        }
    }
}

/// Turn a database into what an older release left: versions in `schema_migrations` only.
async fn as_made_by_an_older_release(store: &Store, versions: impl Iterator<Item = i64>) {
    let pool = store.pool();
    sqlx::query("DROP TABLE _sqlx_migrations").execute(pool).await.unwrap();
    sqlx::query("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    for v in versions {
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'old', '2026-01-01T00:00:00Z')")
            .bind(v)
            .execute(pool)
            .await
            .unwrap();
    }
}

async fn version(store: &Store) -> i64 {
    let mut conn = store.pool().acquire().await.unwrap();
    schema_version(&mut conn, store.backend).await.unwrap()
}

#[tokio::test]
async fn an_older_release_database_is_adopted_without_running_anything_twice() {
    for store in support::stores("mig_adopt").await {
        let url = url_of(&store).await;
        as_made_by_an_older_release(&store, 1..=latest()).await;
        assert_eq!(version(&store).await, latest());
        // Running any migration again would fail ("table already exists").
        let again = Store::open(&url).await.unwrap();
        assert_eq!(again.migrate().await.unwrap(), Vec::<i64>::new());
        let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(again.pool()).await.unwrap();
        assert_eq!(recorded, latest());
        assert_eq!(version(&again).await, latest());
    }
}

#[tokio::test]
async fn an_old_record_with_a_gap_is_refused() {
    for store in support::stores("mig_gap").await {
        let url = url_of(&store).await;
        as_made_by_an_older_release(&store, (1..=latest()).filter(|v| *v != 5)).await;
        match Store::open(&url).await {
            Err(StoreError::Corrupt(msg)) => assert!(msg.contains("missing"), "{msg}"),
            Err(other) => panic!("expected a refusal for the gap, got {other}"),
            Ok(_) => panic!("a database missing migration 5 was opened"),
        }
    }
}

#[tokio::test]
async fn a_migration_edited_after_it_was_applied_is_refused() {
    for store in support::stores("mig_edit").await {
        let url = url_of(&store).await;
        let blob = match store.backend {
            krousar_store::Backend::Sqlite => "UPDATE _sqlx_migrations SET checksum = X'00' WHERE version = 3",
            krousar_store::Backend::Postgres => "UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 3",
        };
        sqlx::query(blob).execute(store.pool()).await.unwrap();
        match Store::open(&url).await {
            Err(StoreError::Config(msg)) => assert!(msg.contains("migration") && msg.contains('3'), "{msg}"),
            Err(other) => panic!("expected the edited migration to be refused, got {other}"),
            Ok(_) => panic!("a database whose migration 3 differs from this build's was opened"),
        }
    }
}

#[tokio::test]
async fn a_fresh_database_reports_every_version_applied() {
    for store in support::stores("mig_fresh").await {
        assert_eq!(version(&store).await, latest());
        assert_eq!(store.migrate().await.unwrap(), Vec::<i64>::new(), "nothing is left to apply");
    }
}
