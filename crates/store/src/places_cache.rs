//! The gazetteer in memory. Sixteen thousand places change once a year, but every page with an
//! address reads them: a copy in memory answers type-ahead, cascading selects and address
//! labels without a query. Each server re-reads it when the `gazetteer_version` setting changes
//! (checked at most once a minute), so an import made elsewhere reaches every app server.

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::locations::Location;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const RECHECK: Duration = Duration::from_secs(60);

pub(crate) struct Snapshot {
    pub version: String,
    pub by_code: HashMap<String, Location>,
    /// Codes under each parent ("" for provinces), in code order, without retired places.
    pub children: HashMap<String, Vec<String>>,
    /// Places that are not retired, under every name they have had, for ranked search.
    pub index: Arc<krousar_match::place_index::PlaceIndex>,
    /// Answers already given by this copy: a type-ahead is asked the same beginnings ("ka",
    /// "kam", "kampong") by every user, and ranking one costs a few hundred microseconds.
    pub answers: std::sync::Mutex<HashMap<AnswerKey, Vec<String>>>,
}

/// (query, level, within, limit) of a place search.
pub(crate) type AnswerKey = (String, Option<krousar_match::place::Level>, String, usize);

/// Answers kept per copy; past this the list starts again (simpler than least-recently-used,
/// and a type-ahead's common beginnings come back within seconds).
pub(crate) const ANSWERS_KEPT: usize = 4096;

/// The snapshot and when its version was last checked.
type Slot = Option<(Arc<Snapshot>, Instant)>;

/// The copy shared by the clones of a `Store`; `reloading` lets one request re-read it while
/// the others wait for that instead of all reading sixteen thousand rows at once.
#[derive(Clone)]
pub(crate) struct Shared {
    slot: Arc<RwLock<Slot>>,
    reloading: Arc<tokio::sync::Mutex<()>>,
    recheck: Arc<RwLock<Duration>>,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared { slot: Default::default(), reloading: Default::default(), recheck: Arc::new(RwLock::new(RECHECK)) }
    }
}

impl Store {
    async fn gazetteer_version(&self) -> Result<String, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = 'gazetteer_version'").fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.text("value")).transpose()?.unwrap_or_default())
    }

    async fn load_places(&self, version: String) -> Result<Arc<Snapshot>, StoreError> {
        let rows = sqlx::query("SELECT code, level, name_km, name_latin, parent_code, former_names, retired FROM locations")
            .fetch_all(&self.pool)
            .await?;
        let mut by_code = HashMap::with_capacity(rows.len());
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        let mut named: Vec<(Location, String)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let l = crate::locations::location_from(r)?;
            if r.int("retired")? == 0 {
                children.entry(l.parent_code.clone().unwrap_or_default()).or_default().push(l.code.clone());
                named.push((l.clone(), r.text("former_names")?));
            }
            by_code.insert(l.code.clone(), l);
        }
        for list in children.values_mut() {
            list.sort();
        }
        // Building the index reads and romanises every name (a quarter of a second for the
        // whole gazetteer): off the async threads.
        let index = tokio::task::spawn_blocking(move || {
            krousar_match::place_index::PlaceIndex::new(
                named.iter().map(|(l, former)| (l.code.as_str(), l.name_km.as_str(), l.name_latin.as_str(), former.as_str())),
            )
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("place index: {e}")))?;
        let index = Arc::new(index);
        Ok(Arc::new(Snapshot { version, by_code, children, index, answers: Default::default() }))
    }

    /// The current gazetteer, re-read if it changed since the last check.
    /// The release of the gazetteer the in-memory copy holds: what a copy made from it (the
    /// offline app's villages) is stamped with.
    pub async fn places_version(&self) -> Result<String, StoreError> {
        Ok(self.places().await?.version.clone())
    }

    pub(crate) async fn places(&self) -> Result<Arc<Snapshot>, StoreError> {
        if let Some(snap) = self.fresh_places() {
            return Ok(snap);
        }
        let _only_one = self.places.reloading.lock().await;
        // Someone else may have re-read it while this request waited.
        if let Some(snap) = self.fresh_places() {
            return Ok(snap);
        }
        let cached = self.places.slot.read().expect("lock").clone();
        let version = self.gazetteer_version().await?;
        let snap = match cached {
            Some((snap, _)) if snap.version == version => snap,
            _ => self.load_places(version).await?,
        };
        *self.places.slot.write().expect("lock") = Some((snap.clone(), Instant::now()));
        Ok(snap)
    }

    fn fresh_places(&self) -> Option<Arc<Snapshot>> {
        let recheck = *self.places.recheck.read().expect("lock");
        match &*self.places.slot.read().expect("lock") {
            Some((snap, checked)) if checked.elapsed() < recheck => Some(snap.clone()),
            _ => None,
        }
    }

    /// How often to ask the database whether the gazetteer changed (a minute unless set; tests
    /// set zero to see another server's import at once).
    pub fn set_gazetteer_recheck(&self, every: Duration) {
        *self.places.recheck.write().expect("lock") = every;
    }

    /// Forget the copy at once (after an import in this process).
    pub(crate) fn forget_places(&self) {
        *self.places.slot.write().expect("lock") = None;
    }
}
