//! The two engines' migration folders must build the same schema: every table's columns (name,
//! kind of type, nullability, primary key), its indexes (columns, uniqueness, partial or not,
//! and the name of those made by hand), and its foreign keys. Both engines are migrated from
//! empty and described from their own catalogues; PostgreSQL runs when
//! `KROUSAR_TEST_POSTGRES_URL` names a server (CI), and without it the SQLite side is still
//! described and checked for what it must hold.

use krousar_store::{Backend, Store};
use sqlx::Row;
use std::collections::BTreeSet;

/// A schema as comparable lines, one per column, index and foreign key.
type Schema = BTreeSet<String>;

/// Tables that differ on purpose: the name search is SQLite's FTS5 table (keyed by rowid) and
/// PostgreSQL's table with a trigram index. Only their existence is compared.
fn engine_specific(table: &str) -> bool {
    table.ends_with("_search")
}

fn kind(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "int"
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text"
    } else if t.contains("blob") || t == "bytea" {
        "blob"
    } else if t.contains("real") || t.contains("double") || t.contains("floa") || t.contains("numeric") {
        "real"
    } else if t.contains("bool") {
        "bool"
    } else {
        "untyped"
    }
}

async fn sqlite(store: &Store) -> Schema {
    let pool = store.pool();
    let tables: Vec<(String, String)> =
        sqlx::query_as("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(pool)
            .await
            .unwrap();
    let virtual_tables: Vec<&str> =
        tables.iter().filter(|(_, sql)| sql.starts_with("CREATE VIRTUAL TABLE")).map(|(n, _)| n.as_str()).collect();
    let mut out = Schema::new();
    for (table, _) in &tables {
        // FTS5 keeps its index in shadow tables named after the virtual one.
        if virtual_tables.iter().any(|v| table != v && table.starts_with(&format!("{v}_"))) {
            continue;
        }
        out.insert(format!("table {table}"));
        if engine_specific(table) {
            continue;
        }
        let pk_col = |rows: &[sqlx::any::AnyRow]| -> String {
            rows.iter().find(|r| r.get::<i64, _>("pk") > 0).map(|r| r.get::<String, _>("name")).unwrap_or_default()
        };
        let cols = sqlx::query("SELECT name, type, \"notnull\" AS nn, pk FROM pragma_table_info($1) ORDER BY cid")
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
        for c in &cols {
            let (name, ty, nn, pk) = (c.get::<String, _>("name"), c.get::<String, _>("type"), c.get::<i64, _>("nn"), c.get::<i64, _>("pk"));
            // A primary key column is never null on either engine (SQLite's rowid alias says 0).
            let null = if nn == 1 || pk > 0 { "not null" } else { "null" };
            out.insert(format!("column {table}.{name} {} {null}{}", kind(&ty), if pk > 0 { " pk" } else { "" }));
        }
        let indexes = sqlx::query("SELECT name, \"unique\" AS u, origin, partial FROM pragma_index_list($1)")
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
        for i in &indexes {
            let (name, unique, origin, partial) =
                (i.get::<String, _>("name"), i.get::<i64, _>("u"), i.get::<String, _>("origin"), i.get::<i64, _>("partial"));
            if origin == "pk" {
                continue;
            }
            let columns: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno").bind(&name).fetch_all(pool).await.unwrap();
            let columns: Vec<String> = columns.into_iter().map(|c| c.unwrap_or_else(|| "(expression)".into())).collect();
            out.insert(index_line(table, (origin == "c").then_some(name.as_str()), &columns, unique == 1, partial == 1));
        }
        let fks = sqlx::query("SELECT \"table\" AS t, \"from\" AS f, \"to\" AS r FROM pragma_foreign_key_list($1)")
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
        for f in &fks {
            let target: String = f.get("t");
            let to = match f.get::<Option<String>, _>("r") {
                Some(c) => c,
                None => {
                    let rows = sqlx::query("SELECT name, pk FROM pragma_table_info($1)").bind(&target).fetch_all(pool).await.unwrap();
                    pk_col(&rows)
                }
            };
            out.insert(format!("foreign key {table}.{} -> {target}.{to}", f.get::<String, _>("f")));
        }
    }
    out
}

async fn postgres(store: &Store) -> Schema {
    let pool = store.pool();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut out = Schema::new();
    for table in &tables {
        out.insert(format!("table {table}"));
        if engine_specific(table) {
            continue;
        }
        let cols = sqlx::query(
            "SELECT CAST(c.column_name AS TEXT) AS name, CAST(c.data_type AS TEXT) AS ty, CAST(c.is_nullable AS TEXT) AS nullable, \
             (SELECT COUNT(*) FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey) \
              WHERE x.indrelid = CAST(CAST(c.table_name AS TEXT) AS regclass) AND x.indisprimary AND a.attname = c.column_name) AS pk \
             FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name = $1 ORDER BY c.ordinal_position",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for c in &cols {
            let (name, ty, nullable, pk) =
                (c.get::<String, _>("name"), c.get::<String, _>("ty"), c.get::<String, _>("nullable"), c.get::<i64, _>("pk"));
            let null = if nullable == "NO" { "not null" } else { "null" };
            out.insert(format!("column {table}.{name} {} {null}{}", kind(&ty), if pk > 0 { " pk" } else { "" }));
        }
        let indexes = sqlx::query(
            "SELECT CAST(i.relname AS TEXT) AS name, CASE WHEN x.indisunique THEN 1 ELSE 0 END AS u, \
             CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END AS partial, \
             CASE WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('u', 'p')) THEN 1 ELSE 0 END AS constraint_made, \
             CASE WHEN x.indisprimary THEN 1 ELSE 0 END AS pk, \
             COALESCE((SELECT string_agg(COALESCE(CAST(a.attname AS TEXT), '(expression)'), ',' ORDER BY k.n) \
               FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) \
               LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0), '') AS cols \
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relname = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for i in &indexes {
            if i.get::<i64, _>("pk") == 1 {
                continue;
            }
            let name: String = i.get("name");
            let columns: Vec<String> = i.get::<String, _>("cols").split(',').map(str::to_string).collect();
            let by_hand = i.get::<i64, _>("constraint_made") == 0;
            out.insert(index_line(
                table,
                by_hand.then_some(name.as_str()),
                &columns,
                i.get::<i64, _>("u") == 1,
                i.get::<i64, _>("partial") == 1,
            ));
        }
        let fks = sqlx::query(
            "SELECT CAST(a.attname AS TEXT) AS f, CAST(r.relname AS TEXT) AS t, CAST(b.attname AS TEXT) AS r \
             FROM pg_constraint k JOIN pg_class s ON s.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid \
             CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS u(from_col, to_col) \
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.from_col \
             JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = u.to_col \
             WHERE k.contype = 'f' AND s.relname = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for f in &fks {
            out.insert(format!(
                "foreign key {table}.{} -> {}.{}",
                f.get::<String, _>("f"),
                f.get::<String, _>("t"),
                f.get::<String, _>("r")
            ));
        }
    }
    out
}

fn index_line(table: &str, name: Option<&str>, columns: &[String], unique: bool, partial: bool) -> String {
    format!(
        "index {table}{} ({}){}{}",
        name.map(|n| format!(" {n}")).unwrap_or_default(),
        columns.join(", "),
        if unique { " unique" } else { "" },
        if partial { " partial" } else { "" }
    )
}

async fn migrated(url: &str) -> Store {
    Store::open(url).await.unwrap()
}

#[tokio::test]
async fn both_engines_build_the_same_schema() {
    let dir = std::env::temp_dir().join(format!("krousar-schema-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let lite = migrated(&format!("sqlite://{}", dir.join("s.db").display())).await;
    assert_eq!(lite.backend, Backend::Sqlite);
    let left = sqlite(&lite).await;
    // The description reads what it must: a known column, index and foreign key.
    assert!(left.len() > 300, "only {} lines describe the schema: {left:#?}", left.len());
    assert!(left.contains("column children.id text not null"), "{left:#?}");
    assert!(left.iter().any(|l| l.starts_with("foreign key cases.child_id -> children.id")), "{left:#?}");
    assert!(left.iter().any(|l| l.starts_with("index ") && l.contains(" unique")), "{left:#?}");
    let Ok(pg) = std::env::var("KROUSAR_TEST_POSTGRES_URL") else {
        eprintln!("KROUSAR_TEST_POSTGRES_URL is not set: PostgreSQL's side is not compared");
        return;
    };
    let name = format!("krousar_schema_{}", uuid::Uuid::now_v7().simple());
    let admin = Store::connect(&pg).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await.unwrap();
    let (head, _) = pg.rsplit_once('/').unwrap();
    let right = postgres(&migrated(&format!("{head}/{name}")).await).await;
    let only_sqlite: Vec<&String> = left.difference(&right).collect();
    let only_postgres: Vec<&String> = right.difference(&left).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the engines' schemas differ\nonly on SQLite:\n  {}\nonly on PostgreSQL:\n  {}",
        only_sqlite.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
        only_postgres.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
    );
}
