//! The organisation's own fields on the child's registration form and the household's form
//! (the one form of each it asks there): the answers given to them checked as on their own
//! page, for the pages and the API alike, before the record and its answer are kept together.

use krousar_domain::forms::answers::{self, Known};
use krousar_domain::forms::FormTarget;
use krousar_domain::{Actor, Invalid};
use krousar_store::custom_form_records::Extra;
use krousar_store::{Store, StoreError};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The answers given to the organisation's own fields (`values`: by question code, as a page
/// posts them), checked as on their own page (dated today); `record`: the record being changed
/// (a new one has no household to name people of).
pub async fn extra_answers(
    store: &Store,
    actor: &Actor,
    target: FormTarget,
    values: &BTreeMap<String, Vec<String>>,
    record: Option<Uuid>,
) -> Result<Result<Option<Extra>, Invalid>, StoreError> {
    let Some(form) = store.registration_form(actor.org_id, target).await? else { return Ok(Ok(None)) };
    let Some(def) = form.current.clone() else { return Ok(Ok(None)) };
    let places = store.answer_places(&answers::place_codes(&def, values)).await?;
    let people = match record {
        Some(id) => store.record_people(actor, target, id).await?,
        None => Default::default(),
    };
    let today = actor.today();
    Ok(match answers::validate(&def, Some(&today.to_string()), values, today, &Known { places, people, ..Default::default() }) {
        Ok((on, answers)) => Ok(Some(Extra { form, on, answers })),
        Err(e) => Err(e),
    })
}

/// The problems of the built-in fields and of the organisation's own, together.
pub fn merged(a: Option<Invalid>, b: Option<Invalid>) -> Invalid {
    let mut out = Invalid::default();
    out.errors.extend(a.into_iter().chain(b).flat_map(|e| e.errors));
    out
}
