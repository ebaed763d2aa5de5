//! `krousar check`: the keys a case's events carry for the managers' and supervisors' index
//! ranges agree with the one fact they copy — a case's organisation, team and worker are its
//! child's, and a visit's or an approval's organisation and team are its case's. A disagreement would drop a due visit from a
//! worklist (or show it to another team) without any error.

use crate::check::CheckReport;
use crate::db::{RowExt, Store};
use crate::error::StoreError;

const RULE: &str = "carried_keys";

/// (table `k`, the condition of a row whose copy disagrees with its child `c` or its case).
const CARRIED: [(&str, &str); 3] = [
    ("cases", "k.org_id <> c.org_id OR k.team_id IS DISTINCT FROM c.team_id OR k.worker_id IS DISTINCT FROM c.assigned_worker_id"),
    (
        "follow_up_visits",
        "k.org_id IS DISTINCT FROM (SELECT x.org_id FROM cases x WHERE x.child_id = k.child_id) OR k.team_id IS DISTINCT FROM c.team_id",
    ),
    (
        "case_approvals",
        "k.org_id IS DISTINCT FROM (SELECT x.org_id FROM cases x WHERE x.child_id = k.child_id) OR k.team_id IS DISTINCT FROM c.team_id",
    ),
];

pub(crate) async fn carried(store: &Store, r: &mut CheckReport) -> Result<(), StoreError> {
    for (table, differs) in CARRIED {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&store.pool).await?;
        r.looked(RULE, n);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT k.child_id FROM {table} k JOIN children c ON c.id = k.child_id WHERE {differs} LIMIT 1000"
        )))
        .fetch_all(&store.pool)
        .await?;
        for row in &rows {
            r.found(RULE, row.text("child_id")?, format!("a row of {table} carries another organisation, team or worker than its child's"));
        }
    }
    Ok(())
}
