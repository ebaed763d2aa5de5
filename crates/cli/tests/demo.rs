//! `krousar demo`: the data every new user judges Krousar by tells one story (issue 21, item 7).
//! Each institution is named after the province it is in, courses, households, carers and
//! trainees have Khmer names, and nothing about a child is dated before she was born.

mod common;

use chrono::{Datelike, NaiveDate};
use krousar_store::Store;
use std::process::Stdio;
use std::time::Duration;

fn has_khmer(s: &str) -> bool {
    s.chars().any(|c| ('\u{1780}'..='\u{17FF}').contains(&c))
}

/// Run the demo on `db` until it has seeded its data and listens, then stop it.
async fn seed_demo(db: &str, dir: &std::path::Path) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = common::Server(
        common::krousar(db)
            .env("KROUSAR_LOG", "error")
            .args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let health = format!("http://127.0.0.1:{port}/healthz");
    // The demo listens only once its data is written (a few minutes in a debug build).
    for _ in 0..6000 {
        if let Some(status) = server.0.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(server.0.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("the demo stopped ({status}): {err}");
        }
        if reqwest::get(&health).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the demo did not start");
}

async fn check(db: &str, dir: &std::path::Path) {
    seed_demo(db, dir).await;
    let store = Store::connect(db).await.unwrap();
    let pool = store.pool().clone();

    // Every institution names the province of its village (Khmer or Latin, as the gazetteer
    // writes it without "ខេត្ត"/"Province"), and has a Khmer name.
    let rcis: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT r.name, r.village_code, p.name_km, p.kind_km, p.name_latin FROM rcis r \
         JOIN locations p ON p.code = substr(r.village_code, 1, 2) ORDER BY r.name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rcis").fetch_one(&pool).await.unwrap();
    assert!(!rcis.is_empty(), "the demo has institutions");
    assert_eq!(rcis.len() as i64, all, "every institution is in a village of the gazetteer");
    for (name, village, km, kind_km, latin) in &rcis {
        let km = km.strip_prefix(kind_km.as_str()).unwrap_or(km);
        let latin = latin.trim_end_matches(" Province").trim_end_matches(" Capital");
        let squeeze = |s: &str| s.to_lowercase().replace(' ', "");
        assert!(
            name.contains(km) || squeeze(name).contains(&squeeze(latin)),
            "institution {name:?} is in village {village} of {latin} ({km}), which its name does not say"
        );
        assert!(has_khmer(name), "institution {name:?} has no Khmer name");
    }

    // Names a Khmer user reads: courses, households (carers' among them), trainees, teams.
    for (what, sql) in [
        ("course", "SELECT title FROM courses"),
        ("household", "SELECT name FROM households"),
        ("carer", "SELECT name FROM carers"),
        ("trainee", "SELECT name FROM trainees"),
        ("training place", "SELECT place FROM training_sessions"),
        ("team", "SELECT name FROM teams"),
    ] {
        let names: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&pool).await.unwrap();
        assert!(!names.is_empty(), "the demo has a {what}");
        for n in &names {
            assert!(has_khmer(n), "{what} {n:?} has no Khmer name");
        }
    }

    // Nothing about a child before she was born: stays in institutions, cases.
    for (what, sql) in [
        ("stay", "SELECT c.date_of_birth, c.estimated_birth_year, r.entered FROM residence_periods r JOIN children c ON c.id = r.child_id"),
        ("case", "SELECT c.date_of_birth, c.estimated_birth_year, k.opened_on FROM cases k JOIN children c ON c.id = k.child_id"),
    ] {
        let rows: Vec<(Option<String>, Option<i64>, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&pool).await.unwrap();
        assert!(!rows.is_empty(), "the demo has a {what}");
        for (dob, year, on) in rows {
            let on: NaiveDate = on.parse().unwrap();
            match (dob.as_deref().map(|d| d.parse::<NaiveDate>().unwrap()), year) {
                (Some(dob), _) => assert!(on >= dob, "a {what} on {on} of a child born on {dob}"),
                (None, Some(year)) => assert!(i64::from(on.year()) >= year, "a {what} on {on} of a child born in {year}"),
                (None, None) => {}
            }
        }
    }
    // The organisation's own forms are answered on each kind of record they are made for.
    for (column, what) in [("child_id", "a child's record"), ("household_id", "a household's record")] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM record_form_answers WHERE {column} IS NOT NULL")))
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(n > 0, "the demo has a form answered on {what}");
    }

    store.close().await;
    // And `krousar check` proves the rest of the story on it: where each child lives, stays,
    // stages, visits, figures, merged records, the audit chain.
    let out = common::run(db, &["check"], "");
    assert!(out.status.success(), "krousar check on the demo:\n{}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::test]
async fn the_demo_tells_one_story_sqlite() {
    let dir = std::env::temp_dir().join(format!("krousar-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    check(&format!("sqlite://{}", dir.join("krousar.db").display()), &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_demo_tells_one_story_postgres() {
    if let Some(db) = common::postgres_database("krousar_demo").await {
        let dir = std::env::temp_dir().join(format!("krousar-demo-test-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        check(&db, &dir).await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
