//! Saved search keys made again when krousar-match makes them differently. The children's and
//! households' name indexes and the places' keys are saved, so a change to how keys are made
//! (issue 21: Khmer vowel folding) would leave every record made before it unfindable by the
//! new query terms. The setting `search_keys_version` says which `krousar_match::KEYS_VERSION`
//! the saved keys were made with; at start, an older (or missing) one has them all made again,
//! in one transaction, before the server answers anything.

use crate::audit::{self, Entry, Who};
use crate::db::{Backend, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::search_index::{self, Index};
use serde_json::json;
use std::collections::BTreeMap;

const SETTING: &str = "search_keys_version";
/// Records read and indexed per statement (a million children is 200 rounds).
const CHUNK: i64 = 5_000;

impl Store {
    /// The version the saved keys were made with (`None`: before versions were kept).
    pub async fn search_keys_version(&self) -> Result<Option<i64>, StoreError> {
        let v: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(SETTING).fetch_optional(&self.pool).await?;
        Ok(v.and_then(|v| v.parse().ok()))
    }

    /// Make every saved key again unless they are of the current version. Several servers
    /// starting at once: one rebuilds, the others wait and then find nothing to do. Returns
    /// whether it rebuilt.
    pub async fn ensure_search_keys(&self) -> Result<bool, StoreError> {
        if self.search_keys_version().await? == Some(krousar_match::KEYS_VERSION) {
            return Ok(false);
        }
        let mut tx = self.write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(4721)").execute(&mut *tx).await?;
        }
        let v: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(SETTING).fetch_optional(&mut *tx).await?;
        if v.and_then(|v| v.parse::<i64>().ok()) == Some(krousar_match::KEYS_VERSION) {
            return Ok(false);
        }
        let children = rebuild_children(&mut tx, self.backend).await?;
        let households = rebuild_households(&mut tx, self.backend).await?;
        let places = rebuild_places(&mut tx).await?;
        sqlx::query("DELETE FROM settings WHERE key = $1").bind(SETTING).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(SETTING)
            .bind(krousar_match::KEYS_VERSION.to_string())
            .execute(&mut *tx)
            .await?;
        // A new database has nothing to rebuild and nothing to say.
        if children + households > 0 {
            let detail = json!({"version": krousar_match::KEYS_VERSION, "children": children, "households": households, "places": places});
            audit::append(&mut tx, Who::system(), Entry { action: "search.keys_rebuilt", record_type: "search", record_id: None, detail })
                .await?;
        }
        tx.commit().await?;
        self.forget_places();
        Ok(true)
    }
}

async fn max_seq(tx: &mut Tx, table: &str) -> Result<i64, StoreError> {
    let n: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT MAX(seq) FROM {table}"))).fetch_one(&mut **tx).await?;
    Ok(n.unwrap_or(0))
}

/// Every child's keys, as `children::search_keys` makes them; a merged record's are empty, as
/// the merge left them (`merge.rs`).
async fn rebuild_children(tx: &mut Tx, backend: Backend) -> Result<usize, StoreError> {
    sqlx::query("DELETE FROM child_search").execute(&mut **tx).await?;
    let (max, mut done, mut lo) = (max_seq(tx, "children").await?, 0, 0);
    while lo < max {
        let rows = sqlx::query(
            "SELECT seq, merged_into, family_name_km, given_name_km, family_name_latin, given_name_latin, nickname FROM children \
             WHERE seq > $1 AND seq <= $2",
        )
        .bind(lo)
        .bind(lo + CHUNK)
        .fetch_all(&mut **tx)
        .await?;
        let mut keyed = Vec::with_capacity(rows.len());
        for r in &rows {
            let keys = if r.opt_text("merged_into")?.is_some() {
                String::new()
            } else {
                let names = ["family_name_km", "given_name_km", "family_name_latin", "given_name_latin", "nickname"].map(|c| r.opt_text(c));
                let names: Vec<String> = names.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
                krousar_match::name_keys(names.iter().map(String::as_str))
            };
            keyed.push((r.int("seq")?, keys));
        }
        search_index::write_many(tx, backend, Index::Children, &keyed).await?;
        done += keyed.len();
        lo += CHUNK;
    }
    Ok(done)
}

/// Every household's keys, as `households::keys` makes them: its name and its members'.
async fn rebuild_households(tx: &mut Tx, backend: Backend) -> Result<usize, StoreError> {
    sqlx::query("DELETE FROM household_search").execute(&mut **tx).await?;
    let (max, mut done, mut lo) = (max_seq(tx, "households").await?, 0, 0);
    while lo < max {
        let rows = sqlx::query(
            "SELECT h.seq, h.name, m.name_km, m.name_latin FROM households h LEFT JOIN household_members m ON m.household_id = h.id \
             WHERE h.seq > $1 AND h.seq <= $2 ORDER BY h.seq, m.position",
        )
        .bind(lo)
        .bind(lo + CHUNK)
        .fetch_all(&mut **tx)
        .await?;
        let mut names: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for r in &rows {
            let entry = match names.entry(r.int("seq")?) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(vec![r.text("name")?]),
            };
            entry.extend(r.opt_text("name_km")?);
            entry.extend(r.opt_text("name_latin")?);
        }
        let keyed: Vec<(i64, String)> =
            names.into_iter().map(|(seq, n)| (seq, krousar_match::name_keys(n.iter().map(String::as_str)))).collect();
        search_index::write_many(tx, backend, Index::Households, &keyed).await?;
        done += keyed.len();
        lo += CHUNK;
    }
    Ok(done)
}

/// Every place's keys (`locations::place_keys`), written only where they changed.
async fn rebuild_places(tx: &mut Tx) -> Result<usize, StoreError> {
    let rows = sqlx::query("SELECT code, name_km, name_latin, former_names, keys FROM locations").fetch_all(&mut **tx).await?;
    let mut changed = 0;
    for r in &rows {
        let keys = crate::locations::place_keys(&r.text("name_km")?, &r.text("name_latin")?, &r.text("former_names")?);
        if keys != r.text("keys")? {
            sqlx::query("UPDATE locations SET keys = $1 WHERE code = $2").bind(&keys).bind(r.text("code")?).execute(&mut **tx).await?;
            changed += 1;
        }
    }
    Ok(changed)
}
