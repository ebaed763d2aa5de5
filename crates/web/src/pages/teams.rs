//! An organisation's teams and their hierarchy (a province office above its district teams):
//! a supervisor oversees their team and every team below it. Managed on the users page.

use super::admin::{may_manage, users_page};
use super::form::FormData;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::Opt;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use krousar_domain::Invalid;
use krousar_store::{StoreError, Who};
use std::collections::HashMap;
use uuid::Uuid;

pub struct TeamRow {
    pub id: String,
    /// "Battambang › Moung Ruessei": the team with the teams above it.
    pub path: String,
    pub parents: Vec<Opt>,
}

/// Every team of the administrator's organisation with the teams it may be placed under.
pub async fn rows(state: &AppState, cur: &Current) -> Result<Vec<TeamRow>, PageError> {
    let teams = state.store.teams(cur.actor.org_id).await?;
    let edges: Vec<(Uuid, Option<Uuid>)> = teams.iter().map(|t| (t.id, t.parent_id)).collect();
    let names: HashMap<Uuid, &str> = teams.iter().map(|t| (t.id, t.name.as_str())).collect();
    let path = |mut id: Uuid| {
        let mut parts = Vec::new();
        while let Some(name) = names.get(&id) {
            if parts.len() > teams.len() {
                break; // damaged data: a loop
            }
            parts.push(*name);
            match edges.iter().find(|(t, _)| *t == id).and_then(|(_, p)| *p) {
                Some(p) => id = p,
                None => break,
            }
        }
        parts.reverse();
        parts.join(" › ")
    };
    let mut out: Vec<TeamRow> = teams
        .iter()
        .map(|t| {
            let mut parents = vec![Opt { value: String::new(), label: cur.tr.t("opt-top-team"), selected: t.parent_id.is_none() }];
            parents.extend(teams.iter().filter(|p| krousar_domain::team::parent_allowed(&edges, t.id, Some(p.id))).map(|p| Opt {
                value: p.id.to_string(),
                label: path(p.id),
                selected: t.parent_id == Some(p.id),
            }));
            TeamRow { id: t.id.to_string(), path: path(t.id), parents }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Create a team in the administrator's organisation, at the top or under another team.
pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
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
    Form(pairs): Form<Vec<(String, String)>>,
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
