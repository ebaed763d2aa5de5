//! The registers around the cases: a child's cash support, the training register and its
//! report, and an RCI's transition. Changes are typed here (`register_bodies`) and carried out
//! by the pages' own code, which checks the same rules.

use super::register_bodies::{training_form, CashChange, NewCourse, NewMentoring, NewParticipant, NewSession, NewTrainee, RciChange};
use super::schema::{any_of, BadRequest, Created, Done, Forbidden, Invalid, Items, NotFound, Unauthorized};
use super::{bad_id, json_body};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use krousar_domain::cash::CashSupport;
use krousar_domain::rci_transition::TransitionStage;
use krousar_store::rci_transition::RciEvent;
use krousar_store::training::TrainedRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A child's government cash support, whether she is eligible, and what is due.
#[derive(Serialize, ToSchema)]
pub struct CashAnswer {
    support: CashSupport,
    eligible: bool,
    /// Months granted and not paid yet.
    unpaid_months: Vec<NaiveDate>,
    unpaid_riel: u64,
}

/// `GET /children/{id}/cash`: the child's government cash support, eligibility and what is due.
#[utoipa::path(get, path = "/api/v1/children/{id}/cash", tag = "registers", params(("id" = Uuid, Path, description = "The child's id")),
    responses((status = 200, body = CashAnswer), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn cash(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let v = state.store.cash_support(&cur.actor, id).await?;
    let (unpaid_months, unpaid_riel) = v.support.unpaid(cur.actor.today());
    Ok(Json(CashAnswer { support: v.support, eligible: v.eligible, unpaid_months, unpaid_riel }).into_response())
}

/// `POST /children/{id}/cash`: apply, approve, refuse or pay, as the page does.
#[utoipa::path(post, path = "/api/v1/children/{id}/cash", tag = "registers", params(("id" = Uuid, Path, description = "The child's id")),
    request_body = CashChange,
    responses((status = 200, description = "The support as it is now", body = CashAnswer), (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Invalid)))]
pub async fn cash_change(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let change: CashChange = json_body(&body)?;
    crate::commands::cash::change(&state.store, &cur.actor, id, &change.form()).await?;
    cash(State(state), ApiUser(cur), Ids(id)).await
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Group by `course` (default), `sex`, `province` or `organisation`.
    #[param(pattern = "^(course|sex|province|organisation)$")]
    by: Option<String>,
}

/// `GET /training/report?by=course|sex|province|organisation`: people trained and test improvement.
#[utoipa::path(get, path = "/api/v1/training/report", tag = "registers", params(ReportQuery),
    responses((status = 200, body = Items<TrainedRow>), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden)))]
pub async fn training_report(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let by = match q.by.as_deref() {
        None | Some("course") => "course",
        Some(b @ ("sex" | "province" | "organisation")) => b,
        Some(_) => return Err(super::bad_request("err-bad-request")),
    };
    let items = state.store.trained_report(&cur.actor, by).await?;
    Ok(Json(Items { items }).into_response())
}

/// An RCI's transition: its stage, since when, the children living there, and its events.
#[derive(Serialize, ToSchema)]
pub struct RciTransition {
    stage: TransitionStage,
    stage_since: Option<String>,
    /// Children living there now; `null` (with `residents_hidden`) for whoever may not count
    /// them (only the partner organisation and the ministry may).
    residents: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    residents_hidden: Option<String>,
    /// Stage changes, inspections and staff counts, oldest first.
    events: Vec<RciEvent>,
}

/// `GET /rcis/{id}/transition`: the RCI's stage changes, inspections and staff counts.
#[utoipa::path(get, path = "/api/v1/rcis/{id}/transition", tag = "rcis", params(("id" = Uuid, Path, description = "The RCI's id")),
    responses((status = 200, body = RciTransition), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn rci_transition(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>) -> Result<Response, ApiError> {
    let rci = state.store.rci(&cur.actor, id).await?;
    let events = state.store.rci_events(id).await?;
    Ok(Json(RciTransition {
        stage: rci.transition_stage,
        stage_since: rci.stage_since,
        residents: rci.residents,
        residents_hidden: rci.residents_hidden,
        events,
    })
    .into_response())
}

/// `POST /rcis/{id}/transition`: a stage change, an inspection or a staff count.
#[utoipa::path(post, path = "/api/v1/rcis/{id}/transition", tag = "rcis", params(("id" = Uuid, Path, description = "The RCI's id")),
    request_body = RciChange,
    responses((status = 200, description = "The transition as it is now", body = RciTransition), (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 422, response = Invalid)))]
pub async fn rci_record(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let change: RciChange = json_body(&body)?;
    let (kind, f) = change.form();
    crate::commands::rci_transition::record(&state.store, &cur.actor, id, kind, &f).await?;
    rci_transition(State(state), ApiUser(cur), Ids(id)).await
}

/// Add to the training register: a course, a session of one, or a person.
#[utoipa::path(post, path = "/api/v1/training/{what}", tag = "registers",
    params(("what" = String, Path, pattern = "^(course|session|person)$", description = "`course`, `session` or `person`")),
    request_body(content = TrainingNew, description = "`NewCourse`, `NewSession` or `NewTrainee`, as the path says"),
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn training_add(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(what): Ids<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !matches!(what.as_str(), "course" | "session" | "person") {
        return Err(bad_id());
    }
    let f = training_form(&what, &body).ok_or_else(bad_id)??;
    let id = crate::commands::training::record(&state.store, &cur.actor, &what, None, &f).await?;
    Ok(created(id))
}

/// Add to a session or a person: a participant's result, or a mentoring visit.
#[utoipa::path(post, path = "/api/v1/training/{what}/{id}", tag = "registers",
    params(("what" = String, Path, pattern = "^(participant|mentoring)$", description = "`participant` (the id is the session's) or `mentoring` (the person's)"),
        ("id" = Uuid, Path, description = "The session's or the person's id")),
    request_body(content = TrainingFor, description = "`NewParticipant` or `NewMentoring`, as the path says"),
    responses((status = 200, body = Done), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn training_for(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((what, target)): Ids<(String, Uuid)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !matches!(what.as_str(), "participant" | "mentoring") {
        return Err(bad_id());
    }
    let f = training_form(&what, &body).ok_or_else(bad_id)??;
    let id = crate::commands::training::record(&state.store, &cur.actor, &what, Some(target), &f).await?;
    Ok(created(id))
}

any_of!(
    /// What `POST /training/{what}` takes: the record the path names.
    TrainingNew,
    [NewCourse, NewSession, NewTrainee]
);

any_of!(
    /// What `POST /training/{what}/{id}` takes: the record the path names.
    TrainingFor,
    [NewParticipant, NewMentoring]
);

fn created(id: Option<Uuid>) -> Response {
    match id {
        Some(id) => (StatusCode::CREATED, Json(Created { id })).into_response(),
        None => Json(Done { ok: true }).into_response(),
    }
}
