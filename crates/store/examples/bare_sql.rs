//! The bare SQL behind the busiest pages, run the way the server runs it (the same pool, the
//! same pragmas, 16 concurrent clients on the same cores) — the floor the HTTP figures in
//! BENCHMARKS.md are compared with (goal: a page at most 2× its bare queries).
//!
//!   cargo run --release -p krousar-store --example bare_sql -- DATABASE_URL WORKER [SECONDS] [CLIENTS]
//!
//! Each "page" here is only the queries that fetch the rows the page shows, with no session,
//! policy, audit entry, template or HTTP: the list (a page of the caseload and its count), the
//! record (child, case, timeline, visits, approvals, tasks, household) and the name search in
//! the caseload.

use krousar_store::db::Backend;
use krousar_store::Store;
use sqlx::Row;
use std::sync::Arc;
use std::time::{Duration, Instant};

const COLUMNS: &str =
    "c.seq, c.id, c.version, c.org_id, c.case_number, c.assigned_worker_id, u.display_name AS worker_name, c.merged_into, \
    c.team_id, c.given_name_km, c.family_name_km, c.given_name_latin, c.family_name_latin, c.nickname, c.sex, c.date_of_birth, \
    c.estimated_birth_year, c.birth_registration, c.id_poor, c.disability, c.protection, c.village_code, c.living_arrangement, \
    c.rci_id, c.created_at, c.updated_at";

#[derive(Clone, Copy)]
enum Page {
    List,
    Record,
    Search,
}

async fn run(store: &Store, page: Page, worker: &str, child: &str) -> Result<usize, sqlx::Error> {
    let pool = store.pool();
    let from = "FROM children c LEFT JOIN users u ON u.id = c.assigned_worker_id";
    let mut rows = 0;
    match page {
        Page::List => {
            let sql =
                format!("SELECT {COLUMNS} {from} WHERE c.assigned_worker_id = $1 AND c.merged_into IS NULL ORDER BY c.seq DESC LIMIT 51");
            rows += sqlx::query(sqlx::AssertSqlSafe(sql)).bind(worker).fetch_all(pool).await?.len();
            let count = "SELECT COUNT(*) AS n FROM (SELECT 1 FROM children c WHERE c.assigned_worker_id = $1 AND c.merged_into IS NULL LIMIT 1001) capped";
            rows += sqlx::query(count).bind(worker).fetch_all(pool).await?.len();
        }
        Page::Record => {
            let sql = format!("SELECT {COLUMNS} {from} WHERE c.id = $1");
            rows += sqlx::query(sqlx::AssertSqlSafe(sql)).bind(child).fetch_all(pool).await?.len();
            for q in [
                "SELECT * FROM cases WHERE child_id = $1",
                "SELECT e.*, u.display_name FROM case_entries e LEFT JOIN users u ON u.id = e.author_id WHERE e.child_id = $1 ORDER BY e.seq",
                "SELECT due_on, done_on FROM follow_up_visits WHERE child_id = $1 ORDER BY due_on",
                "SELECT * FROM case_approvals WHERE child_id = $1",
                "SELECT * FROM case_tasks WHERE child_id = $1 ORDER BY due_on",
                "SELECT h.*, m.* FROM household_children hc JOIN households h ON h.id = hc.household_id \
                 JOIN household_members m ON m.household_id = h.id WHERE hc.child_id = $1 ORDER BY m.position",
            ] {
                rows += sqlx::query(q).bind(child).fetch_all(pool).await?.len();
            }
        }
        Page::Search => {
            let (key, keys) = match store.backend {
                Backend::Sqlite => ("rowid", "+s.keys"),
                Backend::Postgres => ("seq", "s.keys"),
            };
            let sql = format!(
                "SELECT {COLUMNS} {from} CROSS JOIN child_search s WHERE s.{key} = c.seq AND c.assigned_worker_id = $1 \
                 AND c.merged_into IS NULL AND {keys} LIKE $2 ORDER BY c.seq DESC LIMIT 51"
            );
            rows += sqlx::query(sqlx::AssertSqlSafe(sql)).bind(worker).bind("%sokha%").fetch_all(pool).await?.len();
        }
    }
    Ok(rows)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).ok_or("usage: bare_sql DATABASE_URL WORKER [SECONDS] [CLIENTS]")?;
    let username = args.get(2).ok_or("a worker's username")?;
    let secs: u64 = args.get(3).map_or(Ok(10), |s| s.parse())?;
    let clients: usize = args.get(4).map_or(Ok(16), |s| s.parse())?;
    let store = Arc::new(Store::open_with(url, 8).await?);
    let worker: String = sqlx::query("SELECT id FROM users WHERE username = $1").bind(username).fetch_one(store.pool()).await?.get(0);
    // The record page's child: the worker's newest child with a case, as bench/http.sh opens.
    let child: String = sqlx::query(
        "SELECT c.id FROM children c JOIN cases k ON k.child_id = c.id WHERE c.assigned_worker_id = $1 ORDER BY c.seq DESC LIMIT 1",
    )
    .bind(&worker)
    .fetch_one(store.pool())
    .await?
    .get(0);
    println!("| bare SQL of | queries/s | p50 / p95 ms | rows |");
    println!("|---|---|---|---|");
    for (name, page) in [("child list page", Page::List), ("child record page", Page::Record), ("name search", Page::Search)] {
        let until = Instant::now() + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (store, worker, child) = (store.clone(), worker.clone(), child.clone());
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::new();
                let mut rows = 0;
                while Instant::now() < until {
                    let t = Instant::now();
                    rows = run(&store, page, &worker, &child).await.expect("query");
                    times.push(t.elapsed());
                }
                (times, rows)
            }));
        }
        let mut all = Vec::new();
        let mut rows = 0;
        for t in tasks {
            let (times, r) = t.await?;
            all.extend(times);
            rows = r;
        }
        all.sort();
        let pct =
            |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        println!("| {name} | {:.0} | {:.1} / {:.1} | {rows} |", all.len() as f64 / secs as f64, pct(0.5), pct(0.95));
    }
    Ok(())
}
