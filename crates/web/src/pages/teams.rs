//! An organisation's teams and their hierarchy (a province office above its district teams):
//! a supervisor oversees their team and every team below it. Managed on the users page.

use super::admin::{may_manage, users_page};
use super::form::FormData;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::Invalid;
use krousar_store::{StoreError, Who};
use uuid::Uuid;

/// Create a team in the administrator's organisation, at the top or under another team.
pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    may_manage(&cur, cur.actor.org_id)?;
    let f = FormData(pairs);
    let name: String = f.get("team_name").unwrap_or_default();
    if name.trim().is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        let mut e = Invalid::default();
        e.push("team_name", "err-required");
        return users_page(&state, &cur, &f, &e, cur.tr.t("err-invalid")).await;
    }
    let parent = f.get("team_parent").filter(|p| !p.is_empty()).map(|p| Uuid::parse_str(&p));
    let parent = match parent {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => return Err(PageError(AppError::BadRequest("err-invalid"))),
    };
    let team = match state.store.create_team(Who::from(&cur.actor), cur.actor.org_id, &name).await {
        Ok(t) => t,
        Err(StoreError::Duplicate(_)) => {
            let mut e = Invalid::default();
            e.push("team_name", "err-duplicate");
            return users_page(&state, &cur, &f, &e, cur.tr.t("err-invalid")).await;
        }
        Err(e) => return Err(PageError::from(e)),
    };
    if parent.is_some() {
        place(&state, &cur, team.id, parent, &f).await
    } else {
        Ok(Redirect::to("/admin/users").into_response())
    }
}

/// Move a team under another one (or to the top).
pub async fn set_parent(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    may_manage(&cur, cur.actor.org_id)?;
    let f = FormData(pairs);
    let parent = match f.get("parent").filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(Uuid::parse_str(&p).map_err(|_| PageError(AppError::BadRequest("err-invalid")))?),
    };
    place(&state, &cur, id, parent, &f).await
}

async fn place(state: &AppState, cur: &Current, team: Uuid, parent: Option<Uuid>, f: &FormData) -> Result<Response, PageError> {
    match state.store.set_team_parent(Who::from(&cur.actor), cur.actor.org_id, team, parent).await {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(StoreError::Invalid(e)) => users_page(state, cur, f, &e, super::notice_of(cur, &e)).await,
        Err(e) => Err(PageError::from(e)),
    }
}
