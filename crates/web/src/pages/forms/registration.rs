//! The organisation's own fields on the child's registration form and on the household's form:
//! the questions of the one form it asks there (`in_registration`), shown under the built-in
//! fields, checked with them (a problem in either keeps nothing), and kept as an answer on the
//! record in the same transaction as the record — only when they say something new. Checking
//! them is `commands::registration_fields`, shared with the API.

use super::answer::posted_values;
use super::fields::{field_views, offered, FieldView};
use super::record::values_of;
use crate::auth::Current;
use crate::error::PageError;
use crate::pages::form::FormData;
use crate::AppState;
use krousar_domain::forms::FormTarget;
use krousar_domain::Invalid;
use krousar_store::custom_form_records::RecordAnswer;

/// The form's name and its questions, with what was typed (`raw`) and their errors; nothing
/// when the organisation asks no fields of its own there.
pub async fn extra_fields(
    state: &AppState,
    cur: &Current,
    target: FormTarget,
    raw: &FormData,
    errors: &Invalid,
) -> Result<(String, Vec<FieldView>), PageError> {
    let Some(form) = state.store.registration_form(cur.actor.org_id, target).await? else { return Ok((String::new(), Vec::new())) };
    let Some(def) = form.current.as_ref() else { return Ok((String::new(), Vec::new())) };
    let values = posted_values(raw);
    let offered = offered(&state.store, cur, def, &values, None).await?;
    Ok((def.name(cur.tr.is_km()).to_string(), field_views(cur.tr, def, &values, errors, &offered)))
}

/// What the record says now in the organisation's own fields of `target`, as a form would post
/// it (`answers`: what the record holds, for a reader who reads it in full).
pub async fn current_values(
    state: &AppState,
    cur: &Current,
    target: FormTarget,
    answers: Option<Vec<RecordAnswer>>,
) -> Result<FormData, PageError> {
    let Some(form) = state.store.registration_form(cur.actor.org_id, target).await? else { return Ok(FormData::default()) };
    let answers = answers.unwrap_or_default();
    Ok(FormData(match answers.iter().find(|a| a.answers.form_id == form.id) {
        Some(latest) => values_of(&latest.answers).into_iter().flat_map(|(k, vs)| vs.into_iter().map(move |v| (k.clone(), v))).collect(),
        None => Vec::new(),
    }))
}
