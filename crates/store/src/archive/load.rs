//! Loading an organisation's archive into this installation: every file checked against the
//! manifest, the schema matched column by column, the organisation and its usernames new here;
//! then everything in one transaction — other organisations' names it refers to (added only if
//! missing), its records in the archive's order, sensitive information sealed with this
//! installation's key, its audit history kept apart (`archived_audit`), its files, and its
//! search indexes rebuilt — or nothing.

use super::catalogue::{self, Table};
use super::{sha, ArchiveManifest, FORMAT, VERSION};
use crate::audit::{self, Entry, Who};
use crate::bulk_rows::insert_rows;
use crate::db::{RowExt, Store, Tx};
use crate::error::StoreError;
use crate::imports::NO_PASSWORD;
use crate::search_index::{self, Index};
use crate::sql::Value;
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use uuid::Uuid;

fn refused(why: impl Into<String>) -> StoreError {
    StoreError::Config(format!("archive refused: {}", why.into()))
}

/// The archive's files, read and checked against the manifest.
fn open(path: &Path) -> Result<(ArchiveManifest, BTreeMap<String, Vec<u8>>), StoreError> {
    let file = std::fs::File::open(path).map_err(|e| refused(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| refused(e.to_string()))?;
    let mut read = |name: &str| -> Result<Vec<u8>, StoreError> {
        let mut entry = zip.by_name(name).map_err(|_| refused(format!("{name} is missing")))?;
        let mut bytes = Vec::new();
        // No part of an archive is larger than what its manifest says it checked.
        (&mut entry).take(2 * 1024 * 1024 * 1024).read_to_end(&mut bytes).map_err(|e| refused(e.to_string()))?;
        Ok(bytes)
    };
    let manifest: ArchiveManifest = serde_json::from_slice(&read("manifest.json")?).map_err(|e| refused(format!("manifest: {e}")))?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(refused(format!("not a Krousar organisation archive of version {VERSION}")));
    }
    let mut files = BTreeMap::new();
    for f in &manifest.files {
        let bytes = read(&f.path)?;
        if sha(&bytes) != f.sha256 {
            return Err(refused(format!("{} does not match its checksum", f.path)));
        }
        files.insert(f.path.clone(), bytes);
    }
    Ok((manifest, files))
}

fn rows_of(bytes: &[u8]) -> Result<Vec<Map<String, Json>>, StoreError> {
    std::str::from_utf8(bytes)
        .map_err(|e| refused(e.to_string()))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| refused(e.to_string())))
        .collect()
}

fn value(v: Option<&Json>, int: bool) -> Value {
    match (v, int) {
        (Some(Json::Number(n)), true) => Value::Int(n.as_i64().unwrap_or_default()),
        (Some(Json::String(s)), true) => s.parse().map_or(Value::NullInt, Value::Int),
        (Some(Json::String(s)), false) => Value::Text(s.clone()),
        (Some(Json::Number(n)), false) => Value::Text(n.to_string()),
        (_, true) => Value::NullInt,
        (_, false) => Value::NullText,
    }
}

/// Rows of a table that refers to itself (a team's parent team), parents first.
fn parents_first(table: &Table, mut rows: Vec<Map<String, Json>>) -> Vec<Map<String, Json>> {
    let Some((col, _, target)) = table.refs.iter().find(|(_, t, _)| *t == table.name) else { return rows };
    let mut placed: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    while !rows.is_empty() {
        let before = rows.len();
        rows.retain(|r| {
            let ready = r.get(col).and_then(|v| v.as_str()).is_none_or(|p| placed.contains(p));
            if ready {
                placed.extend(r.get(target).and_then(|v| v.as_str()).map(str::to_string));
                out.push(r.clone());
            }
            !ready
        });
        if rows.len() == before {
            out.append(&mut rows);
        }
    }
    out
}

async fn insert(tx: &mut Tx, store: &Store, table: &Table, rows: &[Map<String, Json>]) -> Result<(), StoreError> {
    let Some(first) = rows.first() else { return Ok(()) };
    let columns: Vec<(&str, bool)> =
        table.columns.iter().filter(|(c, _)| c != "seq" && first.contains_key(c.as_str())).map(|(c, i)| (c.as_str(), *i)).collect();
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let values: Vec<Vec<Value>> = rows.iter().map(|r| columns.iter().map(|(c, i)| value(r.get(*c), *i)).collect()).collect();
    insert_rows(tx, store.backend, &table.name, &names, &values).await
}

