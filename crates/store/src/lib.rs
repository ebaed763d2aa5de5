//! Persistence of Krousar on SQLite (embedded default) or PostgreSQL (shared national
//! deployments) through one code path. Every write runs in one transaction with its audit entry
//! and change-log entry; every record operation asks the domain's one access policy first.

pub mod accounts;
pub mod archive;
mod assignment;
pub mod audit;
pub mod audit_anchor;
mod audit_batch;
pub mod backup;
pub mod bulk;
pub mod bulk_cases;
mod bulk_rows;
pub mod carer_campaigns;
pub mod carers;
pub mod cases;
pub mod cash;
pub mod check;
mod check_carried;
mod check_more;
pub mod children;
pub mod children_list;
pub mod community;
pub mod copy;
pub mod custom_form_answers;
pub mod custom_form_files;
pub mod custom_form_import;
pub mod custom_form_records;
pub mod custom_form_sharing;
pub mod custom_form_tools;
pub mod custom_forms;
pub mod db;
pub mod disclosure;
pub mod distributions;
pub mod duplicate_scan;
pub mod duplicates;
pub mod error;
pub mod export_jobs;
pub mod figures;
pub mod flags;
pub mod gazetteer;
pub mod households;
pub mod import_jobs;
pub mod imports;
pub mod indicators;
pub mod inquiries;
pub mod installation;
pub mod keyring;
pub(crate) mod living;
pub mod locations;
mod match_requests;
mod merge;
pub mod notifications;
pub mod people;
pub use match_requests::MatchRequest;
pub mod migrate;
mod photo_image;
pub mod photos;
mod places_cache;
pub mod private_files;
pub mod quality;
mod rate;
pub mod rci_documents;
pub mod rci_transition;
pub mod rcis;
pub mod readiness;
pub mod referrals;
mod refusal;
pub mod saved_searches;
pub mod sealed;
mod search_index;
mod search_keys;
pub mod sensitive;
pub mod session_devices;
pub mod sessions;
pub mod sign_in_guard;
pub mod sql;
pub mod stored_files;
pub mod sync;
pub mod totp;
pub mod training;

pub use audit::Who;
pub use db::{Backend, Store};
pub use error::StoreError;

impl Store {
    /// Connect, migrate, and load the shipped gazetteer if the database has none yet.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, 8).await
    }

    /// `open` with a given SQLite page cache per connection (see `connect_with`).
    pub async fn open_with(url: &str, cache_mb: i64) -> Result<Store, StoreError> {
        let store = Store::connect_with(url, cache_mb).await?;
        store.migrate().await?;
        store.ensure_installation_id().await?;
        // Keys saved by an older version of krousar-match are made again before any search.
        store.ensure_search_keys().await?;
        if store.location_count().await? == 0 {
            store.import_places(Who::system(), gazetteer::EMBEDDED_RELEASE, &gazetteer::embedded()).await?;
        }
        // Read the gazetteer into memory now rather than on the first request.
        store.places().await?;
        store.optimize(true).await?;
        Ok(store)
    }

    /// Keep the query planner's statistics current. SQLite plans joins (a worker's caseload
    /// against the cases table, say) from `sqlite_stat1`; without it, a caseload of 100,000
    /// children is read in full to find a handful of due visits. At start-up every table is
    /// checked (`0x10002`, bounded by `analysis_limit`), later only those that changed.
    /// PostgreSQL's autovacuum does the same by itself.
    pub async fn optimize(&self, at_start: bool) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.pool.acquire().await?;
            sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut *conn).await?;
            let sql = if at_start { "PRAGMA optimize = 0x10002" } else { "PRAGMA optimize" };
            sqlx::query(sql).execute(&mut *conn).await?;
        }
        Ok(())
    }
}
