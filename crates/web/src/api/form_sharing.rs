//! Forms between organisations over the API, for the form managers (`ManageCaseSettings`):
//! a form's definition as a file and imported from one, sharing a published form, the forms
//! others share and adopting one; and a form's answers, for those who list the children.

use super::invalid_field;
use super::schema::{BadRequest, Created, Forbidden, Invalid, Items, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use krousar_domain::forms::answers::FormAnswers;
use krousar_domain::forms::file::{self, FormFile};
use krousar_domain::forms::FormTarget;
use krousar_store::custom_form_sharing::SharedForm;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

fn manager(cur: &crate::auth::Current) -> Result<(), ApiError> {
    use krousar_domain::policy::{decide, Target};
    if decide(&cur.actor, krousar_domain::Action::ManageCaseSettings, Target::Organisation(cur.actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(ApiError(AppError::Forbidden))
    }
}

/// A form's draft as a file (`format: krousar-form`), to import elsewhere. No answer travels.
#[utoipa::path(get, path = "/api/v1/forms/{id}/definition", tag = "forms", params(("id" = Uuid, Path, description = "The form's id")),
    responses((status = 200, body = FormFile), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn definition(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    // Only a form manager reads the draft (a worker reads published forms at `GET /forms`).
    manager(&cur)?;
    let form = state.store.custom_form(&cur.actor, id).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], file::to_file(&form.draft, form.target)).into_response())
}

/// A form file becomes a new draft of the organisation, checked as the builder checks (a file
/// that is not one, or breaks a rule, is 422 naming `file` or the field's problem).
#[utoipa::path(post, path = "/api/v1/forms/import", tag = "forms", request_body = FormFile,
    responses((status = 201, body = Created), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 422, response = Invalid)))]
pub async fn import(State(state): State<AppState>, ApiUser(cur): ApiUser, body: Bytes) -> Result<Response, ApiError> {
    // Refused before reading for those who may not build forms.
    manager(&cur)?;
    let (def, target) = file::from_file(&body).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let id = state.store.import_custom_form(&cur.actor, def, target).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// Whether a published form is offered to the other organisations.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sharing {
    shared: bool,
}

/// Share a published form with the other organisations, or stop (adopted copies stay).
#[utoipa::path(put, path = "/api/v1/forms/{id}/shared", tag = "forms", params(("id" = Uuid, Path, description = "The form's id")),
    request_body = Sharing,
    responses((status = 204, description = "Done"), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn share(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let s: Sharing = super::json_body(&body)?;
    state.store.share_custom_form(&cur.actor, id, s.shared).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The forms other organisations share (the ministry's first, as national templates).
#[utoipa::path(get, path = "/api/v1/forms/shared", tag = "forms",
    responses((status = 200, body = Items<SharedForm>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn shared(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(Items { items: state.store.shared_custom_forms(&cur.actor).await? }).into_response())
}

/// Adopt a shared form: its published version becomes a draft of the organisation (same
/// codes), to publish. A form not shared is 404.
#[utoipa::path(post, path = "/api/v1/forms/shared/{id}/adopt", tag = "forms", params(("id" = Uuid, Path, description = "The shared form's id")),
    responses((status = 201, body = Created), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn adopt(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let id = state.store.adopt_custom_form(&cur.actor, id).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// The period of answers (both days included; default: the year so far).
#[derive(Deserialize, IntoParams)]
pub struct Period {
    /// `YYYY-MM-DD`
    from: Option<String>,
    /// `YYYY-MM-DD`
    to: Option<String>,
}

/// One answer to a form, with the record it is about: a child (forms on a case or on the
/// child's record), a household, or a carer household.
#[derive(Serialize, ToSchema)]
pub struct AnswerRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    child_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_number: Option<String>,
    /// `female` or `male` (a child's)
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    household_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    carer_id: Option<Uuid>,
    /// The household's or the carer household's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    answers: FormAnswers,
}

/// Every answer to a form in a period on the cases the reader lists (a supervisor's teams, a
/// manager's organisation), oldest first; audited. An administrator counts but does not read.
#[utoipa::path(get, path = "/api/v1/forms/{id}/answers", tag = "forms", params(("id" = Uuid, Path, description = "The form's id"), Period),
    responses((status = 200, body = Items<AnswerRow>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn answers(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    Query(p): Query<Period>,
) -> Result<Response, ApiError> {
    let day = |s: &Option<String>, field: &'static str| -> Result<Option<NaiveDate>, ApiError> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map(Some).map_err(|_| invalid_field(field, "err-date")),
        }
    };
    let today = cur.actor.today();
    let from = day(&p.from, "from")?.unwrap_or_else(|| krousar_domain::indicators::Period::year_of(today).from);
    let to = day(&p.to, "to")?.unwrap_or(today);
    let target = state.store.custom_form(&cur.actor, id).await?.target;
    let rows = state.store.export_custom_form_answers(&cur.actor, id, from, to).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let (child, household, carer) = match target {
                FormTarget::Case | FormTarget::Child => (Some(r.record_id), None, None),
                FormTarget::Household => (None, Some(r.record_id), None),
                FormTarget::Carer => (None, None, Some(r.record_id)),
            };
            let (case_number, name) = if child.is_some() { (Some(r.label), None) } else { (None, Some(r.label)) };
            AnswerRow { child_id: child, case_number, sex: r.sex, household_id: household, carer_id: carer, name, answers: r.answers }
        })
        .collect();
    Ok(Json(Items { items }).into_response())
}
