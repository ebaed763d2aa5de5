//! The append-only, hash-chained audit log. Each entry's hash covers the previous entry's hash
//! and all of its own fields, so changing or removing any entry breaks the chain from there on.
//! Entries are written in the same transaction as the change they record.

use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::sql::Sql;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Who did something, for the audit log.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who {
    pub actor_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
    /// A change sent from a device: which device, and when it was recorded there and received.
    pub device: Option<FromDevice>,
}

#[derive(Debug, Clone, Copy)]
pub struct FromDevice {
    pub id: Uuid,
    pub change: Uuid,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

impl Who {
    pub fn system() -> Who {
        Who::default()
    }
}

impl From<&krousar_domain::Actor> for Who {
    fn from(a: &krousar_domain::Actor) -> Who {
        let device =
            a.via.device().map(|d| FromDevice { id: d.device_id, change: d.change_id, recorded_at: d.recorded_at, received_at: a.now });
        Who { actor_id: Some(a.user_id), org_id: Some(a.org_id), device }
    }
}

pub struct Entry<'a> {
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<String>,
    pub detail: serde_json::Value,
}

/// The chain's link: the previous entry's hash and every field of this one. Public so that the
/// tests playing an attacker who recomputes the chain use the very function (as one who read the
/// source would).
#[allow(clippy::too_many_arguments)]
pub fn link_hash(prev: &str, seq: i64, at: &str, actor: &str, org: &str, action: &str, rtype: &str, rid: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev, &seq.to_string(), at, actor, org, action, rtype, rid, detail] {
        // Length-prefix each field so that moving text between fields changes the hash.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Append one entry; returns its sequence number.
pub async fn append(tx: &mut Tx, who: Who, e: Entry<'_>) -> Result<i64, StoreError> {
    append_all(tx, vec![(who, e)]).await
}

/// Append entries in order, chained one to the next; returns the last one's sequence number.
/// The head is moved once for all of them and the entries go in one statement (the batch of
/// reads' audits is a transaction of three statements, whatever its size): its row lock, held
/// to the commit, keeps app servers in turn, so the fewer round trips it is held over the better.
pub async fn append_all(tx: &mut Tx, entries: Vec<(Who, Entry<'_>)>) -> Result<i64, StoreError> {
    let n = entries.len() as i64;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash").bind(n).fetch_one(&mut **tx).await?;
    let last = head.int("seq")?;
    let mut prev = head.text("hash")?;
    let at = now_text();
    let mut links = Vec::with_capacity(entries.len());
    for (i, (who, e)) in entries.into_iter().enumerate() {
        let link = Link::new(last - n + 1 + i as i64, &prev, &at, who, e);
        prev = link.hash.clone();
        links.push(link);
    }
    match links.len() {
        0 => return Ok(last),
        1 => insert_one(tx, &links[0]).await?,
        _ => insert_many(tx, &links).await?,
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut **tx).await?;
    Ok(last)
}

/// One row of the audit log, its hash chained to the previous row's.
struct Link {
    seq: i64,
    at: String,
    actor: Option<String>,
    org: Option<String>,
    action: String,
    record_type: String,
    record_id: Option<String>,
    detail: String,
    prev: String,
    hash: String,
}

impl Link {
    /// Entry `seq` after the entry whose hash is `prev`.
    fn new(seq: i64, prev: &str, at: &str, who: Who, e: Entry<'_>) -> Link {
        let actor = who.actor_id.map(|u| u.to_string()).unwrap_or_default();
        let org = who.org_id.map(|u| u.to_string()).unwrap_or_default();
        let rid = e.record_id.unwrap_or_default();
        let mut detail = e.detail;
        // A change sent from a device says which device, and when it was recorded there and received.
        if let Some(d) = who.device {
            let device = serde_json::json!({
                "id": d.id,
                "change": d.change,
                "recorded_at": crate::db::time_text(d.recorded_at),
                "received_at": crate::db::time_text(d.received_at),
            });
            match detail.as_object_mut() {
                Some(obj) => {
                    obj.insert("device".into(), device);
                }
                None => detail = serde_json::json!({"detail": detail, "device": device}),
            }
        }
        let detail = detail.to_string();
        let hash = link_hash(prev, seq, at, &actor, &org, e.action, e.record_type, &rid, &detail);
        let some = |s: String| Some(s).filter(|s| !s.is_empty());
        Link {
            seq,
            at: at.to_string(),
            actor: some(actor),
            org: some(org),
            action: e.action.to_string(),
            record_type: e.record_type.to_string(),
            record_id: some(rid),
            detail,
            prev: prev.to_string(),
            hash,
        }
    }
}

const AUDIT_COLUMNS: &str = "seq, at, actor_id, org_id, action, record_type, record_id, detail, prev_hash, hash";

async fn insert_one(tx: &mut Tx, l: &Link) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")))
        .bind(l.seq)
        .bind(&l.at)
        .bind(&l.actor)
        .bind(&l.org)
        .bind(&l.action)
        .bind(&l.record_type)
        .bind(&l.record_id)
        .bind(&l.detail)
        .bind(&l.prev)
        .bind(&l.hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Several rows in one statement: the rows as one JSON array of arrays, taken apart by the
/// database (one prepared statement for any number of rows, unlike a list of `VALUES`).
async fn insert_many(tx: &mut Tx, links: &[Link]) -> Result<(), StoreError> {
    let rows: Vec<serde_json::Value> = links
        .iter()
        .map(|l| serde_json::json!([l.seq, l.at, l.actor, l.org, l.action, l.record_type, l.record_id, l.detail, l.prev, l.hash]))
        .collect();
    let sql = if tx.backend_name() == "PostgreSQL" {
        format!(
            "INSERT INTO audit_log ({AUDIT_COLUMNS}) SELECT (e->>0)::BIGINT, e->>1, e->>2, e->>3, e->>4, e->>5, e->>6, e->>7, e->>8, e->>9 \
             FROM json_array_elements(CAST($1 AS JSON)) AS e"
        )
    } else {
        let parts: Vec<String> = (0..10).map(|i| format!("json_extract(value, '$[{i}]')")).collect();
        format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) SELECT {} FROM json_each($1)", parts.join(", "))
    };
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(serde_json::Value::Array(rows).to_string()).execute(&mut **tx).await?;
    Ok(())
}

/// Record a change for later synchronisation (record, new version), in the same transaction.
pub async fn changed(tx: &mut Tx, org: Option<Uuid>, record_type: &str, record_id: Uuid, version: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO change_log (org_id, record_type, record_id, version, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(org.map(|u| u.to_string()))
        .bind(record_type)
        .bind(record_id.to_string())
        .bind(version)
        .bind(now_text())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: i64,
    /// The first entry whose link does not hold, if any.
    pub broken_at: Option<i64>,
    /// Why the chain is broken there.
    pub why: Option<Break>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// The entry does not follow from the one before it.
    Link,
    /// Entries were removed from the end (the head is further on).
    End,
    /// A signed checkpoint names an entry that is no longer there: entries were removed from
    /// the end and the head rewritten.
    Beyond,
    /// The chain holds together but differs from a signed checkpoint kept outside the
    /// database: it was recomputed by someone who could write the database.
    Checkpoint,
}

/// Walk the whole chain in order, recomputing every hash. It reads in pages rather than one
/// stream so that it runs in constant memory without holding one long read open.
pub async fn verify(store: &Store) -> Result<Verification, StoreError> {
    verify_against(store, &std::collections::BTreeMap::new()).await
}

/// `verify`, also holding the chain to `checkpoints` (sequence number → the hashes signed for
/// it, from `audit_anchor`): a chain recomputed after a deletion cannot match them.
pub async fn verify_against(
    store: &Store,
    checkpoints: &std::collections::BTreeMap<i64, Vec<[u8; 32]>>,
) -> Result<Verification, StoreError> {
    let broken = |entries: i64, at: i64, why: Break| Verification { entries, broken_at: Some(at), why: Some(why) };
    let mut prev = "0".repeat(64);
    let mut expected_seq = 1;
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, org_id, action, record_type, record_id, detail, prev_hash, hash \
             FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000",
        )
        .bind(expected_seq)
        .fetch_all(store.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            let seq = r.int("seq")?;
            let recomputed = link_hash(
                &prev,
                seq,
                &r.text("at")?,
                &r.opt_text("actor_id")?.unwrap_or_default(),
                &r.opt_text("org_id")?.unwrap_or_default(),
                &r.text("action")?,
                &r.text("record_type")?,
                &r.opt_text("record_id")?.unwrap_or_default(),
                &r.text("detail")?,
            );
            let stored = r.text("hash")?;
            if seq != expected_seq || r.text("prev_hash")? != prev || recomputed != stored {
                return Ok(broken(expected_seq - 1, expected_seq, Break::Link));
            }
            if checkpoints.get(&seq).is_some_and(|signed| signed.iter().any(|h| hex::encode(h) != stored)) {
                return Ok(broken(expected_seq - 1, seq, Break::Checkpoint));
            }
            prev = stored;
            expected_seq += 1;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(store.pool()).await?;
    let entries = expected_seq - 1;
    if head.int("seq")? != entries || head.text("hash")? != prev {
        // Entries were removed from the end.
        return Ok(broken(entries, entries + 1, Break::End));
    }
    if let Some((&signed, _)) = checkpoints.range(entries + 1..).next() {
        // A checkpoint was signed for an entry that is no longer there.
        return Ok(broken(entries, signed, Break::Beyond));
    }
    Ok(Verification { entries, broken_at: None, why: None })
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// The acting account's name as people know it ("Chan Sokha").
    pub actor_display: Option<String>,
    pub org_id: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `None` means every organisation (system administrators only).
    pub org_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub record_id: Option<String>,
    pub action: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// The newest entries first, filtered; keyset pagination by sequence number.
pub async fn list(store: &Store, f: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
    let mut q = Sql::new(
        "SELECT a.seq, a.at, a.actor_id, u.username AS actor_name, u.display_name AS actor_display, a.org_id, a.action, a.record_type, a.record_id, a.detail \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE 1 = 1",
    );
    if let Some(org) = f.org_id {
        q.push(" AND a.org_id = ").bind_text(org.to_string());
    }
    if let Some(actor) = f.actor_id {
        q.push(" AND a.actor_id = ").bind_text(actor.to_string());
    }
    if let Some(rid) = &f.record_id {
        q.push(" AND a.record_id = ").bind_text(rid.clone());
    }
    if let Some(action) = &f.action {
        q.push(" AND a.action = ").bind_text(action.clone());
    }
    if let Some(since) = &f.since {
        q.push(" AND a.at >= ").bind_text(since.clone());
    }
    if let Some(until) = &f.until {
        q.push(" AND a.at < ").bind_text(until.clone());
    }
    if let Some(before) = f.before_seq {
        q.push(" AND a.seq < ").bind_int(before);
    }
    q.push(" ORDER BY a.seq DESC").limit(f.limit.clamp(1, 500));
    let rows = q.query().fetch_all(store.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                seq: r.int("seq")?,
                at: r.text("at")?,
                actor_id: r.opt_text("actor_id")?,
                actor_name: r.opt_text("actor_name")?,
                actor_display: r.opt_text("actor_display")?,
                org_id: r.opt_text("org_id")?,
                action: r.text("action")?,
                record_type: r.text("record_type")?,
                record_id: r.opt_text("record_id")?,
                detail: r.text("detail")?,
            })
        })
        .collect()
}

/// What an audit reader is shown for the records its entries name: a child's (or its case's)
/// case number — never the name: the administrators who read the audit do not read case files —,
/// an account's, institution's, organisation's or team's name. By record id; ids not found
/// (a record since merged away, or of a kind not named) are left out. A reader of one
/// organisation's log (`org`) is told only its own children, accounts and teams: its entries
/// also record its staff's refused tries at another organisation's child, whose case number is
/// not theirs to learn. Institutions and organisations are public registers.
pub async fn record_names(
    store: &Store,
    org: Option<Uuid>,
    rows: &[AuditRow],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let mut out = std::collections::HashMap::new();
    let tables: [(&[&str], &str, &str, bool); 5] = [
        (&["child", "case"], "children", "case_number", true),
        (&["user"], "users", "display_name", true),
        (&["rci"], "rcis", "name", false),
        (&["organisation"], "organisations", "name", false),
        (&["team"], "teams", "name", true),
    ];
    for (kinds, table, column, own) in tables {
        let mut ids: Vec<&str> =
            rows.iter().filter(|r| kinds.contains(&r.record_type.as_str())).filter_map(|r| r.record_id.as_deref()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            continue;
        }
        let mut q = Sql::new(&format!("SELECT id, {column} AS name FROM {table} WHERE id IN ("));
        for (i, id) in ids.iter().enumerate() {
            q.push(if i == 0 { "" } else { ", " }).bind_text(id.to_string());
        }
        q.push(")");
        if let (true, Some(o)) = (own, org) {
            q.push(" AND org_id = ").bind_text(o.to_string());
        }
        for r in q.query().fetch_all(store.pool()).await? {
            out.insert(r.text("id")?, r.text("name")?);
        }
    }
    Ok(out)
}

/// The child a case number names, for the audit's filter: within `org` when the reader's reach
/// is one organisation (a case number of another finds nothing, as one that does not exist).
pub async fn child_by_case_number(store: &Store, org: Option<Uuid>, case_number: &str) -> Result<Option<String>, StoreError> {
    let mut q = Sql::new("SELECT id FROM children WHERE case_number = ");
    q.bind_text(case_number.trim().to_string());
    if let Some(o) = org {
        q.push(" AND org_id = ").bind_text(o.to_string());
    }
    q.limit(1);
    match q.query().fetch_optional(store.pool()).await? {
        Some(r) => Ok(Some(r.text("id")?)),
        None => Ok(None),
    }
}
