//! Read access to the registers around the cases: a child's cash support, the training report
//! and an RCI's transition. (Changes go through the pages, which check the same rules.)

use super::bad_id;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::Ids;
use crate::pages::parse_id;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// `GET /children/{id}/cash`: the child's government cash support, eligibility and what is due.
pub async fn cash(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let v = state.store.cash_support(&cur.actor, id).await?;
    let (months, amount) = v.support.unpaid(cur.actor.today());
    Ok(Json(json!({"support": v.support, "eligible": v.eligible, "unpaid_months": months, "unpaid_riel": amount})).into_response())
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    by: Option<String>,
}

/// `GET /training/report?by=course|sex|province|organisation`: people trained and test improvement.
pub async fn training_report(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let by = q.by.as_deref().filter(|b| matches!(*b, "sex" | "province" | "organisation")).unwrap_or("course");
    let items = state.store.trained_report(&cur.actor, by).await?;
    Ok(Json(json!({ "items": items })).into_response())
}

/// `GET /rcis/{id}/transition`: the RCI's stage changes, inspections and staff counts.
pub async fn rci_transition(State(state): State<AppState>, ApiUser(_): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let rci = state.store.rci(id).await?;
    let events = state.store.rci_events(id).await?;
    Ok(Json(json!({"stage": rci.transition_stage, "stage_since": rci.stage_since, "residents": rci.residents, "events": events}))
        .into_response())
}

/// A JSON object as the pages' form pairs: numbers and `true` as text, lists as repeated keys,
/// so that the API goes through exactly the same validation as the pages.
fn form_of(body: &axum::body::Bytes) -> Result<crate::pages::form::FormData, ApiError> {
    use serde_json::Value;
    let v: Value = super::json_body(body)?;
    let Some(o) = v.as_object() else { return Err(ApiError(crate::error::AppError::BadRequest("err-bad-json"))) };
    let mut pairs = Vec::new();
    for (k, v) in o {
        match v {
            Value::String(s) => pairs.push((k.clone(), s.clone())),
            Value::Number(n) => pairs.push((k.clone(), n.to_string())),
            Value::Bool(true) => pairs.push((k.clone(), "1".into())),
            Value::Array(items) => pairs.extend(items.iter().filter_map(|i| i.as_str()).map(|i| (k.clone(), i.to_string()))),
            Value::Object(scores) => {
                pairs.extend(scores.iter().map(|(sk, sv)| (format!("{k}_{sk}"), sv.to_string().trim_matches('"').to_string())))
            }
            _ => {}
        }
    }
    Ok(crate::pages::form::FormData(pairs))
}

fn created(id: Option<Uuid>) -> Response {
    match id {
        Some(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        None => Json(json!({ "ok": true })).into_response(),
    }
}

/// `POST /children/{id}/cash`: `{"action": "apply"|"approve"|"refuse"|"pay", …}` as the page.
pub async fn cash_change(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = form_of(&body)?;
    crate::commands::cash::change(&state.store, &cur.actor, id, &f).await?;
    cash(State(state), ApiUser(cur), Ids(id)).await
}

/// `POST /rcis/{id}/transition`: `{"kind": "stage"|"inspection"|"staff", …}`; an inspection's
/// scores as `{"score": {"gatekeeping": 2, …}}`.
pub async fn rci_record(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = form_of(&body)?;
    let kind = f.get("kind").unwrap_or_default();
    crate::commands::rci_transition::record(&state.store, &cur.actor, id, &kind, &f).await?;
    rci_transition(State(state), ApiUser(cur), Ids(id)).await
}

/// `POST /training/{course|session|person}` and `POST /training/{participant|mentoring}/{id}`
/// (the session's or the person's id).
pub async fn training_record(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Path(path): Path<Vec<String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (what, target) = match path.as_slice() {
        [what] => (what.clone(), None),
        [what, id] => (what.clone(), Some(parse_id(id).ok_or_else(bad_id)?)),
        _ => return Err(bad_id()),
    };
    let f = form_of(&body)?;
    let id = crate::commands::training::record(&state.store, &cur.actor, &what, target, &f).await?;
    Ok(created(id))
}
