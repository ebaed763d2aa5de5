//! Is this child already known — in this organisation or another? Candidates are found through
//! the name search index (blocking: every name key together, the Khmer keys together, and the
//! given name alone within the same district), then scored by `krousar_match::person`. Records
//! the actor may not open are never shown: only that a possible match exists, and where.

use crate::audit::Entry;
use crate::children::Child;
use crate::db::RowExt;
use crate::db::Store;
use crate::error::StoreError;
use crate::search_index::{list_from, Index};
use krousar_domain::child::ChildFields;
use krousar_domain::choices::Sex;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use krousar_match::person::{compare_keyed, Agreement, Comparison, Keyed, Person, THRESHOLD};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// How many records each blocking query may bring back, and how many candidates are shown.
const BLOCK: i64 = 200;
const SHOWN: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub score: f64,
    pub name: &'static str,
    pub sex: &'static str,
    pub birth: &'static str,
    pub place: &'static str,
    /// The record, when the actor may open it; otherwise only where it is.
    pub child: Option<Child>,
    pub org_id: Uuid,
    pub org_name: String,
    pub same_org: bool,
    /// The record meant (kept in the store: never serialised, so no page or API shows it).
    #[serde(skip)]
    pub target: Uuid,
}

fn word(a: Agreement) -> &'static str {
    match a {
        Agreement::Same => "same",
        Agreement::Close => "close",
        Agreement::Different => "different",
        Agreement::Unknown => "unknown",
    }
}

/// A record found by blocking: where it is and what matching compares.
pub(crate) struct Found {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person: Person,
}

const FOUND_COLUMNS: &str = "c.id, c.org_id, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin, c.sex, \
    c.date_of_birth, c.estimated_birth_year, c.village_code";

fn found_from(r: &sqlx::any::AnyRow) -> Result<Found, StoreError> {
    let birth_date = r.opt_text("date_of_birth")?;
    let birth_year =
        r.opt_int("estimated_birth_year")?.map(|y| y as i32).or_else(|| birth_date.as_deref().and_then(|d| d.get(..4)?.parse().ok()));
    Ok(Found {
        id: r.uuid("id")?,
        org_id: r.uuid("org_id")?,
        person: Person {
            family_km: r.opt_text("family_name_km")?,
            given_km: r.opt_text("given_name_km")?,
            family_latin: r.opt_text("family_name_latin")?,
            given_latin: r.opt_text("given_name_latin")?,
            female: Some(r.text("sex")? == Sex::Female.code()),
            birth_date,
            birth_year,
            village: r.opt_text("village_code")?,
        },
    })
}

/// What matching knows of a child's fields.
pub fn person_of(f: &ChildFields) -> Person {
    Person {
        family_km: f.family_name_km.clone(),
        given_km: f.given_name_km.clone(),
        family_latin: f.family_name_latin.clone(),
        given_latin: f.given_name_latin.clone(),
        female: Some(f.sex == Sex::Female),
        birth_date: f.date_of_birth.map(|d| d.to_string()),
        birth_year: f.estimated_birth_year.or_else(|| f.date_of_birth.map(|d| chrono::Datelike::year(&d))),
        village: f.village_code.clone(),
    }
}

/// Candidates at or above the threshold, best first.
fn score(me: &Person, found: HashMap<Uuid, Found>) -> Vec<(Comparison, Found)> {
    let me = Keyed::new(me);
    let mut scored: Vec<_> =
        found.into_values().map(|c| (compare_keyed(&me, &Keyed::new(&c.person)), c)).filter(|(s, _)| s.score >= THRESHOLD).collect();
    scored.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
    scored
}

