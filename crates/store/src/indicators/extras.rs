//! Figures that are not counts of records: the average change of the Child Status Index per
//! domain, from each child's previous assessment to their latest one in the period.

use super::Reach;
use crate::children::scope_sql;
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use krousar_domain::case::csi::average_change;
use krousar_domain::case::entries::CsiAssessment;
use krousar_domain::figures::{Count, Table, HIDDEN_REASON};
use krousar_domain::indicators::Period;
use krousar_domain::Actor;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(into = "CsiChangeJson")]
pub struct CsiChange {
    /// Children assessed in the period who had an earlier assessment to compare with (0 when
    /// `suppressed`; the API says `null`).
    pub children: i64,
    /// Hidden in national figures when fewer than five children are compared, or when the
    /// children of a hidden province could be worked out from it (the nation's and each
    /// province's averages are protected together, as counts are).
    pub suppressed: bool,
    /// (domain code, average change in points).
    pub domains: Vec<(&'static str, f64)>,
}

/// The CSI change as the API says it: a hidden number is `null` with why, never 0 (as a
/// `Count` is), and hidden averages likewise.
#[derive(Serialize, utoipa::ToSchema)]
struct CsiChangeJson {
    children: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    children_hidden: Option<&'static str>,
    /// Kept for clients of the first shape: the figures are hidden.
    suppressed: bool,
    domains: Option<Vec<(&'static str, f64)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domains_hidden: Option<&'static str>,
}

impl From<CsiChange> for CsiChangeJson {
    fn from(c: CsiChange) -> CsiChangeJson {
        let hidden = c.suppressed.then_some(HIDDEN_REASON);
        CsiChangeJson {
            children: (!c.suppressed).then_some(c.children),
            children_hidden: hidden,
            suppressed: c.suppressed,
            domains: (!c.suppressed).then_some(c.domains),
            domains_hidden: hidden,
        }
    }
}

// `CsiChange` is serialised through `CsiChangeJson` (`serde(into)`), which the derive cannot follow: its
// schema is `CsiChangeJson`'s, under the name `CsiChange`.
impl utoipa::PartialSchema for CsiChange {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <CsiChangeJson as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for CsiChange {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <CsiChangeJson as utoipa::ToSchema>::schemas(schemas)
    }
}

impl Store {
    pub async fn csi_change(&self, actor: &Actor, reach: Reach, province: Option<&str>, p: Period) -> Result<CsiChange, StoreError> {
        let r = self.resolve_on(actor, reach, province, p).await?;
        let p = r.period(p);
        let Some(scope) = r.children.clone() else { return Err(StoreError::Forbidden) };
        let (from, to) = (p.from.to_string(), p.to.to_string());
        let mut q = Sql::new(
            "SELECT e.child_id, e.body, c.province_code FROM case_entries e JOIN children c ON c.id = e.child_id \
             WHERE e.kind = 'csi' AND c.merged_into IS NULL AND e.occurred_on <= ",
        );
        q.bind_text(to.clone());
        q.push(" AND e.child_id IN (SELECT child_id FROM case_entries WHERE kind = 'csi' AND occurred_on >= ").bind_text(from);
        q.push(" AND occurred_on <= ").bind_text(to).push(")");
        if let Some(scope) = scope {
            scope_sql(&mut q, scope, "c")?;
        }
        // National figures: the whole nation is read, so that each province's answer is decided
        // with the others'.
        if let (Some(pr), false) = (&r.province, r.national) {
            q.push(" AND c.province_code = ").bind_text(pr.clone());
        }
        q.push(" ORDER BY e.child_id, e.occurred_on, e.seq");
        // Each child's last two assessments up to the end of the period, with their province.
        type Open = Option<(String, String, Option<CsiAssessment>, CsiAssessment)>;
        let mut pairs: Vec<(String, CsiAssessment, CsiAssessment)> = Vec::new();
        let mut current: Open = None;
        let close = |c: Open, pairs: &mut Vec<_>| {
            if let Some((_, province, Some(before), now)) = c {
                pairs.push((province, before, now));
            }
        };
        for row in q.query().fetch_all(&self.pool).await? {
            let child = row.text("child_id")?;
            let province = row.opt_text("province_code")?.unwrap_or_default();
            let a: CsiAssessment = serde_json::from_str(&row.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            current = match current.take() {
                Some((id, pr, _, last)) if id == child => Some((id, pr, Some(last), a)),
                other => {
                    close(other, &mut pairs);
                    Some((child, province, None, a))
                }
            };
        }
        close(current, &mut pairs);
        let mut suppressed = false;
        if r.national {
            let mut rows: std::collections::BTreeMap<String, Count> = Default::default();
            for (pr, _, _) in &pairs {
                rows.entry(pr.clone()).or_default().total += 1;
            }
            let t = Table::protect(Count::new(pairs.len() as i64, 0), rows, Default::default(), Default::default(), true);
            suppressed = match &r.province {
                Some(pr) => {
                    pairs.retain(|(x, _, _)| x == pr);
                    t.row(pr).suppressed
                }
                None => t.total.suppressed,
            };
        }
        let refs: Vec<_> = pairs.iter().map(|(_, b, n)| (&b.scores, &n.scores)).collect();
        let n = pairs.len() as i64;
        Ok(CsiChange {
            children: if suppressed { 0 } else { n },
            suppressed,
            domains: if suppressed { Vec::new() } else { average_change(&refs) },
        })
    }
}
