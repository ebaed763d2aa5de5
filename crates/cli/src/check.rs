//! `krousar check`: the consistency report of `Store::check`, readable or as JSON; exits 1 on
//! any finding so a cron job or CI notices.

use anyhow::Result;
use krousar_store::check::RULES;
use krousar_store::Store;

pub async fn run(store: Store, json: bool) -> Result<()> {
    let today = krousar_domain::today();
    let report = store.check(today).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for rule in RULES {
            let (checked, found) = (report.checked.get(rule).copied().unwrap_or(0), report.counts.get(rule).copied().unwrap_or(0));
            let mark = if found == 0 { "ok  " } else { "FAIL" };
            println!("{mark} {rule:<20} {checked:>9} checked, {found} found");
            for f in report.findings.iter().filter(|f| f.rule == rule) {
                println!("       {}: {}", f.record, f.detail);
            }
            if found as usize > report.findings.iter().filter(|f| f.rule == rule).count() {
                println!("       … and more");
            }
        }
    }
    store.close().await;
    if !report.ok() {
        let total: i64 = report.counts.values().sum();
        eprintln!("krousar check: {total} findings");
        std::process::exit(1);
    }
    Ok(())
}
