//! Cases in the API: read a case file, add any case record (the same forms and rules as the
//! pages), ask for and decide approvals, complete tasks, and the caller's list of what is due.

use super::case_forms::{CaseFormBody, CaseFormCode};
use super::schema::{BadRequest, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use super::{invalid_field, json_body};
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
use krousar_store::cases::attachments::Attachment;
use krousar_store::cases::{Case, CaseFile, Worklist};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

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

/// A child's case file: the case, its timeline, tasks, visits, approvals and attachments, cut
/// to what the caller may read.
#[utoipa::path(get, path = "/api/v1/children/{id}/case", tag = "cases", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = CaseFile), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn get(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let (_, file) = state.store.case_file(&cur.actor, id, "api").await?;
    match file {
        Some(f) => Ok(Json(f).into_response()),
        None => Err(ApiError(AppError::NotFound)),
    }
}

/// Add a case record with one of the case's forms (the page's fields, validated the same way);
/// `open` opens the case (201). Answers the case as the caller may read it.
#[utoipa::path(post, path = "/api/v1/children/{id}/case/{form}", tag = "cases",
    params(("id" = Uuid, Path, description = "The child's id"), ("form" = inline(CaseFormCode), Path, description = "Which form")),
    request_body = CaseFormBody,
    responses((status = 200, body = Case), (status = 201, description = "The case, opened", body = Case),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict), (status = 422, response = Invalid)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, form)): Ids<(Uuid, String)>,
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

/// What to ask a supervisor to approve (a closure is asked for by the closing form).
#[derive(Deserialize, ToSchema)]
pub struct ApprovalRequest {
    #[schema(value_type = Option<String>, pattern = "^(assessment|care_plan|placement)$")]
    kind: Option<String>,
}

/// The case as before, and the approval asked for.
#[derive(Serialize, ToSchema)]
pub struct ApprovalAsked {
    #[serde(flatten)]
    case: Case,
    /// The approval's id, to decide it by (`POST …/case/approvals/{approval}`).
    approval_id: Uuid,
}

/// Ask for an approval.
#[utoipa::path(post, path = "/api/v1/children/{id}/case/approvals", tag = "cases", params(("id" = Uuid, Path, description = "The child's id")),
    request_body = ApprovalRequest,
    responses((status = 200, body = ApprovalAsked), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn request(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let asked: ApprovalRequest = json_body(&body)?;
    let kind = asked
        .kind
        .as_deref()
        .and_then(ApprovalKind::parse)
        .filter(|k| *k != ApprovalKind::Closure)
        .ok_or_else(|| invalid_field("kind", "err-invalid-choice"))?;
    let (approval, case) = state.store.ask_approval(&cur.actor, id, kind, None).await?;
    let case = state.store.case_as_read_by(&cur.actor, id, case).await?;
    Ok(Json(ApprovalAsked { case, approval_id: approval }).into_response())
}

/// A supervisor's decision on an approval.
#[derive(Deserialize, ToSchema)]
pub struct Decision {
    #[schema(value_type = Option<String>, pattern = "^(approve|return)$")]
    decision: Option<String>,
    /// Why (shown to the worker), above all when returning it.
    comment: Option<String>,
}

/// Approve or return an approval (a supervisor of the case's team; never one's own request).
#[utoipa::path(post, path = "/api/v1/children/{id}/case/approvals/{approval}", tag = "cases",
    params(("id" = Uuid, Path, description = "The child's id"), ("approval" = Uuid, Path, description = "The approval's id")),
    request_body = Decision,
    responses((status = 200, body = Case), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, approval)): Ids<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let d: Decision = json_body(&body)?;
    let approve = match d.decision.as_deref() {
        Some("approve") => true,
        Some("return") => false,
        _ => return Err(invalid_field("decision", "err-invalid-choice")),
    };
    let case = state.store.decide_approval(&cur.actor, id, approval, approve, d.comment.as_deref()).await?;
    let case = state.store.case_as_read_by(&cur.actor, id, case).await?;
    Ok(Json(case).into_response())
}

/// Mark a task done (today).
#[utoipa::path(post, path = "/api/v1/children/{id}/case/tasks/{task}/done", tag = "cases",
    params(("id" = Uuid, Path, description = "The child's id"), ("task" = Uuid, Path, description = "The task's id")),
    responses((status = 200, body = Case), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn task_done(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, task)): Ids<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let case = state.store.complete_task(&cur.actor, id, task, cur.actor.today()).await?;
    let case = state.store.case_as_read_by(&cur.actor, id, case).await?;
    Ok(Json(case).into_response())
}

/// What is due for the caller's cases (visits, reassessments, tasks), and their cases by stage.
#[utoipa::path(get, path = "/api/v1/worklist", tag = "cases",
    responses((status = 200, body = Worklist), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn worklist(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let w = state.store.worklist(&cur.actor, cur.tr.is_km()).await?;
    Ok(Json(w).into_response())
}

/// A file to attach to the case (multipart form).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Upload {
    /// The file (a photo, a scanned document or a PDF; at most the upload limit).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The case record it belongs to, if any.
    entry: Option<Uuid>,
    /// What it is (free text).
    kind: Option<String>,
}

/// Attach a file to the case.
#[utoipa::path(post, path = "/api/v1/children/{id}/case/attachments", tag = "cases", params(("id" = Uuid, Path, description = "The child's id")),
    request_body(content = Upload, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn upload(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let up = crate::files::read_upload(mp).await?;
    let a = state.store.add_attachment(&cur.actor, id, up.entry, &up.file_name, &up.bytes).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// An attached file, as it was uploaded.
#[utoipa::path(get, path = "/api/v1/children/{id}/case/attachments/{file}", tag = "cases",
    params(("id" = Uuid, Path, description = "The child's id"), ("file" = Uuid, Path, description = "The attachment's id")),
    responses((status = 200, description = "The file, with its own content type", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn attachment(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, file)): Ids<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let (a, bytes) = state.store.read_attachment(&cur.actor, id, file).await?;
    Ok(crate::files::download(&a.file_name, &a.content_type, bytes))
}
