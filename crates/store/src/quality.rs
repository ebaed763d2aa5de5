//! The data-quality report: within what the user may see, the children whose records need
//! attention — no address, a birth date only estimated, an overdue reassessment or follow-up
//! visit, an approval waiting for more than a week, a case not touched for six months, a
//! possible duplicate found by the organisation's last duplicate scan and not yet decided.

use crate::children::scope_sql;
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::policy::list_scope;
use krousar_domain::{Action, Actor, ListScope};
use serde::Serialize;
use uuid::Uuid;

/// How many children a section lists (its count is exact up to `COUNT_CAP`).
const SHOWN: i64 = 50;
const COUNT_CAP: i64 = 10_000;

#[derive(Debug, Clone, Serialize)]
pub struct QualitySection {
    /// Message key of the heading (also the API's name of the check).
    pub key: &'static str,
    pub count: i64,
    /// (child id, case number, name), the first ones.
    pub children: Vec<(Uuid, String, String)>,
}

/// A child in a pair of the organisation's latest finished duplicate scan that nobody has
/// decided on yet (a merged record is out of the lists already).
const POSSIBLE_DUPLICATE: &str = "c.id IN (SELECT x.child_id FROM (\
    SELECT p.child_a AS child_id, p.child_a, p.child_b FROM duplicate_scan_pairs p JOIN duplicate_scans s ON s.id = p.scan_id \
      WHERE p.other_org IS NULL AND s.state = 'done' AND s.started_at = (SELECT MAX(s2.started_at) FROM duplicate_scans s2 WHERE s2.org_id = s.org_id AND s2.state = 'done') \
    UNION ALL SELECT p.child_b, p.child_a, p.child_b FROM duplicate_scan_pairs p JOIN duplicate_scans s ON s.id = p.scan_id \
      WHERE p.other_org IS NULL AND s.state = 'done' AND s.started_at = (SELECT MAX(s2.started_at) FROM duplicate_scans s2 WHERE s2.org_id = s.org_id AND s2.state = 'done')) x \
    WHERE NOT EXISTS (SELECT 1 FROM duplicate_decisions d WHERE (d.child_a = x.child_a AND d.child_b = x.child_b) OR (d.child_a = x.child_b AND d.child_b = x.child_a)))";

/// Each check: its key and the condition on `c` (children) and `k` (cases, left-joined).
fn checks(today: NaiveDate) -> Vec<(&'static str, String)> {
    let t = today.to_string();
    let week_ago = (today - chrono::Duration::days(7)).to_string();
    let half_year = (today - chrono::Duration::days(182)).to_string();
    vec![
        ("quality-no-address", "c.village_code IS NULL".to_string()),
        ("quality-birth-estimated", "c.date_of_birth IS NULL".to_string()),
        ("quality-reassessment-overdue", format!("k.closed_on IS NULL AND k.reassessment_due < '{t}'")),
        (
            "quality-visit-overdue",
            format!("k.closed_on IS NULL AND EXISTS (SELECT 1 FROM follow_up_visits v WHERE v.child_id = c.id AND v.done_on IS NULL AND v.due_on < '{t}')"),
        ),
        (
            "quality-approval-waiting",
            format!("EXISTS (SELECT 1 FROM case_approvals a WHERE a.child_id = c.id AND a.state = 'pending' AND a.requested_at < '{week_ago}')"),
        ),
        ("quality-untouched", format!("k.closed_on IS NULL AND k.updated_at < '{half_year}'")),
        ("quality-possible-duplicate", POSSIBLE_DUPLICATE.to_string()),
    ]
}

impl Store {
    pub async fn data_quality(&self, actor: &Actor) -> Result<Vec<QualitySection>, StoreError> {
        let today = actor.today();
        let scope = list_scope(actor, Action::ListChildren);
        if scope == ListScope::Nothing {
            return Err(StoreError::Forbidden);
        }
        let mut out = Vec::new();
        for (key, condition) in checks(today) {
            // The conditions are built here from dates, never from what a user typed.
            let base = format!("FROM children c LEFT JOIN cases k ON k.child_id = c.id WHERE c.merged_into IS NULL AND {condition}");
            let mut count = Sql::new(&format!("SELECT COUNT(*) AS n FROM (SELECT c.id {base}"));
            scope_sql(&mut count, scope.clone(), "c")?;
            count.limit(COUNT_CAP).push(") AS x");
            let n = count.query().fetch_one(&self.pool).await?.int("n")?;
            let mut q = Sql::new(&format!(
                "SELECT c.id, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin {base}"
            ));
            scope_sql(&mut q, scope.clone(), "c")?;
            q.push(" ORDER BY c.seq DESC").limit(SHOWN);
            let children = q
                .query()
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    let name = crate::children::row_name(r)?;
                    Ok((r.uuid("id")?, r.text("case_number")?, name))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            out.push(QualitySection { key, count: n, children });
        }
        Ok(out)
    }
}
