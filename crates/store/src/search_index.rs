//! Name search indexes (`child_search`, `household_search`): normalised keys (see
//! krousar-match) under the record's `seq`. SQLite keeps them in an FTS5 trigram table keyed by
//! rowid, PostgreSQL in a table with a pg_trgm GIN index; the SQL is the same but for the name
//! of the key column (`Backend::search_key`).

use crate::db::{Backend, Tx};
use crate::error::StoreError;
use crate::sql::{Sql, Value};
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Index {
    Children,
    Households,
}

impl Index {
    fn table(self) -> &'static str {
        match self {
            Index::Children => "child_search",
            Index::Households => "household_search",
        }
    }
}

/// (Re)index one record.
pub(crate) async fn write(tx: &mut Tx, backend: Backend, index: Index, seq: i64, keys: &str) -> Result<(), StoreError> {
    let (table, key) = (index.table(), backend.search_key());
    sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE {key} = $1"))).bind(seq).execute(&mut **tx).await?;
    sqlx::query(AssertSqlSafe(format!("INSERT INTO {table} ({key}, keys) VALUES ($1, $2)")))
        .bind(seq)
        .bind(keys)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Index many records at once, as one JSON array of rows (`bulk_rows`). SQLite's FTS5 writes
/// what a statement added as a new segment when the next statement of the transaction begins,
/// so the many small statements this once used made thousands of tiny segments, and merging
/// them was a third of `gen-data` (perf: `fts5IndexMergeLevel` → `fts5DataDelete`).
pub(crate) async fn write_many(tx: &mut Tx, backend: Backend, index: Index, rows: &[(i64, String)]) -> Result<(), StoreError> {
    let rows: Vec<Vec<Value>> = rows.iter().map(|(seq, keys)| vec![Value::Int(*seq), Value::Text(keys.clone())]).collect();
    crate::bulk_rows::insert_rows(tx, backend, index.table(), &[backend.search_key(), "keys"], &rows).await
}

/// The start of a list query over `from` (e.g. `households h`, whose alias is `alias`): when the
/// search has terms, over the index, so that matches come out newest first straight from it.
/// Returns the query (ending in a WHERE clause to extend with `AND …`) and its ordering column.
/// `records_first`: the scope is small (a caseload, a team): walk its records newest first and
/// test each one's keys, instead of walking every match in the country and dropping those out
/// of scope (a worker's search for "sokha" among a million children took a second that way).
pub(crate) fn list_from(
    backend: Backend,
    index: Index,
    select: &str,
    from: &str,
    alias: &str,
    terms: &[String],
    records_first: bool,
) -> (Sql, String) {
    if terms.is_empty() {
        return (Sql::new(&format!("SELECT {select} FROM {from} WHERE 1 = 1")), format!("{alias}.seq"));
    }
    let key = format!("s.{}", backend.search_key());
    if records_first {
        let mut q = Sql::new(&format!("SELECT {select} FROM {from} CROSS JOIN {} s WHERE {key} = {alias}.seq", index.table()));
        // SQLite: `+` keeps the LIKE away from the trigram index, so each record is one rowid
        // lookup and a test (0.14 ms for a caseload of 125 instead of 7.7 ms, one trigram
        // search per record).
        let keys = if backend == Backend::Sqlite { "+s.keys" } else { "s.keys" };
        // A term with nothing to look for restricts nothing (`query_terms` makes none).
        for t in terms.iter().filter(|t| krousar_match::alternatives(t).next().is_some()) {
            q.push(" AND (");
            for (i, a) in krousar_match::alternatives(t).enumerate() {
                q.push(if i == 0 { "" } else { " OR " });
                q.push(&format!("{keys} LIKE ")).bind_text(format!("%{}%", krousar_match::term_pattern(a)));
            }
            q.push(")");
        }
        return (q, format!("{alias}.seq"));
    }
    // CROSS JOIN makes SQLite walk the index first (newest matches first, stopping at the page
    // size) rather than every record in scope; PostgreSQL plans it as an ordinary join.
    let mut q = Sql::new(&format!("SELECT {select} FROM {} s CROSS JOIN {from} WHERE {alias}.seq = {key}", index.table()));
    for t in terms {
        let alternatives: Vec<&str> = krousar_match::alternatives(t).collect();
        match (alternatives.as_slice(), backend) {
            ([], _) => {}
            ([one], _) => {
                q.push(" AND s.keys LIKE ").bind_text(format!("%{}%", krousar_match::term_pattern(one)));
            }
            // FTS5 answers one LIKE from its trigram index but scans for an OR of two: each
            // alternative is its own indexed lookup.
            (many, Backend::Sqlite) => {
                q.push(&format!(" AND {key} IN ("));
                for (i, a) in many.iter().enumerate() {
                    q.push(if i == 0 { "" } else { " UNION " });
                    q.push(&format!("SELECT rowid FROM {} WHERE keys LIKE ", index.table()))
                        .bind_text(format!("%{}%", krousar_match::term_pattern(a)));
                }
                q.push(")");
            }
            (many, Backend::Postgres) => {
                q.push(" AND (");
                for (i, a) in many.iter().enumerate() {
                    q.push(if i == 0 { "" } else { " OR " });
                    q.push("s.keys LIKE ").bind_text(format!("%{}%", krousar_match::term_pattern(a)));
                }
                q.push(")");
            }
        }
    }
    (q, key)
}

/// The digits of a child's case number (after the dash), exactly as the expression index
/// `children_case_digits` (migration 0037) is made, so that a search by case number is an
/// index seek: one row per organisation that gave that number, then the scope's filter.
pub(crate) fn case_digits(backend: Backend, alias: &str) -> String {
    match backend {
        Backend::Sqlite => format!("substr({alias}.case_number, instr({alias}.case_number, '-') + 1)"),
        Backend::Postgres => format!("substr({alias}.case_number, strpos({alias}.case_number, '-') + 1)"),
    }
}

/// ` AND …` for each case number a search asks for (`krousar_match::parse_search`).
pub(crate) fn case_number_sql(q: &mut Sql, backend: Backend, alias: &str, numbers: &[krousar_match::CaseNumber]) {
    let digits = case_digits(backend, alias);
    let any_of = |q: &mut Sql, column: &str, values: &[String]| {
        q.push(&format!(" AND {column} IN ("));
        for (i, v) in values.iter().enumerate() {
            q.push(if i == 0 { "" } else { ", " }).bind_text(v.clone());
        }
        q.push(")");
    };
    for n in numbers {
        any_of(q, &digits, &n.digits());
        if let krousar_match::CaseNumber::Whole(all) = n {
            any_of(q, &format!("{alias}.case_number"), all);
        }
    }
}
