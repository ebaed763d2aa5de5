//! The organisation's own forms over the API: `GET /forms` (the forms its people fill in now,
//! with their fields) and `POST /children/{id}/case/custom/{form}` (an answer on a case, checked
//! as the page checks it).

use super::json_body;
use super::schema::{BadRequest, Forbidden, Invalid, Items, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::forms::{FormDef, FormTarget};
use krousar_store::cases::Case;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// A form the organisation's people fill in now.
#[derive(Serialize, ToSchema)]
pub struct FormNow {
    id: Uuid,
    /// The version answered now.
    version: u32,
    /// Where it is filled in: `case` (`POST /children/{id}/case/custom/{form}`), `child`
    /// (`POST /children/{id}/forms/{form}`), `household` (`POST /households/{id}/forms/{form}`)
    /// or `carer` (`POST /carers/{id}/forms/{form}`).
    target: FormTarget,
    /// Its questions are asked when a child (a household) is registered: answered with
    /// `answers` in `POST /children`.
    in_registration: bool,
    #[serde(flatten)]
    definition: FormDef,
}

/// An answer to a form: when, and each field's value by its code (`f1`…): text, a number, a
/// date (`YYYY-MM-DD`), `yes`/`no`, a choice's code (`c1`…), or a list of choices' codes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormAnswerBody {
    answered_on: Option<String>,
    #[schema(value_type = Option<HashMap<String, AnswerIn>>)]
    answers: Option<HashMap<String, Value>>,
}

/// One field's answer: text (a date, `yes`/`no`, a choice's code…), a number, or choices' codes.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the values `FormAnswerBody::answers` takes
pub enum AnswerIn {
    Text(String),
    Number(i64),
    Choices(Vec<String>),
}

/// The organisation's forms in use, with their current fields.
#[utoipa::path(get, path = "/api/v1/forms", tag = "cases",
    responses((status = 200, body = Items<FormNow>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state
        .store
        .custom_forms(cur.actor.org_id, true)
        .await?
        .into_iter()
        .filter_map(|f| {
            let (id, version, target, in_registration) = (f.id, f.current_version, f.target, f.in_registration);
            f.current.map(|definition| FormNow { id, version, target, in_registration, definition })
        })
        .collect();
    Ok(Json(Items { items }).into_response())
}

/// Fill in one of the organisation's forms on a child's case. Answers the case.
#[utoipa::path(post, path = "/api/v1/children/{id}/case/custom/{form}", tag = "cases",
    params(("id" = Uuid, Path, description = "The child's id"), ("form" = Uuid, Path, description = "The form's id")),
    request_body = FormAnswerBody,
    responses((status = 200, body = Case), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, form)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (on, raw) = raw_answers(&body)?;
    let case = state.store.answer_custom_form(&cur.actor, id, form, on.as_deref(), &raw).await?;
    Ok(Json(case).into_response())
}

/// Each field's values by its code, as the page's form posts them.
type RawAnswers = BTreeMap<String, Vec<String>>;

/// A body's date and answers, as the page's form would send them.
pub(super) fn raw_answers(body: &Bytes) -> Result<(Option<String>, RawAnswers), ApiError> {
    let b: FormAnswerBody = json_body(body)?;
    Ok((b.answered_on, values_of(b.answers.unwrap_or_default())))
}

/// Answers sent as JSON (a value, or a list for several choices) as a page's form posts them.
pub(super) fn values_of(answers: HashMap<String, Value>) -> RawAnswers {
    let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in answers {
        let values = match v {
            Value::Array(items) => items.iter().map(text).collect(),
            other => vec![text(&other)],
        };
        raw.insert(k, values);
    }
    raw
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