/// One row of another organisation, added only if this installation lacks it.
async fn reference(tx: &mut Tx, table: &Table, row: &Map<String, Json>) -> Result<(), StoreError> {
    let id = row.get("id").and_then(|v| v.as_str()).unwrap_or_default();
    let there: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {} WHERE id = $1", table.name)))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    if there > 0 {
        return Ok(());
    }
    let mut row = row.clone();
    // What it refers to in turn (who registered an institution) may not be here: left blank.
    for (c, rt, rc) in &table.refs {
        let Some(v) = row.get(c).and_then(|v| v.as_str()).map(str::to_string) else { continue };
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {rt} WHERE {rc} = $1")))
            .bind(v)
            .fetch_one(&mut **tx)
            .await?;
        if n == 0 && c != "org_id" {
            row.insert(c.clone(), Json::Null);
        }
    }
    match table.name.as_str() {
        // A colleague elsewhere, named on the records: an account no one can sign in to.
        "users" => {
            row.insert("username".into(), Json::String(format!("archived-{}", &id.replace('-', "")[..12.min(id.len())])));
            row.insert("password_hash".into(), Json::String(NO_PASSWORD.into()));
            row.insert("disabled".into(), Json::from(1));
        }
        "organisations" => {
            let code = row.get("code").and_then(|v| v.as_str()).unwrap_or("X").to_string();
            row.insert("code".into(), Json::String(format!("{code}-{}", &id[..4.min(id.len())])));
        }
        _ => {}
    }
    let columns: Vec<(&String, bool)> = table.columns.iter().filter(|(c, _)| row.contains_key(c.as_str())).map(|(c, i)| (c, *i)).collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        columns.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", "),
        marks.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (c, int) in &columns {
        q = match value(row.get(c.as_str()), *int) {
            Value::Int(n) => q.bind(n),
            Value::NullInt => q.bind(None::<i64>),
            Value::Text(s) => q.bind(s),
            Value::NullText => q.bind(None::<String>),
        };
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// Load an archive made by `export_archive` (by this or another installation). Returns
    /// the organisation's id.
    pub async fn import_archive(&self, path: &Path) -> Result<Uuid, StoreError> {
        let path = path.to_path_buf();
        let (manifest, files) = tokio::task::spawn_blocking(move || open(&path)).await.map_err(|e| StoreError::Config(e.to_string()))??;
        // The archive is named by its manifest, which holds every file's checksum.
        let archive_sha = sha(&serde_json::to_vec(&manifest).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        let here = crate::migrate::schema_version(&mut *self.pool.acquire().await?, self.backend).await?;
        if manifest.schema_version > here {
            return Err(refused(format!(
                "made by a newer Krousar (schema {}; this one has {here}): upgrade first",
                manifest.schema_version
            )));
        }
        let org = manifest.organisation.to_string();
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE id = $1").bind(&org).fetch_one(&self.pool).await?;
        if exists > 0 {
            return Err(refused(format!("{} is already in this installation", manifest.organisation_name)));
        }
        let mut conn = self.pool.acquire().await?;
        let tables: HashMap<String, Table> =
            catalogue::tables(&mut conn, self.backend).await?.into_iter().map(|t| (t.name.clone(), t)).collect();
        drop(conn);
        // Every table and column of the archive must be here.
        let mut records: Vec<(&Table, Vec<Map<String, Json>>)> = Vec::new();
        let mut references: Vec<(&Table, Vec<Map<String, Json>>)> = Vec::new();
        for f in &manifest.files {
            let Some((kind, name)) = f.path.strip_suffix(".jsonl").and_then(|p| p.split_once('/')) else { continue };
            let table = tables.get(name).ok_or_else(|| refused(format!("this installation has no table {name}")))?;
            let mut rows = rows_of(&files[&f.path])?;
            if name == "users" {
                // Archives carry no sign-in secrets: the people set their passwords again.
                for r in &mut rows {
                    r.entry("password_hash").or_insert_with(|| Json::String(NO_PASSWORD.into()));
                }
            }
            for r in &rows {
                if let Some(c) = r.keys().find(|c| !(table.has(c) || name == "child_sensitive" && *c == "plaintext")) {
                    return Err(refused(format!("this installation has no column {name}.{c}")));
                }
            }
            match kind {
                "references" => references.push((table, rows)),
                _ => records.push((table, rows)),
            }
        }
        let usernames: Vec<String> = records
            .iter()
            .filter(|(t, _)| t.name == "users")
            .flat_map(|(_, rows)| rows.iter().filter_map(|r| r.get("username").and_then(|v| v.as_str()).map(str::to_string)))
            .collect();
        let taken: Vec<String> = sqlx::query_scalar::<_, String>("SELECT username FROM users")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .filter(|u| usernames.contains(u))
            .collect();
        if !taken.is_empty() {
            return Err(refused(format!("these usernames are taken here: {}", taken.join(", "))));
        }

        // What each attached file must be: the hash its own row names. The manifest proves only
        // that the archive is as it was made; a file not named by a record of the archive, or
        // not the one its record describes, is refused.
        let mut expected: HashMap<String, String> = HashMap::new();
        for (table, rows) in &records {
            let named: &[(&str, &str)] = match table.name.as_str() {
                "attachments" => &[("id", "sha256")],
                "profile_photos" => &[("id", "full_sha256"), ("small_id", "small_sha256")],
                _ => &[],
            };
            for r in rows {
                for (id, hash) in named {
                    if let (Some(Json::String(id)), Some(Json::String(hash))) = (r.get(*id), r.get(*hash)) {
                        expected.insert(id.clone(), hash.clone());
                    }
                }
            }
        }

        let mut tx = self.write().await?;
        for (table, rows) in &references {
            for r in rows {
                reference(&mut tx, table, r).await?;
            }
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (table, rows) in records {
            counts.insert(table.name.clone(), rows.len());
            match table.name.as_str() {
                // Another installation's hash chain: kept as it was, apart from this one's.
                "audit_log" => {
                    let kept: Vec<Vec<Value>> = rows
                        .iter()
                        .map(|r| {
                            vec![
                                Value::Text(org.clone()),
                                Value::Text(archive_sha.clone()),
                                Value::Text(Json::Object(r.clone()).to_string()),
                            ]
                        })
                        .collect();
                    insert_rows(&mut tx, self.backend, "archived_audit", &["org_id", "archive_sha256", "entry"], &kept).await?;
                }
                "child_sensitive" => {
                    let keys = self.keys()?;
                    let mut sealed = Vec::with_capacity(rows.len());
                    for mut r in rows {
                        let child = r.get("child_id").and_then(|v| v.as_str()).unwrap_or_default().to_string();
                        let plain = r.remove("plaintext").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                        let (key_id, value) = keys.seal(&child, plain.as_bytes())?;
                        r.insert("key_id".into(), Json::String(key_id));
                        r.insert("sealed".into(), Json::String(value));
                        sealed.push(r);
                    }
                    insert(&mut tx, self, table, &sealed).await?;
                }
                _ => insert(&mut tx, self, table, &parents_first(table, rows)).await?,
            }
        }
        // Attached files, each checked against its row's hash (`expected`).
        for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("attachments/") || p.starts_with("photos/")) {
            let name = path.split_once('/').map_or("", |(_, n)| n);
            let id = Uuid::parse_str(name).map_err(|_| refused(format!("{path}: not a file id")))?;
            if expected.get(name) != Some(&sha(bytes)) {
                return Err(refused(format!("{path}: not the file its record names")));
            }
            self.put_file_in(&mut tx, crate::stored_files::FileName::Kept(id), bytes).await?;
        }
        reindex(&mut tx, self, &org).await?;
        let detail = json!({"archive": archive_sha, "organisation": manifest.organisation_name, "exported_at": manifest.exported_at, "rows": counts});
        audit::append(
            &mut tx,
            Who::system(),
            Entry { action: "org.archive_import", record_type: "organisation", record_id: Some(org), detail },
        )
        .await?;
        tx.commit().await?;
        Ok(manifest.organisation)
    }
}

/// The name search of the organisation's children and households, from their loaded rows.
async fn reindex(tx: &mut Tx, store: &Store, org: &str) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT seq, family_name_km, given_name_km, family_name_latin, given_name_latin, nickname FROM children WHERE org_id = $1",
    )
    .bind(org)
    .fetch_all(&mut **tx)
    .await?;
    let mut keyed = Vec::with_capacity(rows.len());
    for r in &rows {
        let names = ["family_name_km", "given_name_km", "family_name_latin", "given_name_latin", "nickname"].map(|c| r.opt_text(c));
        let names: Vec<String> = names.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
        keyed.push((r.int("seq")?, krousar_match::name_keys(names.iter().map(String::as_str))));
    }
    search_index::write_many(tx, store.backend, Index::Children, &keyed).await?;
    let rows = sqlx::query(
        "SELECT h.seq, h.name, m.name_km, m.name_latin FROM households h LEFT JOIN household_members m ON m.household_id = h.id \
         WHERE h.org_id = $1 ORDER BY h.seq, m.position",
    )
    .bind(org)
    .fetch_all(&mut **tx)
    .await?;
    let mut names: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in &rows {
        let entry = names.entry(r.int("seq")?).or_insert_with(|| vec![r.text("name").unwrap_or_default()]);
        entry.extend(r.opt_text("name_km")?);
        entry.extend(r.opt_text("name_latin")?);
    }
    let keyed: Vec<(i64, String)> =
        names.into_iter().map(|(seq, n)| (seq, krousar_match::name_keys(n.iter().map(String::as_str)))).collect();
    search_index::write_many(tx, store.backend, Index::Households, &keyed).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_their_children() {
        let table = Table {
            name: "teams".into(),
            columns: vec![("id".into(), false), ("parent_id".into(), false)],
            refs: vec![("parent_id".into(), "teams".into(), "id".into())],
            nullable: vec!["parent_id".into()],
        };
        let row = |id: &str, parent: Option<&str>| {
            let mut m = Map::new();
            m.insert("id".into(), Json::String(id.into()));
            m.insert("parent_id".into(), parent.map_or(Json::Null, |p| Json::String(p.into())));
            m
        };
        let ordered = parents_first(&table, vec![row("c", Some("b")), row("b", Some("a")), row("a", None)]);
        let ids: Vec<&str> = ordered.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
