//! Lists of children: the scope, the filters and name search, keyset pages, the capped count
//! a list page shows, and exports. Every list is audited with the ids it answered.

use crate::audit::{self, Entry};
use crate::children::{child_from, Child, COLUMNS};
use crate::db::{Backend, RowExt, Store};
use crate::error::StoreError;
use crate::search_index::{self, Index};
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::age::AgeBand;
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::case::Stage;
use krousar_domain::choices::{LivingArrangement, Sex};
use krousar_domain::flag::FlagKind;
use krousar_domain::policy::list_scope;
use krousar_domain::{Action, Actor, ListScope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// Counts shown on pages stop here ("more than 1,000"); a name search stops sooner, since
/// each match costs an index check and more than 200 means the search should be narrower.
pub const COUNT_CAP: i64 = 1_000;
pub const SEARCH_COUNT_CAP: i64 = 200;

/// Where counting stops for this filter; `count_children` answers at most this plus one.
pub fn count_cap(f: &ChildFilter) -> i64 {
    if f.search().is_some_and(|s| !s.terms.is_empty()) {
        SEARCH_COUNT_CAP
    } else {
        COUNT_CAP
    }
}

#[derive(Debug, Clone, Default)]
pub struct ChildFilter {
    pub q: Option<String>,
    pub province: Option<String>,
    pub district: Option<String>,
    pub org: Option<Uuid>,
    pub sex: Option<Sex>,
    pub age_band: Option<AgeBand>,
    pub worker: Option<Uuid>,
    /// Cases this user works on as the second worker ("shared with me").
    pub co_worker: Option<Uuid>,
    pub living: Option<LivingArrangement>,
    /// The stage of the child's case with the organisation that holds the child now (closed:
    /// its last case closed and none open).
    pub stage: Option<Stage>,
    /// The risk level of that open case.
    pub risk: Option<RiskLevel>,
    /// Children with a flag still up: any flag (`Some(None)`) or one of this kind.
    pub flag: Option<Option<FlagKind>>,
}

impl ChildFilter {
    /// A search was typed but holds nothing to search on (single letters): it matches nothing
    /// rather than everything.
    pub fn unusable_search(&self) -> bool {
        self.q.as_deref().is_some_and(|q| !q.trim().is_empty() && krousar_match::parse_search(q).is_empty())
    }

    /// The search typed: name terms and case numbers (`krousar_match::parse_search`).
    pub fn search(&self) -> Option<krousar_match::Search> {
        self.q.as_deref().map(krousar_match::parse_search)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

pub(crate) fn scope_sql(q: &mut Sql, scope: ListScope, alias: &str) -> Result<(), StoreError> {
    match scope {
        ListScope::Nothing => return Err(StoreError::Forbidden),
        ListScope::Own(u) => q.push(&format!(" AND {alias}.assigned_worker_id = ")).bind_text(u.to_string()),
        // One team (the usual case) stays one index range in `seq` order.
        ListScope::Teams { org, teams: ts } if ts.len() == 1 => {
            q.push(&format!(" AND {alias}.org_id = ")).bind_text(org.to_string());
            q.push(&format!(" AND {alias}.team_id = ")).bind_text(ts[0].to_string())
        }
        ListScope::Teams { org, teams: ts } => {
            q.push(&format!(" AND {alias}.org_id = ")).bind_text(org.to_string());
            q.push(&format!(" AND {alias}.team_id IN ("));
            for (i, t) in ts.iter().enumerate() {
                q.push(if i == 0 { "" } else { ", " }).bind_text(t.to_string());
            }
            q.push(")")
        }
        ListScope::Org(o) => q.push(&format!(" AND {alias}.org_id = ")).bind_text(o.to_string()),
        ListScope::Everything => q,
    };
    Ok(())
}

fn filter_sql(q: &mut Sql, backend: Backend, f: &ChildFilter, today: NaiveDate) {
    // Records merged into another are history, not children to list or count.
    q.push(" AND c.merged_into IS NULL");
    // A case number typed in the search (the names typed go through the name index).
    if let Some(s) = f.search() {
        search_index::case_number_sql(q, backend, "c", &s.case_numbers);
    }
    if let Some(p) = f.province.as_ref().filter(|p| p.len() == 2) {
        q.push(" AND c.province_code = ").bind_text(p.clone());
    }
    if let Some(d) = f.district.as_ref().filter(|d| d.len() == 4) {
        q.push(" AND c.district_code = ").bind_text(d.clone());
    }
    if let Some(org) = f.org {
        q.push(" AND c.org_id = ").bind_text(org.to_string());
    }
    if let Some(sex) = f.sex {
        q.push(" AND c.sex = ").bind_text(sex.code());
    }
    if let Some(band) = f.age_band {
        let (oldest, youngest) = band.birth_dates(today);
        q.push(" AND c.birth_date_sort <= ").bind_text(youngest.to_string());
        if let Some(o) = oldest {
            q.push(" AND c.birth_date_sort >= ").bind_text(o.to_string());
        }
    }
    if let Some(w) = f.worker {
        q.push(" AND c.assigned_worker_id = ").bind_text(w.to_string());
    }
    if let Some(w) = f.co_worker {
        q.push(" AND c.co_worker_id = ").bind_text(w.to_string());
    }
    if let Some(l) = f.living {
        q.push(" AND c.living_arrangement = ").bind_text(l.code());
    }
    // Flags still up. Everyone who lists a child reads it in full (the list scope is the
    // caseload scope), so every listed child's flags are the lister's to see.
    if let Some(kind) = f.flag {
        q.push(" AND EXISTS (SELECT 1 FROM child_flags f WHERE f.child_id = c.id AND f.removed_at IS NULL AND (f.until_on IS NULL OR f.until_on >= ")
            .bind_text(today.to_string())
            .push(")");
        if let Some(kind) = kind {
            q.push(" AND f.kind = ").bind_text(kind.code());
        }
        q.push(")");
    }
    // Stage and risk: of the case the child's own organisation works (never another's).
    if f.stage.is_some() || f.risk.is_some() {
        q.push(" AND EXISTS (SELECT 1 FROM cases k WHERE k.child_id = c.id AND k.org_id = c.org_id");
        match f.stage {
            Some(Stage::Closed) => {
                q.push(
                    " AND k.closed_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.child_id = c.id AND o.closed_on IS NULL)",
                );
            }
            Some(stage) => {
                q.push(" AND k.closed_on IS NULL AND k.stage = ").bind_text(stage.code());
            }
            None => {
                q.push(" AND k.closed_on IS NULL");
            }
        }
        if let Some(r) = f.risk {
            q.push(" AND k.risk_level = ").bind_text(r.code());
        }
        q.push(")");
    }
}

/// The start of a list or count query (see `search_index::list_from`).
fn from_clause(backend: Backend, select: &str, f: &ChildFilter, scope: &ListScope) -> (Sql, String) {
    let terms = f.search().map(|s| s.terms).unwrap_or_default();
    let small = matches!(scope, ListScope::Own(_) | ListScope::Teams { .. }) || f.co_worker.is_some();
    search_index::list_from(
        backend,
        Index::Children,
        select,
        "children c LEFT JOIN users u ON u.id = c.assigned_worker_id LEFT JOIN users u2 ON u2.id = c.co_worker_id",
        "c",
        &terms,
        small,
    )
}

/// The list scope, except that "cases shared with me" (the actor as second worker) is its own
/// access rule: the filter itself limits the list to those cases.
fn list_scope_for(actor: &Actor, f: &ChildFilter) -> ListScope {
    match f.co_worker {
        Some(u) if u == actor.user_id && actor.role.has_caseload() => ListScope::Everything,
        _ => list_scope(actor, Action::ListChildren),
    }
}

impl Store {
    /// Every child of a filtered list, for an export, in the list's order (at most `max`: more
    /// is refused, nothing partial). Audited with the filter, the columns and the row count.
    pub async fn export_children(
        &self,
        actor: &Actor,
        f: &ChildFilter,
        max: usize,
        what: serde_json::Value,
    ) -> Result<Vec<Child>, StoreError> {
        let _today = actor.today();
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.list_children(actor, f, cursor, 200).await?;
            out.extend(page.items);
            if out.len() > max {
                return Err(StoreError::invalid("export", "err-export-too-large"));
            }
            match page.next.and_then(|n| n.parse::<i64>().ok()) {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        let mut tx = self.write().await?;
        let detail = json!({"rows": out.len(), "filter": format!("{f:?}"), "export": what});
        audit::append(&mut tx, actor.into(), Entry { action: "children.export", record_type: "child", record_id: None, detail }).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One page of the children the actor may see, newest first. `cursor` is the `next` value
    /// of the previous page. Audited: the filter and the ids listed (`audit_list`).
    pub async fn list_children(&self, actor: &Actor, f: &ChildFilter, cursor: Option<i64>, limit: i64) -> Result<Page<Child>, StoreError> {
        let today = actor.today();
        let limit = limit.clamp(1, 200);
        if f.unusable_search() {
            return Ok(Page { items: Vec::new(), next: None });
        }
        let scope = list_scope_for(actor, f);
        let (mut q, order) = from_clause(self.backend, COLUMNS, f, &scope);
        scope_sql(&mut q, scope, "c")?;
        filter_sql(&mut q, self.backend, f, today);
        if let Some(c) = cursor {
            q.push(&format!(" AND {order} < ")).bind_int(c);
        }
        q.push(&format!(" ORDER BY {order} DESC")).limit(limit + 1);
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut items: Vec<Child> = rows.iter().map(child_from).collect::<Result<_, _>>()?;
        // A manager lists the organisation's children, but not what only the case's people read.
        items.iter_mut().for_each(|c| crate::disclosure::cut_child(c, actor));
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|c| c.seq.to_string())
        } else {
            None
        };
        let filters = json!({
            "q": f.q, "province": f.province, "district": f.district, "org": f.org, "worker": f.worker, "co_worker": f.co_worker,
            "sex": f.sex.map(|v| format!("{v:?}")), "age_band": f.age_band.map(|v| format!("{v:?}")),
            "living": f.living.map(|v| format!("{v:?}")), "stage": f.stage.map(|v| v.code()), "risk": f.risk.map(|v| v.code()),
            "flag": f.flag.map(|k| k.map_or("any", |k| k.code())), "after": cursor, "limit": limit,
        });
        self.audit_list(actor.into(), "child.list", "child", filters, items.iter().map(|c| c.id.to_string()).collect()).await?;
        Ok(Page { items, next })
    }

    /// How many children the actor may see match the filter (same scope as the list), counted
    /// up to `COUNT_CAP + 1`: beyond that a list page says "more than 1,000" instead of making
    /// every page view walk a million index entries.
    pub async fn count_children(&self, actor: &Actor, f: &ChildFilter) -> Result<i64, StoreError> {
        let today = actor.today();
        if f.unusable_search() {
            return Ok(0);
        }
        let scope = list_scope_for(actor, f);
        let (mut q, _) = from_clause(self.backend, "1 AS one", f, &scope);
        q.text = format!("SELECT COUNT(*) AS n FROM ({}", q.text);
        scope_sql(&mut q, scope, "c")?;
        filter_sql(&mut q, self.backend, f, today);
        q.limit(count_cap(f) + 1).push(") capped");
        q.query().fetch_one(&self.pool).await?.int("n")
    }

    /// A page of the list and how many the whole list holds (capped as `count_children`). When
    /// the first page holds the whole list, its length is the count: no second walk.
    pub async fn children_page(
        &self,
        actor: &Actor,
        f: &ChildFilter,
        cursor: Option<i64>,
        limit: i64,
    ) -> Result<(Page<Child>, i64), StoreError> {
        let _today = actor.today();
        let page = self.list_children(actor, f, cursor, limit).await?;
        let count = if cursor.is_none() && page.next.is_none() { page.items.len() as i64 } else { self.count_children(actor, f).await? };
        Ok((page, count))
    }
}
