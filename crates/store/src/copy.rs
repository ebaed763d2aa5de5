//! A whole installation copied into another database, across engines (SQLite to PostgreSQL when
//! an organisation outgrows one machine, or back): every table, row for row, in one transaction
//! on the target, then proved — each table's rows counted and digested on both sides, and the
//! copy refused unless they agree. The source is read in one snapshot (stop its servers first:
//! what they write after the snapshot is not copied). The name search indexes are made again
//! on the target, and the attached files of a SQLite source's files directory go into the
//! target's database.

use crate::archive::catalogue::{tables_where, Table};
use crate::db::{Backend, Store, Tx};
use crate::error::StoreError;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Rows held in memory and sent to the target at a time.
const BATCH: usize = 2_000;

/// One table as copied: its rows, and the digest both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: String,
    pub rows: i64,
    pub digest: String,
}

fn refused(why: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("copy: {why}"))
}

/// A value as read from either engine.
#[derive(Debug, Clone)]
enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

/// Columns holding bytes (not integers or text).
async fn blob_columns(conn: &mut AnyConnection, backend: Backend, table: &str) -> Result<BTreeSet<String>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name AS c FROM pragma_table_info($1) WHERE upper(type) = 'BLOB'",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 AND data_type = 'bytea'"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(table).fetch_all(&mut *conn).await?.into_iter().collect())
}

/// The tables in an order where each comes after those it refers to.
fn ordered(mut tables: Vec<Table>) -> Result<Vec<Table>, StoreError> {
    let mut out: Vec<Table> = Vec::new();
    while !tables.is_empty() {
        let placed: BTreeSet<String> = out.iter().map(|t| t.name.clone()).collect();
        let waiting: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
        let (ready, rest): (Vec<Table>, Vec<Table>) =
            tables.into_iter().partition(|t| t.refs.iter().all(|(_, to, _)| *to == t.name || placed.contains(to) || !waiting.contains(to)));
        if ready.is_empty() {
            let names: Vec<String> = rest.iter().map(|t| t.name.clone()).collect();
            return Err(refused(format!("tables refer to each other in a circle: {}", names.join(", "))));
        }
        out.extend(ready);
        tables = rest;
    }
    Ok(out)
}

/// The cells of a row, in `columns`' order.
fn cells(r: &AnyRow, columns: &[(String, bool)], blobs: &BTreeSet<String>) -> Result<Vec<Cell>, StoreError> {
    columns
        .iter()
        .map(|(c, int)| {
            let c = c.as_str();
            Ok(if *int {
                Cell::Int(r.try_get(c)?)
            } else if blobs.contains(c) {
                Cell::Blob(r.try_get(c)?)
            } else {
                Cell::Text(r.try_get(c)?)
            })
        })
        .collect()
}

/// A table's rows summed into one digest that does not depend on their order, each row's
/// columns taken by name (the engines may order a table's columns differently).
#[derive(Default)]
struct TableDigest {
    rows: i64,
    sum: u128,
}

impl TableDigest {
    fn add(&mut self, columns: &[(String, bool)], row: &[Cell]) {
        let mut named: Vec<(&str, String)> = columns
            .iter()
            .zip(row)
            .map(|((c, _), v)| {
                let text = match v {
                    Cell::Int(v) => format!("{v:?}"),
                    Cell::Text(v) => format!("{v:?}"),
                    Cell::Blob(v) => format!("{:?}", v.as_ref().map(hex::encode)),
                };
                (c.as_str(), text)
            })
            .collect();
        named.sort();
        let mut h = Sha256::new();
        for (c, v) in named {
            h.update(c.as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
            h.update([0]);
        }
        let d = h.finalize();
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(d[..16].try_into().expect("16 bytes")));
        self.rows += 1;
    }

