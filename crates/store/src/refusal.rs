//! Refusing an action on a record: audited, and answered so that varying an id reveals nothing.

use crate::audit::{self, Entry};
use crate::children::load;
use crate::db::Store;
use crate::error::StoreError;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use serde_json::json;
use uuid::Uuid;

/// Refuse, and record the refusal in the audit log (in its own transaction). A record the actor
/// may not even read answers as one that does not exist (`NotFound`): another organisation's id
/// and a random one must be told apart by nobody. Only a child the actor may read is refused
/// as forbidden (a worker asking to approve, a receiver writing where it only reads).
pub(crate) async fn refuse(store: &Store, actor: &Actor, action: &str, record_type: &str, id: Uuid) -> StoreError {
    let readable = match record_type {
        "child" | "case" => match store.pool.begin().await {
            Ok(mut tx) => {
                load(&mut tx, id).await.is_ok_and(|c| decide(actor, Action::ViewChild, Target::Record(&c.owner(actor))).allowed())
            }
            Err(_) => false,
        },
        _ => false,
    };
    if let Ok(mut tx) = store.write().await {
        let entry = Entry { action: "access.denied", record_type, record_id: Some(id.to_string()), detail: json!({"attempted": action}) };
        if audit::append(&mut tx, actor.into(), entry).await.is_ok() {
            let _ = tx.commit().await;
        }
    }
    if readable {
        StoreError::Forbidden
    } else {
        StoreError::NotFound
    }
}
