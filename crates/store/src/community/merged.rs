//! A merged child's group memberships follow the surviving record (`Store::merge_children`, in
//! its transaction). In a group both records were in, what the merged one came to is added to
//! the survivor's membership, and the merged one's is removed: the child is counted once.

use crate::error::StoreError;
use uuid::Uuid;

pub(crate) async fn follow_merge(tx: &mut crate::db::Tx, survivor: Uuid, other: Uuid) -> Result<(), StoreError> {
    let (s, o) = (survivor.to_string(), other.to_string());
    sqlx::query(
        "INSERT INTO community_attendance (session_id, member_id) SELECT a.session_id, sm.id FROM community_attendance a \
         JOIN community_members om ON om.id = a.member_id JOIN community_members sm ON sm.group_id = om.group_id AND sm.child_id = $1 \
         WHERE om.child_id = $2 AND NOT EXISTS (SELECT 1 FROM community_attendance x WHERE x.session_id = a.session_id AND x.member_id = sm.id)",
    )
    .bind(&s)
    .bind(&o)
    .execute(&mut **tx)
    .await?;
    let both =
        "SELECT id FROM community_members WHERE child_id = $2 AND group_id IN (SELECT group_id FROM community_members WHERE child_id = $1)";
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM community_attendance WHERE member_id IN ({both})")))
        .bind(&s)
        .bind(&o)
        .execute(&mut **tx)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM community_members WHERE id IN ({both})")))
        .bind(&s)
        .bind(&o)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE community_members SET child_id = $1 WHERE child_id = $2").bind(&s).bind(&o).execute(&mut **tx).await?;
    Ok(())
}
