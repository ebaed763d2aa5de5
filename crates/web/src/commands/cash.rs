//! A change to a child's government cash support: an application, the decision on it, or a
//! payment.

use super::FormData;
use krousar_domain::cash::{self, PaymentInput};
use krousar_domain::{Actor, Invalid};
use krousar_store::{Store, StoreError};

/// One change to a child's cash support, as posted by the page or the API (`action`: apply,
/// approve, refuse or pay, with that action's fields).
pub async fn change(store: &Store, actor: &Actor, id: uuid::Uuid, f: &FormData) -> Result<(), StoreError> {
    match f.get("action").as_deref() {
        Some("apply") => {
            let mut e = Invalid::default();
            match krousar_domain::case::entries::past_date(&mut e, "applied_on", f.get("applied_on").as_deref(), actor.today()) {
                Some(on) => store.apply_for_cash(actor, id, on).await.map(|_| ()),
                None => Err(StoreError::Invalid(e)),
            }
        }
        Some("approve") => match cash::grant(
            f.get("approved_on").as_deref(),
            f.get("monthly_riel").as_deref(),
            f.get("from").as_deref(),
            f.get("to").as_deref(),
            actor.today(),
        ) {
            Ok(g) => store.decide_cash(actor, id, Ok(g)).await.map(|_| ()),
            Err(e) => Err(StoreError::Invalid(e)),
        },
        // The reason as every written reason is checked (required, a limit, no control characters).
        Some("refuse") => match krousar_domain::case::entries::reason_text(f.get("reason").as_deref(), "reason") {
            Ok(reason) => store.decide_cash(actor, id, Err(reason)).await.map(|_| ()),
            Err(e) => Err(StoreError::Invalid(e)),
        },
        Some("pay") => {
            let (paid_on, amount, from, to, paid_to, status) =
                (f.get("paid_on"), f.get("amount"), f.get("from"), f.get("to"), f.get("paid_to"), f.get("status"));
            let input = PaymentInput {
                paid_on: paid_on.as_deref(),
                amount: amount.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
                paid_to: paid_to.as_deref(),
                status: status.as_deref(),
            };
            match cash::payment(input, actor.today()) {
                Ok(p) => store.record_cash_payment(actor, id, p).await.map(|_| ()),
                Err(e) => Err(StoreError::Invalid(e)),
            }
        }
        _ => Err(StoreError::invalid("action", "err-invalid-choice")),
    }
}