    fn text(&self) -> String {
        format!("{}:{:032x}", self.rows, self.sum)
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Insert rows one statement per batch, values bound (identity columns take the source's values).
async fn insert(tx: &mut Tx, backend: Backend, table: &Table, rows: &[Vec<Cell>]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    let width = names.len();
    // PostgreSQL's parameters are numbered up to 65535: as many rows as fit.
    let per_statement = (60_000 / width.max(1)).clamp(1, 500);
    let overriding = if backend == Backend::Postgres { " OVERRIDING SYSTEM VALUE" } else { "" };
    for chunk in rows.chunks(per_statement) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")))
            .collect();
        let sql = format!("INSERT INTO {} ({}){overriding} VALUES {}", quoted(&table.name), names.join(", "), tuples.join(", "));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for cell in row {
                q = match cell.clone() {
                    Cell::Int(v) => q.bind(v),
                    Cell::Text(v) => q.bind(v),
                    Cell::Blob(v) => q.bind(v),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Rows of a table that refers to itself, parents before children.
fn parents_first(table: &Table, rows: Vec<Vec<Cell>>) -> Vec<Vec<Cell>> {
    let Some((col, _, target)) = table.refs.iter().find(|(_, t, _)| *t == table.name) else { return rows };
    let at = |name: &str| table.columns.iter().position(|(c, _)| c == name);
    let (Some(ci), Some(ti)) = (at(col), at(target)) else { return rows };
    let key = |cell: &Cell| match cell {
        Cell::Text(Some(s)) => Some(s.clone()),
        Cell::Int(Some(n)) => Some(n.to_string()),
        _ => None,
    };
    let (mut placed, mut out, mut rest) = (BTreeSet::new(), Vec::with_capacity(rows.len()), rows);
    while !rest.is_empty() {
        let before = rest.len();
        let (ready, waiting): (Vec<_>, Vec<_>) = rest.into_iter().partition(|r| key(&r[ci]).is_none_or(|p| placed.contains(&p)));
        placed.extend(ready.iter().filter_map(|r| key(&r[ti])));
        out.extend(ready);
        rest = waiting;
        if rest.len() == before {
            out.append(&mut rest);
        }
    }
    out
}

fn select(table: &Table) -> String {
    let names: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    format!("SELECT {} FROM {}", names.join(", "), quoted(&table.name))
}

/// Copy one table from `src` into `tx`, digesting what is read. Rows are streamed in batches
/// (a nation's case records do not fit in memory); a table that refers to itself is read
/// whole and written parents first.
async fn copy_table(
    src: &mut AnyConnection,
    tx: &mut Tx,
    backend: Backend,
    t: &Table,
    blobs: &BTreeSet<String>,
) -> Result<TableDigest, StoreError> {
    let mut digest = TableDigest::default();
    let self_referring = t.refs.iter().any(|(_, to, _)| *to == t.name);
    let mut batch = Vec::with_capacity(BATCH);
    let mut stream = sqlx::query(AssertSqlSafe(select(t))).fetch(&mut *src);
    while let Some(r) = stream.try_next().await? {
        let row = cells(&r, &t.columns, blobs)?;
        digest.add(&t.columns, &row);
        batch.push(row);
        if !self_referring && batch.len() == BATCH {
            insert(tx, backend, t, &batch).await?;
            batch.clear();
        }
    }
    drop(stream);
    let rows = if self_referring { parents_first(t, batch) } else { batch };
    for chunk in rows.chunks(BATCH) {
        insert(tx, backend, t, chunk).await?;
    }
    Ok(digest)
}

/// The digest of a table as it is in `conn`.
async fn digest_of(conn: &mut AnyConnection, t: &Table, blobs: &BTreeSet<String>) -> Result<TableDigest, StoreError> {
    let mut digest = TableDigest::default();
    let mut stream = sqlx::query(AssertSqlSafe(select(t))).fetch(&mut *conn);
    while let Some(r) = stream.try_next().await? {
        digest.add(&t.columns, &cells(&r, &t.columns, blobs)?);
    }
    Ok(digest)
}

/// What a copy did.
#[derive(Debug, Clone)]
pub struct CopyReport {
    pub tables: Vec<Copied>,
    /// Attached files taken from the source's files directory into the target's database.
    pub files: u64,
}

/// Copy the whole of `from` into `to`, a database that holds no organisation, account or audit
/// entry yet (what its migrations put there is replaced by the source's), then the source's files directory into `to`'s database. Returns every table as
/// copied and checked.
pub async fn copy_installation(from: &Store, to: &Store) -> Result<CopyReport, StoreError> {
    let latest = crate::migrate::latest();
    let mut src = from.pool().acquire().await?;
    if crate::migrate::schema_version(&mut src, from.backend).await? != latest {
        return Err(refused("the source's schema is not this version's: run `krousar migrate` on it first"));
    }
    let used: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM audit_log)")
            .fetch_one(to.pool())
            .await?;
    if used > 0 {
        return Err(refused("the target already holds records: copy only into a new, empty database"));
    }
    // Each engine's own migration bookkeeping stays; the name search indexes (an FTS5 table and
    // its shadow tables in SQLite, pg_trgm in PostgreSQL) are made again from the names.
    let search_index = |n: &str| n.ends_with("_search") || n.contains("_search_");
    let skip = |n: &str| n != "_sqlx_migrations" && n != "schema_migrations" && !search_index(n);
    let tables = ordered(tables_where(&mut src, from.backend, skip).await?)?;
    let target_tables: BTreeSet<String> =
        tables_where(&mut *to.pool().acquire().await?, to.backend, skip).await?.into_iter().map(|t| t.name).collect();
    if target_tables != tables.iter().map(|t| t.name.clone()).collect() {
        return Err(refused("the two databases do not have the same tables"));
    }
    // One snapshot of the source (SQLite: a read transaction; PostgreSQL: repeatable read).
    if from.backend == Backend::Postgres {
        sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *src).await?;
    } else {
        sqlx::query("BEGIN").execute(&mut *src).await?;
    }
    let mut tx = to.pool().begin().await?;
    for t in tables.iter().rev() {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", quoted(&t.name)))).execute(&mut *tx).await?;
    }
    let mut sums: BTreeMap<String, TableDigest> = BTreeMap::new();
    for t in &tables {
        let blobs = blob_columns(&mut src, from.backend, &t.name).await?;
        sums.insert(t.name.clone(), copy_table(&mut src, &mut tx, to.backend, t, &blobs).await?);
    }
    let _ = sqlx::query("ROLLBACK").execute(&mut *src).await;
    // Identity columns go on from the highest value copied.
    if to.backend == Backend::Postgres {
        for t in tables.iter().filter(|t| t.has("seq")) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{}', 'seq'), COALESCE(MAX(seq), 1), MAX(seq) IS NOT NULL) FROM {}",
                quoted(&t.name).replace('\'', "''"),
                quoted(&t.name)
            );
            if let Err(e) = sqlx::query(AssertSqlSafe(sql)).execute(&mut *tx).await {
                return Err(refused(format!("{}: {e}", t.name)));
            }
        }
    }
    // The check, inside the transaction: nothing is kept unless every table arrived whole.
    let mut out = Vec::new();
    for t in &tables {
        let blobs = blob_columns(&mut tx, to.backend, &t.name).await?;
        let there = digest_of(&mut tx, t, &blobs).await?;
        let here = sums.get(&t.name).map(TableDigest::text).unwrap_or_default();
        if there.text() != here {
            return Err(refused(format!("table {} did not arrive whole ({} rows read, {} written)", t.name, here, there.text())));
        }
        out.push(Copied { table: t.name.clone(), rows: there.rows, digest: there.text() });
    }
    // The files directory's files, then every file a record names, read back against its hash.
    let files = from.carry_files_in(&mut tx).await?;
    verify_files(&mut tx).await?;
    tx.commit().await?;
    sqlx::query("DELETE FROM settings WHERE key = 'search_keys_version'").execute(to.pool()).await?;
    to.ensure_search_keys().await?;
    Ok(CopyReport { tables: out, files })
}

/// Every file a record names (attachments, form answers' files, RCI documents, photos in both
/// sizes) is in the target's database with the bytes its record's hash was taken from.
async fn verify_files(tx: &mut Tx) -> Result<(), StoreError> {
    let named = "SELECT id, sha256 FROM attachments UNION ALL SELECT id, sha256 FROM rci_documents \
                 UNION ALL SELECT id, full_sha256 FROM profile_photos UNION ALL SELECT small_id, small_sha256 FROM profile_photos";
    let rows = sqlx::query(named).fetch_all(&mut **tx).await?;
    for r in rows {
        let (id, sha): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let uuid = uuid::Uuid::parse_str(&id).map_err(|_| refused(format!("a file id that is not one: {id}")))?;
        let name = crate::stored_files::FileName::Kept(uuid).key();
        let bytes: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT bytes FROM stored_files WHERE name = $1").bind(&name).fetch_optional(&mut **tx).await?;
        let Some(bytes) = bytes else {
            return Err(refused(format!("file {id} is missing (give the source's files directory with --files-dir)")));
        };
        if hex::encode(Sha256::digest(&bytes)) != sha {
            return Err(refused(format!("file {id} does not match its record's hash")));
        }
    }
    Ok(())
}
