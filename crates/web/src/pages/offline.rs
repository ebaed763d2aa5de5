//! Taking a child's case offline from its page: the worker's own caseload always goes with
//! their devices; any other child they may see (a colleague's case they will visit) can be
//! added, and removed again.

use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::pages::form::FormData;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::policy::{decide, Target};
use krousar_domain::Action;
use krousar_store::children::Child;

/// What the child's page offers about taking it offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offline {
    /// The viewer does not work offline.
    NotOffered,
    /// In the viewer's caseload: always carried.
    Caseload,
    Chosen,
    NotChosen,
}

pub async fn state_for(state: &AppState, cur: &Current, child: &Child) -> Result<Offline, PageError> {
    if !decide(&cur.actor, Action::WorkOffline, Target::Organisation(cur.actor.org_id)).allowed() {
        return Ok(Offline::NotOffered);
    }
    let me = Some(cur.user.id);
    if child.assigned_worker_id == me || child.co_worker_id == me {
        return Ok(Offline::Caseload);
    }
    let chosen = state.store.is_offline(&cur.actor, child.id).await?;
    Ok(if chosen { Offline::Chosen } else { Offline::NotChosen })
}

pub async fn toggle(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let on = FormData(pairs).either("offline", "1", "0").ok_or(PageError(AppError::BadRequest("err-invalid-choice")))?;
    state.store.set_offline(&cur.actor, id, on).await?;
    Ok(Redirect::to(&format!("/children/{id}")).into_response())
}
