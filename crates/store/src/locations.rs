//! Places of the gazetteer in the database: loading a release, searching, and address paths.
//! A new release adds and renames places but never deletes one, so no recorded address breaks.

use crate::audit::{self, Entry, Who};
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::gazetteer::{Level, Place};
use crate::sql::Sql;
use krousar_match::place::{UNIT_WORDS_KM, UNIT_WORDS_LATIN};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// `code`, if given, is a village of the gazetteer; else `field` is refused. The one check of
/// every record that names a village (children, households, RCIs, tracing).
pub(crate) async fn known_village(tx: &mut crate::db::Tx, field: &'static str, code: Option<&str>) -> Result<(), StoreError> {
    let Some(code) = code else { return Ok(()) };
    let n = sqlx::query("SELECT COUNT(*) AS n FROM locations WHERE code = $1 AND level = 'village'")
        .bind(code)
        .fetch_one(&mut **tx)
        .await?
        .int("n")?;
    if n == 0 {
        return Err(StoreError::invalid(field, "err-unknown-place"));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Location {
    pub code: String,
    pub level: String,
    pub name_km: String,
    pub name_latin: String,
    pub parent_code: Option<String>,
}

/// A place with the names of everything above it, for display ("Ou Thum, Banteay Neang, …").
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct LocationPath {
    pub code: String,
    pub level: String,
    /// From province down to this place.
    pub parts: Vec<Location>,
}

impl LocationPath {
    pub fn label(&self, khmer: bool) -> String {
        let names: Vec<&str> = self.parts.iter().rev().map(|p| if khmer { p.name_km.as_str() } else { p.name_latin.as_str() }).collect();
        names.join(", ")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub renamed: usize,
    pub unchanged: usize,
    pub retired: usize,
}

/// Search keys of a place: its names, former names, and the names without unit words.
pub fn place_keys(name_km: &str, name_latin: &str, former: &str) -> String {
    let mut km = name_km.to_string();
    for w in UNIT_WORDS_KM {
        if let Some(rest) = km.strip_prefix(w).filter(|r| !r.is_empty()) {
            km = rest.to_string();
        }
    }
    let latin: String =
        name_latin.split_whitespace().filter(|w| !UNIT_WORDS_LATIN.contains(&w.to_lowercase().as_str())).collect::<Vec<_>>().join(" ");
    let latin_joined = latin.replace(' ', "");
    krousar_match::name_keys([name_km, km.as_str(), name_latin, latin_joined.as_str(), former])
}

pub(crate) fn location_from(r: &sqlx::any::AnyRow) -> Result<Location, StoreError> {
    Ok(Location {
        code: r.text("code")?,
        level: r.text("level")?,
        name_km: r.text("name_km")?,
        name_latin: r.text("name_latin")?,
        parent_code: r.opt_text("parent_code")?,
    })
}

impl Store {
    /// Load a gazetteer release: add new places, rename changed ones (keeping the former names
    /// searchable), and mark places missing from the release as retired.
    pub async fn import_places(&self, who: Who, release: &str, places: &[Place]) -> Result<ImportSummary, StoreError> {
        let mut tx = self.write().await?;
        let existing: HashMap<String, (String, String, String)> =
            sqlx::query("SELECT code, name_km, name_latin, former_names FROM locations")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.text("code")?, (r.text("name_km")?, r.text("name_latin")?, r.text("former_names")?))))
                .collect::<Result<_, StoreError>>()?;
        let mut summary = ImportSummary::default();
        let mut fresh: Vec<&Place> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for p in places {
            if !seen.insert(p.code.as_str()) {
                continue;
            }
            match existing.get(&p.code) {
                None => fresh.push(p),
                Some((km, latin, _)) if *km == p.name_km && *latin == p.name_latin => summary.unchanged += 1,
                Some((km, latin, former)) => {
                    let former = format!("{former} {km} {latin}").trim().to_string();
                    sqlx::query("UPDATE locations SET name_km = $1, name_latin = $2, kind_km = $3, former_names = $4, keys = $5, retired = 0 WHERE code = $6")
                        .bind(&p.name_km)
                        .bind(&p.name_latin)
                        .bind(&p.kind_km)
                        .bind(&former)
                        .bind(place_keys(&p.name_km, &p.name_latin, &former))
                        .bind(&p.code)
                        .execute(&mut *tx)
                        .await?;
                    summary.renamed += 1;
                }
            }
        }
        // Parents before children, in batches of 40 places per statement (see `sql.rs`).
        fresh.sort_by_key(|p| (p.level, p.code.clone()));
        for chunk in fresh.chunks(40) {
            let mut q = Sql::new("INSERT INTO locations (code, level, parent_code, name_km, name_latin, kind_km, keys) VALUES ");
            for (i, p) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push("(").bind_text(p.code.clone()).push(", ").bind_text(p.level.as_str()).push(", ");
                q.bind_opt_text(p.parent_code().map(str::to_string));
                q.push(", ")
                    .bind_text(p.name_km.clone())
                    .push(", ")
                    .bind_text(p.name_latin.clone())
                    .push(", ")
                    .bind_text(p.kind_km.clone());
                q.push(", ").bind_text(place_keys(&p.name_km, &p.name_latin, "")).push(")");
            }
            q.query().execute(&mut *tx).await?;
        }
        summary.added = fresh.len();
        let codes: std::collections::HashSet<&str> = places.iter().map(|p| p.code.as_str()).collect();
        for code in existing.keys().filter(|c| !codes.contains(c.as_str())) {
            sqlx::query("UPDATE locations SET retired = 1 WHERE code = $1").bind(code).execute(&mut *tx).await?;
            summary.retired += 1;
        }
        // A new version tells every app server to re-read its in-memory copy.
        sqlx::query("DELETE FROM settings WHERE key = 'gazetteer_version'").execute(&mut *tx).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ('gazetteer_version', $1)")
            .bind(krousar_domain::new_id().to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            who,
            Entry { action: "gazetteer.import", record_type: "gazetteer", record_id: Some(release.to_string()), detail: json!(summary) },
        )
        .await?;
        tx.commit().await?;
        self.forget_places();
        Ok(summary)
    }

    pub async fn location_count(&self) -> Result<i64, StoreError> {
        sqlx::query("SELECT COUNT(*) AS n FROM locations").fetch_one(&self.pool).await?.int("n")
    }

    /// The place and its ancestors, or `NotFound` for an unknown code.
    pub async fn location_path(&self, code: &str) -> Result<LocationPath, StoreError> {
        let mut paths = self.location_paths(&[code.to_string()]).await?;
        paths.pop().ok_or(StoreError::NotFound)
    }

    /// Paths of many places, from the in-memory gazetteer.
    pub async fn location_paths(&self, codes: &[String]) -> Result<Vec<LocationPath>, StoreError> {
        let snap = self.places().await?;
        Ok(codes
            .iter()
            .filter_map(|c| {
                let me = snap.by_code.get(c)?;
                let parts = [2, 4, 6, 8].iter().filter(|&&n| n <= c.len()).filter_map(|&n| snap.by_code.get(&c[..n]).cloned()).collect();
                Some(LocationPath { code: c.clone(), level: me.level.clone(), parts })
            })
            .collect())
    }

    /// Places directly under `parent` (provinces when `None`), for cascading selects.
    pub async fn child_locations(&self, parent: Option<&str>) -> Result<Vec<Location>, StoreError> {
        let snap = self.places().await?;
        let codes = snap.children.get(parent.unwrap_or("")).map(Vec::as_slice).unwrap_or_default();
        Ok(codes.iter().filter_map(|c| snap.by_code.get(c).cloned()).collect())
    }

    /// Type-ahead and address lookup: places whose names in either script are most like
    /// `query` (ranked by `krousar_match::place_index`), best first; ties go to the higher level.
    pub async fn search_locations(
        &self,
        query: &str,
        level: Option<Level>,
        within: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LocationPath>, StoreError> {
        let snap = self.places().await?;
        let within = within.filter(|w| w.bytes().all(|b| b.is_ascii_digit())).unwrap_or("");
        // At most 200 characters are read: no name is longer, and a longer query is only work.
        let query: String = query.chars().take(200).collect();
        let limit = limit.clamp(1, 50) as usize;
        let key = (query, level, within.to_string(), limit);
        let known = snap.answers.lock().expect("not poisoned").get(&key).cloned();
        let codes = match known {
            Some(codes) => codes,
            None => {
                let codes: Vec<String> = snap.index.search(&key.0, level, within, limit).into_iter().map(|h| h.code).collect();
                let mut answers = snap.answers.lock().expect("not poisoned");
                if answers.len() >= crate::places_cache::ANSWERS_KEPT {
                    answers.clear();
                }
                answers.insert(key, codes.clone());
                codes
            }
        };
        self.location_paths(&codes).await
    }
}
