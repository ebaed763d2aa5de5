//! The attacker of issue 19, item 7, shared by the store's and the command line's tests: with
//! write access to the database, drop the append-only triggers, delete audit entry `gone`,
//! renumber the later ones and recompute their links and the head with the chain's own function.

use krousar_store::audit::link_hash;
use krousar_store::Store;

type Row = (i64, String, Option<String>, Option<String>, String, String, Option<String>, String);

pub async fn recompute_without(store: &Store, gone: i64) {
    let pool = store.pool();
    if store.backend == krousar_store::Backend::Postgres {
        sqlx::query("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log").execute(pool).await.unwrap();
    } else {
        sqlx::query("DROP TRIGGER IF EXISTS audit_log_no_update").execute(pool).await.unwrap();
        sqlx::query("DROP TRIGGER IF EXISTS audit_log_no_delete").execute(pool).await.unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = $1").bind(gone).execute(pool).await.unwrap();
    let rows: Vec<Row> =
        sqlx::query_as("SELECT seq, at, actor_id, org_id, action, record_type, record_id, detail FROM audit_log ORDER BY seq")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut prev = "0".repeat(64);
    for (i, (seq, at, actor, org, action, rtype, rid, detail)) in rows.into_iter().enumerate() {
        let new_seq = i as i64 + 1;
        let hash = link_hash(
            &prev,
            new_seq,
            &at,
            actor.as_deref().unwrap_or(""),
            org.as_deref().unwrap_or(""),
            &action,
            &rtype,
            rid.as_deref().unwrap_or(""),
            &detail,
        );
        sqlx::query("UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(new_seq)
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(new_seq).bind(&hash).execute(pool).await.unwrap();
        prev = hash;
    }
}
