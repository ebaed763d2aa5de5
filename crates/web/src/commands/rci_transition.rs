//! A record of an RCI's transition: a stage it moved to, an inspection, or its staff.

use super::FormData;
use krousar_domain::rci_transition as rt;
use krousar_domain::Actor;
use krousar_store::{Store, StoreError};

/// One record of an RCI's transition, as posted by the page or the API: `what` is stage
/// (stage, on, note), inspection (on, inspector, score_<standard>…, note) or staff (on, total,
/// female, para_social_workers).
pub async fn record(store: &Store, actor: &Actor, id: uuid::Uuid, what: &str, f: &FormData) -> Result<(), StoreError> {
    match what {
        "stage" => match rt::stage_change(f.get("stage").as_deref(), f.get("on").as_deref(), f.get("note").as_deref(), actor.today()) {
            Ok((stage, on, note)) => store.move_rci_stage(actor, id, stage, on, note).await,
            Err(e) => Err(StoreError::Invalid(e)),
        },
        "inspection" => {
            let scores: Vec<(String, String)> =
                f.0.iter().filter_map(|(k, v)| k.strip_prefix("score_").map(|s| (s.to_string(), v.clone()))).collect();
            match rt::inspection(f.get("on").as_deref(), f.get("inspector").as_deref(), &scores, f.get("note").as_deref(), actor.today()) {
                Ok(i) => store.record_inspection(actor, id, &i).await,
                Err(e) => Err(StoreError::Invalid(e)),
            }
        }
        "staff" => match rt::staff(
            f.get("on").as_deref(),
            f.get("total").as_deref(),
            f.get("female").as_deref(),
            f.get("para_social_workers").as_deref(),
            actor.today(),
        ) {
            Ok(s) => store.record_rci_staff(actor, id, &s).await,
            Err(e) => Err(StoreError::Invalid(e)),
        },
        _ => Err(StoreError::invalid("kind", "err-invalid-choice")),
    }
}