fn keys(names: [&Option<String>; 2], khmer: bool) -> Vec<String> {
    let mut out = Vec::new();
    for n in names.into_iter().flatten() {
        for t in krousar_match::query_terms(n) {
            if krousar_match::is_khmer(&t) == khmer && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

impl Store {
    /// One blocking query: only what matching needs of each record (not the full record, whose
    /// rows cost more to move than to score), newest first.
    async fn block(&self, terms: &[String], district: Option<&str>) -> Result<Vec<Found>, StoreError> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let (mut q, order) = list_from(self.backend, Index::Children, FOUND_COLUMNS, "children c", "c", terms, false);
        q.push(" AND c.merged_into IS NULL");
        if let Some(d) = district {
            q.push(" AND c.district_code = ").bind_text(d.to_string());
        }
        q.push(&format!(" ORDER BY {order} DESC")).limit(BLOCK);
        q.query().fetch_all(&self.pool).await?.iter().map(found_from).collect()
    }

    /// The search behind `possible_duplicates` and the organisation scan: candidates at or above
    /// the threshold in every organisation, best first, without the record itself or records a
    /// person already said are a different child. Not audited: the callers are.
    pub(crate) async fn candidates(&self, f: &ChildFields, exclude: Option<Uuid>) -> Result<Vec<(Comparison, Found)>, StoreError> {
        let latin = keys([&f.family_name_latin, &f.given_name_latin], false);
        let khmer = keys([&f.family_name_km, &f.given_name_km], true);
        let district = f.village_code.as_deref().and_then(|v| v.get(..4));
        let me = person_of(f);
        let mut found: HashMap<Uuid, Found> = HashMap::new();
        for terms in [latin, khmer] {
            for c in self.block(&terms, None).await? {
                found.entry(c.id).or_insert(c);
            }
        }
        // Not the record itself, nor one a person already said is a different child.
        let different = match exclude {
            Some(id) => crate::merge::different_pairs(self, id).await?,
            None => Vec::new(),
        };
        found.retain(|id, _| Some(*id) != exclude && !different.contains(id));
        let mut scored = score(&me, found);
        // Nothing yet: a typo the keys do not fold, so the given name alone near where the child
        // lives (the most expensive pass at a million children, run only when needed).
        let given = keys([&None, &f.given_name_latin], false)
            .into_iter()
            .next()
            .or_else(|| keys([&None, &f.given_name_km], true).into_iter().next());
        if let (true, Some(d), Some(given)) = (scored.is_empty(), district, given) {
            let near: HashMap<Uuid, Found> =
                self.block(&[given], Some(d)).await?.into_iter().filter(|c| Some(c.id) != exclude).map(|c| (c.id, c)).collect();
            scored = score(&me, near);
        }
        Ok(scored)
    }

    /// Children in any organisation who may be the child described by `f` (leaving out
    /// `exclude`, the record itself), best first. The check is audited: it can reveal that a
    /// child is known elsewhere.
    pub async fn possible_duplicates(&self, actor: &Actor, f: &ChildFields, exclude: Option<Uuid>) -> Result<Vec<Candidate>, StoreError> {
        if !decide(actor, Action::CreateChild, Target::Nothing).allowed() && !decide(actor, Action::ListChildren, Target::Nothing).allowed()
        {
            return Err(StoreError::Forbidden);
        }
        let mut scored = self.candidates(f, exclude).await?;
        scored.truncate(SHOWN);
        let orgs: HashMap<Uuid, String> = self.list_orgs().await?.into_iter().map(|o| (o.id, o.name)).collect();
        // The few shown are read whole (with who they are shared with), in a read transaction:
        // the write lock is taken only for the audit entry.
        let mut read = self.pool.begin().await?;
        let mut out = Vec::with_capacity(scored.len());
        for (s, c) in scored {
            let child = crate::children::load(&mut read, c.id).await?;
            let visible = decide(actor, Action::ViewChild, Target::Record(&child.owner(actor))).allowed();
            out.push(Candidate {
                score: s.score,
                name: word(s.name),
                sex: word(s.sex),
                birth: word(s.birth),
                place: word(s.place),
                org_id: c.org_id,
                org_name: orgs.get(&c.org_id).cloned().unwrap_or_default(),
                same_org: c.org_id == actor.org_id,
                target: c.id,
                child: visible.then_some(child),
            });
        }
        drop(read);
        let detail = json!({"candidates": out.len(), "other_orgs": out.iter().filter(|c| !c.same_org).count(), "record": exclude});
        let entry = Entry { action: "child.duplicate_check", record_type: "child", record_id: exclude.map(|e| e.to_string()), detail };
        self.audit_read(actor.into(), entry).await?;
        Ok(out)
    }
}
