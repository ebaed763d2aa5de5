//! An organisation's whole archive, to take its records to another Krousar installation: a zip
//! of JSON lines, one file per table (`records/<table>.jsonl`), the rows of other
//! organisations' tables that its records name (`references/`: an organisation's name, a
//! colleague's name, an institution), its attached files (`attachments/<id>`), a description of
//! every column (`schema.json`), a README, and a manifest with each file's SHA-256.
//!
//! Sensitive information leaves sealed by this installation's key unsealed (the other
//! installation seals it with its own): the archive must be kept as carefully as the records.
//! A row that refers to another organisation's child (a duplicate pair, say) stays behind; the
//! manifest counts what stayed behind and why.

pub mod catalogue;
mod load;

use crate::audit::Entry;
use crate::db::{now_text, Store};
use crate::error::StoreError;
use catalogue::{shared, Table};
use krousar_domain::Actor;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use uuid::Uuid;

pub const FORMAT: &str = "krousar-organisation-archive";
pub const VERSION: i64 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArchivedFile {
    pub path: String,
    pub rows: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArchiveManifest {
    pub format: String,
    pub version: i64,
    pub schema_version: i64,
    pub organisation: Uuid,
    pub organisation_name: String,
    pub exported_at: String,
    /// Every file but this manifest, records in the order they can be loaded.
    pub files: Vec<ArchivedFile>,
    /// Rows left behind, by table, because they refer to another organisation's records.
    pub left_behind: BTreeMap<String, i64>,
}

const README: &str = "Krousar organisation archive\n\
\n\
records/<table>.jsonl   one JSON object per row of the organisation's records, column: value\n\
                        (text, whole numbers, null); files in the order they load (a table after\n\
                        those it refers to); child_sensitive rows carry `plaintext` instead of the\n\
                        installation's sealed value, so keep this archive as safe as the records.\n\
references/<table>.jsonl  rows of other organisations that the records name (who referred,\n\
                        which organisation, which institution): names only, no other records.\n\
attachments/<id>        attached files, under the id of their attachments row.\n\
photos/<id>             profile photos (each in its two sizes), under the ids of their\n\
                        profile_photos row (records/profile_photos.jsonl).\n\
schema.json             every table: its columns, which are whole numbers, what they refer to,\n\
                        and how the organisation's rows were chosen.\n\
manifest.json           the organisation, the schema version, and each file's rows and SHA-256.\n\
\n\
Load it into another installation with: krousar import ARCHIVE.zip\n";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A row as a JSON object, column by column (integers as numbers, the rest as text).
pub(crate) fn row_json(r: &sqlx::any::AnyRow, table: &Table) -> Result<Map<String, Value>, StoreError> {
    let mut out = Map::new();
    for (c, int) in &table.columns {
        let v = if *int {
            r.try_get::<Option<i64>, _>(c.as_str())?.map_or(Value::Null, Value::from)
        } else {
            r.try_get::<Option<String>, _>(c.as_str())?.map_or(Value::Null, Value::String)
        };
        out.insert(c.clone(), v);
    }
    Ok(out)
}

fn key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Store {
    /// Write the archive of the actor's organisation to `out` (complete, or not at all).
    pub async fn export_archive(&self, actor: &Actor, out: &Path) -> Result<ArchiveManifest, StoreError> {
        crate::imports::allowed(actor)?;
        let org = actor.org_id.to_string();
        let mut read = self.pool.begin().await?;
        if self.backend == crate::db::Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *read).await?;
        }
        let tables = catalogue::tables(&mut read, self.backend).await?;
        let by_name: HashMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), t)).collect();
        let owned = catalogue::ownership(&tables);
        let owned_names: HashSet<&str> = owned.iter().map(|(n, _)| n.as_str()).collect();
        // The values each reference points at, as far as they were archived.
        let wanted: HashSet<(String, String)> =
            tables.iter().flat_map(|t| t.refs.iter().map(|(_, r, rc)| (r.clone(), rc.clone()))).collect();
        let mut archived: HashMap<(String, String), HashSet<String>> = HashMap::new();
        let mut needed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut left_behind: BTreeMap<String, i64> = BTreeMap::new();
        let mut files: Vec<(String, Vec<u8>, i64)> = Vec::new();
        let mut attachments: Vec<(String, String)> = Vec::new();
        let mut schema = Map::new();
        for (name, clause) in &owned {
            let table = by_name[name.as_str()];
            let order = if table.has("seq") {
                "seq".to_string()
            } else {
                (1..=table.columns.len().min(3)).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
            };
            let sql = format!("SELECT * FROM {name} WHERE {clause} ORDER BY {order}");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&org).fetch_all(&mut *read).await?;
            let mut lines = Vec::new();
            let mut kept = 0;
            'rows: for r in &rows {
                let mut row = row_json(r, table)?;
                for (c, rt, rc) in &table.refs {
                    let Some(v) = row.get(c).and_then(key) else { continue };
                    if *rt == *name || !by_name.contains_key(rt.as_str()) {
                        continue;
                    }
                    let known = archived.get(&(rt.clone(), rc.clone())).is_some_and(|s| s.contains(&v));
                    if known {
                        continue;
                    }
                    if shared(rt) {
                        needed.entry(rt.clone()).or_default().insert(v);
                    } else if owned_names.contains(rt.as_str()) {
                        *left_behind.entry(name.clone()).or_default() += 1;
                        continue 'rows;
                    }
                }
                if name == "users" {
                    // Sign-in secrets never leave: a password hash or a second-step secret in an
                    // archive is a colleague's account to crack offline (the loader sets a
                    // password nobody knows; people reset theirs).
                    for secret in ["password_hash", "totp_secret", "totp_key_id", "failed_logins", "locked_until"] {
                        row.remove(secret);
                    }
                }
                if name == "child_sensitive" {
                    let child = row.get("child_id").and_then(key).unwrap_or_default();
                    let sealed = row.remove("sealed").and_then(|v| key(&v)).unwrap_or_default();
                    let key_id = row.remove("key_id").and_then(|v| key(&v)).unwrap_or_default();
                    let plain = self.keys()?.open_sealed(&key_id, &child, &sealed)?;
                    row.insert("plaintext".into(), Value::String(String::from_utf8_lossy(&plain).into_owned()));
                }
                if name == "attachments" {
                    if let (Some(id), Some(h)) = (row.get("id").and_then(key), row.get("sha256").and_then(key)) {
                        attachments.push((id, h));
                    }
                }
                for (t, c) in wanted.iter().filter(|(t, _)| t == name) {
                    if let Some(v) = row.get(c).and_then(key) {
                        archived.entry((t.clone(), c.clone())).or_default().insert(v);
                    }
                }
                // The registration order is the receiving installation's to give.
                if name != "audit_log" {
                    row.remove("seq");
                }
                lines.push(serde_json::to_string(&row).map_err(|e| StoreError::Corrupt(e.to_string()))?);
                kept += 1;
            }
            let mut bytes = lines.join("\n").into_bytes();
            if !bytes.is_empty() {
                bytes.push(b'\n');
            }
            files.push((format!("records/{name}.jsonl"), bytes, kept));
            schema.insert(
                name.clone(),
                json!({
                    "columns": table.columns.iter().map(|(c, _)| c).collect::<Vec<_>>(),
                    "integer_columns": table.columns.iter().filter(|(_, i)| *i).map(|(c, _)| c).collect::<Vec<_>>(),
                    "references": table.refs.iter().map(|(c, t, rc)| format!("{c} → {t}.{rc}")).collect::<Vec<_>>(),
                    "rows": format!("WHERE {clause}"),
                }),
            );
        }
        // Profile photos name their record by kind and id (a child or a carer household), which
        // the catalogue cannot follow: the photos of the records archived go with them, files too.
        let mut photos: Vec<(String, String)> = Vec::new();
        if let Some(table) = by_name.get("profile_photos") {
            let ids = |t: &str| archived.get(&(t.to_string(), "id".to_string())).cloned().unwrap_or_default();
            let (children, carers) = (ids("children"), ids("carers"));
            let rows = sqlx::query("SELECT * FROM profile_photos ORDER BY created_at, id").fetch_all(&mut *read).await?;
            let mut lines = Vec::new();
            for r in &rows {
                let row = row_json(r, table)?;
                let owner = row.get("owner_id").and_then(key).unwrap_or_default();
                let ours = match row.get("owner_type").and_then(key).as_deref() {
                    Some("child") => children.contains(&owner),
                    Some("carer") => carers.contains(&owner),
                    _ => false,
                };
                if !ours {
                    continue;
                }
                for (id, hash) in [("id", "full_sha256"), ("small_id", "small_sha256")] {
                    if let (Some(i), Some(h)) = (row.get(id).and_then(key), row.get(hash).and_then(key)) {
                        photos.push((i, h));
                    }
                }
                lines.push(serde_json::to_string(&row).map_err(|e| StoreError::Corrupt(e.to_string()))?);
            }
            let n = lines.len() as i64;
            let mut bytes = lines.join("\n").into_bytes();
            if !bytes.is_empty() {
                bytes.push(b'\n');
            }
            files.push(("records/profile_photos.jsonl".into(), bytes, n));
            schema.insert(
                "profile_photos".into(),
                json!({
                    "columns": table.columns.iter().map(|(c, _)| c).collect::<Vec<_>>(),
                    "integer_columns": table.columns.iter().filter(|(_, i)| *i).map(|(c, _)| c).collect::<Vec<_>>(),
                    "references": ["owner_id → children.id or carers.id, by owner_type", "uploaded_by → users.id"],
                    "rows": "the photos of the children and carer households archived",
                }),
            );
        }
        // Other organisations' rows the records name: enough to show who and where.
        let mut referenced = Vec::new();
        // In the order they load: organisations, then their people, then institutions.
        for table in ["organisations", "users", "rcis"] {
            let Some(ids) = needed.get(table) else { continue };
            let t = by_name[table];
            let columns: &[&str] = match table {
                "organisations" => &["id", "name", "kind", "code", "created_at"],
                "users" => &["id", "org_id", "display_name", "role", "created_at"],
                _ => &[],
            };
            let mut lines = Vec::new();
            for id in ids {
                let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table} WHERE id = $1")))
                    .bind(id)
                    .fetch_optional(&mut *read)
                    .await?;
                let Some(r) = r else { continue };
                let mut row = row_json(&r, t)?;
                if !columns.is_empty() {
                    row.retain(|c, _| columns.contains(&c.as_str()));
                }
                lines.push(serde_json::to_string(&row).map_err(|e| StoreError::Corrupt(e.to_string()))?);
            }
            let n = lines.len() as i64;
            referenced.push((format!("references/{table}.jsonl"), (lines.join("\n") + "\n").into_bytes(), n));
        }
        files.splice(0..0, referenced);
        let schema_version = crate::migrate::schema_version(&mut read, self.backend).await?;
        let organisation_name: String =
            sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1").bind(&org).fetch_one(&mut *read).await?;
        drop(read);
        for (folder, list) in [("attachments", &attachments), ("photos", &photos)] {
            for (id, hash) in list {
                let uuid = Uuid::parse_str(id).map_err(|_| StoreError::Corrupt(format!("{folder} id")))?;
                let bytes = self.read_checked(uuid, hash).await?;
                files.push((format!("{folder}/{id}"), bytes, 1));
            }
        }
        files.push(("schema.json".into(), serde_json::to_vec_pretty(&schema).map_err(|e| StoreError::Corrupt(e.to_string()))?, 0));
        files.push(("README.txt".into(), README.as_bytes().to_vec(), 0));
        let manifest = ArchiveManifest {
            format: FORMAT.into(),
            version: VERSION,
            schema_version,
            organisation: actor.org_id,
            organisation_name,
            exported_at: now_text(),
            files: files.iter().map(|(p, b, n)| ArchivedFile { path: p.clone(), rows: *n, sha256: sha(b) }).collect(),
            left_behind,
        };
        let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let out = out.to_path_buf();
        tokio::task::spawn_blocking(move || write_zip(&out, &files, &manifest_bytes))
            .await
            .map_err(|e| StoreError::Config(e.to_string()))??;
        let detail = json!({"files": manifest.files.len(), "left_behind": manifest.left_behind, "schema_version": schema_version});
        self.audit_read(actor.into(), Entry { action: "org.archive_export", record_type: "organisation", record_id: Some(org), detail })
            .await?;
        Ok(manifest)
    }
}

/// The zip, written beside its place and renamed into it.
fn write_zip(out: &Path, files: &[(String, Vec<u8>, i64)], manifest: &[u8]) -> Result<(), StoreError> {
    let io = |e: std::io::Error| StoreError::Config(format!("archive: {e}"));
    let zerr = |e: zip::result::ZipError| StoreError::Config(format!("archive: {e}"));
    let tmp = out.with_extension("part");
    let mut zip = zip::ZipWriter::new(crate::private_files::create_private(&tmp).map_err(io)?);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("manifest.json", options).map_err(zerr)?;
    zip.write_all(manifest).map_err(io)?;
    for (path, bytes, _) in files {
        zip.start_file(path.as_str(), options).map_err(zerr)?;
        zip.write_all(bytes).map_err(io)?;
    }
    let file = zip.finish().map_err(zerr)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, out).map_err(io)?;
    Ok(())
}
