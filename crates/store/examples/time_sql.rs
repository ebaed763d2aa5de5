//! Time one SQL statement (a file, no parameters) on a database, through the same driver and
//! SQLite build as the server: best and median of N runs, and the rows it returned.
//!
//!   cargo run --release -p krousar-store --example time_sql -- DATABASE_URL FILE.sql [RUNS]

use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(file)) = (args.get(1), args.get(2)) else { return Err("usage: time_sql DATABASE_URL FILE.sql [RUNS]".into()) };
    let runs: usize = args.get(3).map_or(Ok(10), |s| s.parse())?;
    let store = krousar_store::Store::open_with(url, 1).await?;
    let sql = std::fs::read_to_string(file)?;
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch_all(store.pool()).await?.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!("best {:.2} ms, median {:.2} ms, {rows} rows", times[0], times[times.len() / 2]);
    Ok(())
}
