//! Cases in the API: read a case file, add any case record (the same forms and rules as the
//! pages), ask for and decide approvals, complete tasks, and the caller's list of what is due.

use super::json_body;
use crate::auth::ApiUser;
use crate::commands::case::{apply, CaseForm, Fields};
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::case::ApprovalKind;
use serde_json::{json, Value};

/// A JSON object of strings, numbers and booleans, as form fields (numbers and booleans become
/// their text: `true` is a ticked box). Nested values are refused.
fn fields(body: &Bytes) -> Result<Fields, ApiError> {
    let v: Value = json_body(body)?;
    let bad = || ApiError(AppError::BadRequest("err-bad-json"));
    let obj = v.as_object().ok_or_else(bad)?;
    let mut out = Fields::new();
    for (k, v) in obj {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            _ => return Err(bad()),
        };
        out.insert(k.clone(), text);
    }
    Ok(out)
}

pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, ApiError> {
    let (_, file) = state.store.case_file(&cur.actor, id, "api").await?;
    match file {
        Some(f) => Ok(Json(f).into_response()),
        None => Err(ApiError(AppError::NotFound)),
    }
}

pub async fn record(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, form)): Ids<(uuid::Uuid, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = CaseForm::parse(&form).ok_or(ApiError(AppError::NotFound))?;
    let f = fields(&body)?;
    let case = apply(&state.store, &cur.actor, id, form, &f).await?;
    // A receiver records a service and gets the case back: cut as its reads are.
    let case = state.store.case_as_read_by(&cur.actor, id, case).await?;
    let status = if form == CaseForm::Open { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(case)).into_response())
}

pub async fn request(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = fields(&body)?;
    let kind = f.get("kind").and_then(|k| ApprovalKind::parse(k)).filter(|k| *k != ApprovalKind::Closure).ok_or_else(|| {
        let mut i = krousar_domain::Invalid::default();
        i.push("kind", "err-invalid-choice");
        ApiError(AppError::Invalid(i))
    })?;
    let (approval, case) = state.store.ask_approval(&cur.actor, id, kind, None, cur.actor.today()).await?;
    let case = state.store.case_as_read_by(&cur.actor, id, case).await?;
    // The approval's id, to decide it by (`POST …/approvals/{approval}`), and the case as before.
    let mut body = serde_json::to_value(case).unwrap_or_default();
    body["approval_id"] = json!(approval);
    Ok(Json(body).into_response())
}

pub async fn decide(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, approval)): Ids<(uuid::Uuid, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = fields(&body)?;
    let approve = match f.get("decision").map(String::as_str) {
        Some("approve") => true,
        Some("return") => false,
        _ => {
            let mut i = krousar_domain::Invalid::default();
            i.push("decision", "err-invalid-choice");
            return Err(ApiError(AppError::Invalid(i)));
        }
    };
    let case =
        state.store.decide_approval(&cur.actor, id, approval, approve, f.get("comment").map(String::as_str), cur.actor.today()).await?;
    let case = state.store.case_as_read_by(&cur.actor, id, case).await?;
    Ok(Json(case).into_response())
}

pub async fn task_done(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, task)): Ids<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Response, ApiError> {
    let case = state.store.complete_task(&cur.actor, id, task, cur.actor.today()).await?;
    let case = state.store.case_as_read_by(&cur.actor, id, case).await?;
    Ok(Json(case).into_response())
}

pub async fn worklist(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let w = state.store.worklist(&cur.actor, cur.actor.today(), cur.tr.is_km()).await?;
    Ok(Json(json!(w)).into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<uuid::Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let up = crate::files::read_upload(mp).await?;
    let a = state.store.add_attachment(&cur.actor, id, up.entry, &up.file_name, &up.bytes, cur.actor.today()).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

pub async fn attachment(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, file)): Ids<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Response, ApiError> {
    let (a, bytes) = state.store.read_attachment(&cur.actor, id, file).await?;
    Ok(crate::files::download(&a.file_name, &a.content_type, bytes))
}
