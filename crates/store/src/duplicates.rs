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
use krousar_match::elsewhere::possible_match_elsewhere;
use krousar_match::person::{compare_keyed, Agreement, Comparison, Keyed, Person, THRESHOLD};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// How many records each blocking query may bring back, and how many candidates are shown.
const BLOCK: i64 = 200;
const SHOWN: usize = 10;

/// How many duplicate checks one user may ask for in an hour: each answer says a little about
/// children the user may not see, so asking must not become a way to search the register.
pub const CHECKS_PER_HOUR: i64 = 30;

/// Why a record of the actor's own organisation was proposed (never shown for another's).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Agreements {
    pub score: f64,
    pub name: &'static str,
    pub sex: &'static str,
    pub birth: &'static str,
    pub place: &'static str,
}

/// A possible duplicate. In the actor's organisation: the record (when the actor may open it)
/// and why it was proposed. In another organisation: only that a possible match is known
/// there — no score, no agreement, no record id, no name — decided by
/// `krousar_match::elsewhere`, which village and exact birth date cannot sway.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    #[serde(flatten)]
    pub agreements: Option<Agreements>,
    /// The record, when it is the actor's organisation's and the actor may open it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<Child>,
    pub org_id: Uuid,
    pub org_name: String,
    pub same_org: bool,
    /// The records meant (kept in the store: never serialised, so no page or API shows them).
    #[serde(skip)]
    pub targets: Vec<Uuid>,
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

/// What a record of another organisation is given in place of a comparison: the same for
/// every such record, so nothing that reaches a caller varies with how close it is.
fn elsewhere() -> Comparison {
    Comparison { score: THRESHOLD, name: Agreement::Unknown, sex: Agreement::Unknown, birth: Agreement::Unknown, place: Agreement::Unknown }
}

/// The actor's organisation's records at or above the threshold, then other organisations'
/// possible matches (decided by the coarse rule only); best first, then by id.
fn score(me: &Person, found: HashMap<Uuid, Found>, own_org: Uuid) -> Vec<(Comparison, Found)> {
    let keyed = Keyed::new(me);
    let mut scored: Vec<_> = found
        .into_values()
        .filter_map(|c| {
            if c.org_id == own_org {
                let s = compare_keyed(&keyed, &Keyed::new(&c.person));
                (s.score >= THRESHOLD).then_some((s, c))
            } else {
                possible_match_elsewhere(me, &c.person).then(|| (elsewhere(), c))
            }
        })
        .collect();
    scored.sort_by(|a, b| {
        (b.1.org_id == own_org).cmp(&(a.1.org_id == own_org)).then(b.0.score.total_cmp(&a.0.score)).then(a.1.id.cmp(&b.1.id))
    });
    scored
}

