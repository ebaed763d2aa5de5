//! Work that outlives the request that asked for it, started in one place: a handler saves the
//! job's record in the database (so that the pages can show its state and any server can take
//! it over), then hands its body to `start`. Background upkeep (idle sessions, planner
//! statistics, unfinished duplicate scans, notices) runs from `upkeep`. Nothing else in the web crate
//! spawns a task.

use krousar_store::Store;
use std::future::Future;
use std::time::Duration;
use tracing::Instrument;
use uuid::Uuid;

/// Run `job` in the background on this server, named `what` in the log. The body reports its
/// own failure to its record (the page shows it); a panic is caught and logged here.
pub fn start(what: &'static str, job: impl Future<Output = ()> + Send + 'static) {
    let span = tracing::info_span!("job", what);
    let handle = tokio::spawn(job.instrument(span));
    tokio::spawn(async move {
        if let Err(e) = handle.await {
            tracing::error!(what, error = %e, "background job stopped abnormally");
        }
    });
}

/// The duplicate scan `id` (saved by `Store::start_duplicate_scan`), from the page or the API.
pub fn duplicate_scan(store: Store, id: Uuid) {
    start("duplicate scan", async move {
        if let Err(e) = store.run_duplicate_scan(id).await {
            tracing::warn!(error = %e, "duplicate scan failed");
        }
    });
}

/// The server's upkeep, for as long as it serves: also the delivery of notices (`notify`).
pub fn upkeep(store: Store, idle_minutes: i64, clock: crate::Clock, send_mail: bool, push_services: Vec<String>) {
    start("notices", crate::notify::run(store.clone(), clock, send_mail, crate::notify::Senders::new(push_services)));
    start("session purge", purge_idle_sessions(store.clone(), idle_minutes));
    start("metrics upkeep", crate::metrics_page::upkeep());
    start("job resumption", resume_background_jobs(store));
}

/// Background jobs live in the database, so that any server can carry on with one whose server
/// stopped: every minute, take over duplicate scans nobody is running.
async fn resume_background_jobs(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = store.resume_duplicate_scans().await {
            tracing::warn!(error = %e, "could not resume duplicate scans");
        }
    }
}

/// Sessions idle past the timeout are refused when used; this removes the ones never used
/// again, every ten minutes, so the table does not grow with every sign-in — and exports and
/// uploads a day old, whoever made them.
/// Also refreshes the query planner's statistics once an hour (see `Store::optimize`).
async fn purge_idle_sessions(store: Store, idle_minutes: i64) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        ticks += 1;
        if let Err(e) = store.purge_idle_sessions(idle_minutes).await {
            tracing::warn!(error = %e, "could not purge idle sessions");
        }
        if let Err(e) = store.sweep_old_job_files().await {
            tracing::warn!(error = %e, "could not remove old exports and uploads");
        }
        if ticks.is_multiple_of(6) {
            if let Err(e) = store.optimize(false).await {
                tracing::warn!(error = %e, "could not refresh planner statistics");
            }
        }
    }
}