/// The Latin terms with each name of several words joined into one ("Srey Pov" → the key of
/// "Sreypov"), for a second blocking pass: `None` when no name has several words.
fn joined_keys(names: [&Option<String>; 2]) -> Option<Vec<String>> {
    let joined: Vec<Option<String>> = names.iter().map(|n| n.as_deref().and_then(krousar_match::joined_latin_key)).collect();
    if joined.iter().all(Option::is_none) {
        return None;
    }
    let mut out = Vec::new();
    for (n, j) in names.into_iter().zip(joined) {
        match j {
            Some(k) => out.push(k),
            None => out.extend(keys([n, &None], false)),
        }
    }
    Some(out)
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
    /// Other organisations' records come from the name keys alone (never from the district
    /// pass, which depends on the village asked about) and carry no comparison of their own.
    pub(crate) async fn candidates(
        &self,
        f: &ChildFields,
        exclude: Option<Uuid>,
        own_org: Uuid,
    ) -> Result<Vec<(Comparison, Found)>, StoreError> {
        let latin = keys([&f.family_name_latin, &f.given_name_latin], false);
        let khmer = keys([&f.family_name_km, &f.given_name_km], true);
        // The joined pass only when it asks something the first did not.
        let joined = joined_keys([&f.family_name_latin, &f.given_name_latin]).filter(|j| *j != latin).unwrap_or_default();
        let district = f.village_code.as_deref().and_then(|v| v.get(..4));
        let me = person_of(f);
        // A Khmer term is its Khmer key or its romanised key (`query_terms`), so the Khmer pass
        // also finds records written only in Latin letters.
        let mut found: HashMap<Uuid, Found> = HashMap::new();
        for terms in [latin, khmer, joined] {
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
        let mut scored = score(&me, found, own_org);
        // Nothing yet: a typo the keys do not fold, so the given name alone near where the child
        // lives (the most expensive pass at a million children, run only when needed).
        let given = keys([&None, &f.given_name_latin], false)
            .into_iter()
            .next()
            .or_else(|| keys([&None, &f.given_name_km], true).into_iter().next());
        if let (true, Some(d), Some(given)) = (scored.is_empty(), district, given) {
            let near: HashMap<Uuid, Found> = self
                .block(&[given], Some(d))
                .await?
                .into_iter()
                .filter(|c| Some(c.id) != exclude && c.org_id == own_org && !different.contains(&c.id))
                .map(|c| (c.id, c))
                .collect();
            scored = score(&me, near, own_org);
        }
        Ok(scored)
    }

    /// Children in any organisation who may be the child described by `f` (leaving out
    /// `exclude`, the record itself): the actor's organisation's best first, then one answer per
    /// other organisation where a possible match is known. Each check counts towards the user's
    /// hourly limit and is audited with what was asked and the records it matched.
    pub async fn possible_duplicates(&self, actor: &Actor, f: &ChildFields, exclude: Option<Uuid>) -> Result<Vec<Candidate>, StoreError> {
        allowed(actor)?;
        self.count_question(actor.user_id, "duplicate_check", CHECKS_PER_HOUR, "err-too-many-duplicate-checks").await?;
        let (out, matched) = self.find_duplicates(actor, f, exclude).await?;
        let inputs = json!({
            "family_name_km": f.family_name_km, "given_name_km": f.given_name_km,
            "family_name_latin": f.family_name_latin, "given_name_latin": f.given_name_latin,
            "sex": f.sex.code(), "date_of_birth": f.date_of_birth, "estimated_birth_year": f.estimated_birth_year,
            "village_code": f.village_code,
        });
        let detail = json!({
            "record": exclude, "inputs": inputs, "matched": matched,
            "candidates": out.len(), "other_orgs": out.iter().filter(|c| !c.same_org).count(),
        });
        let entry = Entry { action: "child.duplicate_check", record_type: "child", record_id: exclude.map(|e| e.to_string()), detail };
        self.audit_read(actor.into(), entry).await?;
        Ok(out)
    }

    /// The check itself, neither counted nor audited (a caller that shows nothing new, such as
    /// asking another organisation about the matches already announced): the candidates and
    /// the ids of every record matched.
    pub(crate) async fn find_duplicates(
        &self,
        actor: &Actor,
        f: &ChildFields,
        exclude: Option<Uuid>,
    ) -> Result<(Vec<Candidate>, Vec<Uuid>), StoreError> {
        allowed(actor)?;
        let scored = self.candidates(f, exclude, actor.org_id).await?;
        // The audit names the records matched in the asker's own organisation only: its
        // administrator reads the entry, and another organisation's record ids are not hers.
        let matched: Vec<Uuid> = scored.iter().filter(|(_, c)| c.org_id == actor.org_id).map(|(_, c)| c.id).collect();
        let orgs: HashMap<Uuid, String> = self.list_orgs().await?.into_iter().map(|o| (o.id, o.name)).collect();
        let name = |org: &Uuid| orgs.get(org).cloned().unwrap_or_default();
        // The few shown are read whole (with who they are shared with), in a read transaction.
        let mut read = self.pool.begin().await?;
        let mut out = Vec::new();
        let mut elsewhere: Vec<Candidate> = Vec::new();
        for (s, c) in scored {
            if c.org_id != actor.org_id {
                match elsewhere.iter_mut().find(|e| e.org_id == c.org_id) {
                    Some(e) => e.targets.push(c.id),
                    None => elsewhere.push(Candidate {
                        agreements: None,
                        child: None,
                        org_id: c.org_id,
                        org_name: name(&c.org_id),
                        same_org: false,
                        targets: vec![c.id],
                    }),
                }
                continue;
            }
            if out.len() >= SHOWN {
                continue;
            }
            let child = crate::children::load(&mut read, c.id).await?;
            let visible = decide(actor, Action::ViewChild, Target::Record(&child.owner(actor))).allowed();
            out.push(Candidate {
                agreements: Some(Agreements {
                    score: s.score,
                    name: word(s.name),
                    sex: word(s.sex),
                    birth: word(s.birth),
                    place: word(s.place),
                }),
                child: visible.then_some(child),
                org_id: c.org_id,
                org_name: name(&c.org_id),
                same_org: true,
                targets: vec![c.id],
            });
        }
        drop(read);
        elsewhere.sort_by(|a, b| a.org_name.cmp(&b.org_name).then(a.org_id.cmp(&b.org_id)));
        elsewhere.truncate(SHOWN);
        out.extend(elsewhere);
        Ok((out, matched))
    }
}

fn allowed(actor: &Actor) -> Result<(), StoreError> {
    if !decide(actor, Action::CreateChild, Target::Nothing).allowed() && !decide(actor, Action::ListChildren, Target::Nothing).allowed() {
        return Err(StoreError::Forbidden);
    }
    Ok(())
}
