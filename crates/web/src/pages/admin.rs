//! Organisation administration: user accounts and the audit log.

use super::form::{FormData, FormView};
use super::{parse_id, render};
use crate::auth::{hash_password, password_acceptable, Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::policy::{decide, Account, Target};
use krousar_domain::{Action, Invalid, Role};
use krousar_store::accounts::User;
use krousar_store::{StoreError, Who};

pub(super) fn may_manage(cur: &Current, org: uuid::Uuid) -> Result<(), PageError> {
    if decide(&cur.actor, Action::ManageUsers, Target::Organisation(org)).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    rows: Vec<Vec<String>>,
    f: FormView,
    roles: Vec<Opt>,
    teams: Vec<Opt>,
    /// The organisation's teams and where each sits in the hierarchy.
    team_rows: Vec<super::team_tree::TeamRow>,
    notice: String,
    require_totp: bool,
    can_set_org: bool,
    /// Links to the organisation's notice defaults and to the installation's mail server.
    can_notices: bool,
    can_mail: bool,
}

/// The policy on an account of `org` with `role` (as it is, or as it would be).
fn may_manage_account(cur: &Current, org: uuid::Uuid, role: Role) -> bool {
    decide(&cur.actor, Action::ManageUsers, Target::Account(Account { org_id: org, role })).allowed()
}

/// A role picked in a form, if the policy lets the actor grant it in `org`.
fn grantable(cur: &Current, org: uuid::Uuid, raw: &FormData) -> Option<Role> {
    raw.get("role").as_deref().and_then(Role::parse).filter(|r| may_manage_account(cur, org, *r))
}

/// Only the roles the actor may grant in `org` are offered.
fn role_opts(cur: &Current, org: uuid::Uuid, selected: Option<Role>) -> Vec<Opt> {
    Role::ALL
        .iter()
        .filter(|r| may_manage_account(cur, org, **r))
        .map(|r| Opt { value: r.as_str().into(), label: cur.tr.t(&r.label_key()), selected: Some(*r) == selected })
        .collect()
}

async fn team_opts(state: &AppState, cur: &Current, org: uuid::Uuid, selected: Option<uuid::Uuid>) -> Result<Vec<Opt>, PageError> {
    let mut out = vec![Opt { value: String::new(), label: cur.tr.t("opt-none"), selected: selected.is_none() }];
    out.extend(state.store.teams(org).await?.into_iter().map(|t| Opt {
        selected: Some(t.id) == selected,
        value: t.id.to_string(),
        label: t.name,
    }));
    Ok(out)
}

pub(super) async fn users_page(
    state: &AppState,
    cur: &Current,
    raw: &FormData,
    errors: &Invalid,
    notice: String,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let users = state.store.manageable_users(&cur.actor).await?;
    let rows = users
        .iter()
        .map(|u| {
            vec![
                u.id.to_string(),
                u.username.clone(),
                u.display_name.clone(),
                tr.t(&u.role.label_key()),
                if u.disabled { tr.t("msg-disabled") } else { tr.t("msg-active") },
            ]
        })
        .collect();
    let values = ["username", "display_name", "team_name"].into_iter().map(|k| (k.to_string(), raw.get(k).unwrap_or_default()));
    let mut res = render(UsersPage {
        l: Layout::new(cur, tr.t("page-users"), "/admin/users"),
        rows,
        f: FormView::new(values, errors, tr),
        roles: role_opts(cur, cur.actor.org_id, raw.get("role").as_deref().and_then(Role::parse).or(Some(Role::SocialWorker))),
        teams: team_opts(state, cur, cur.actor.org_id, None).await?,
        team_rows: super::team_tree::rows(state, cur).await?,
        notice,
        require_totp: cur.user.org_requires_totp,
        can_set_org: decide(&cur.actor, Action::ManageUsers, Target::Organisation(cur.actor.org_id)).allowed(),
        can_notices: decide(&cur.actor, Action::ManageNotifications, Target::Organisation(cur.actor.org_id)).allowed(),
        can_mail: decide(&cur.actor, Action::ManageMail, Target::Nothing).allowed(),
    });
    if !errors.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn users(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    users_page(&state, &cur, &FormData::default(), &Invalid::default(), String::new()).await
}

pub async fn create_user(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    may_manage(&cur, cur.actor.org_id)?;
    let raw = FormData(pairs);
    let password = raw.get("password").unwrap_or_default();
    let mut errors = Invalid::default();
    let role = grantable(&cur, cur.actor.org_id, &raw);
    if role.is_none() {
        errors.push("role", "err-invalid-choice");
    }
    if !password_acceptable(&password) {
        errors.push("password", "err-weak-password");
    }
    if !errors.errors.is_empty() {
        return users_page(&state, &cur, &raw, &errors, cur.tr.t("err-invalid")).await;
    }
    let hash = hash_password(&password).map_err(|e| PageError(AppError::Internal(e)))?;
    let team = raw.get("team").as_deref().and_then(parse_id);
    let result = state
        .store
        .create_user(
            Who::from(&cur.actor),
            cur.actor.org_id,
            team,
            &raw.get("username").unwrap_or_default(),
            &raw.get("display_name").unwrap_or_default(),
            role.expect("checked"),
            &hash,
            cur.user.locale.as_str(),
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(StoreError::Invalid(e)) => users_page(&state, &cur, &raw, &e, cur.tr.t("err-invalid")).await,
        Err(StoreError::Duplicate(_)) => {
            let mut e = Invalid::default();
            e.push("username", "err-duplicate");
            users_page(&state, &cur, &raw, &e, cur.tr.t("err-invalid")).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "user_edit.html")]
struct UserPage {
    l: Layout,
    u: User,
    roles: Vec<Opt>,
    teams: Vec<Opt>,
    notice: String,
    /// The account's API tokens: id, label, created or revoked.
    tokens: Vec<(String, String, String, bool)>,
    /// Its devices, when the actor may manage the organisation's devices.
    devices: Vec<super::devices::DeviceView>,
}

/// An account the actor may manage (`Store::managed_user`: another organisation's is not
/// found, one beyond the actor's reach refused).
async fn load_managed(state: &AppState, cur: &Current, id: uuid::Uuid) -> Result<User, PageError> {
    state.store.managed_user(&cur.actor, id).await.map_err(PageError::from)
}

async fn user_page(state: &AppState, cur: &Current, u: User, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let tokens = state
        .store
        .tokens(u.id)
        .await?
        .into_iter()
        .map(|t| {
            let revoked = t.revoked_at.is_some();
            let state = if revoked { tr.t("msg-revoked") } else { t.created_at.chars().take(10).collect() };
            (t.id.to_string(), t.label, state, revoked)
        })
        .collect();
    let devices = if decide(&cur.actor, Action::ManageDevices, Target::Organisation(u.org_id)).allowed() {
        let days = state.store.case_settings(u.org_id).await?.offline_days;
        let list = state.store.user_devices(&cur.actor, u.org_id, u.id).await?;
        list.into_iter().map(|d| super::devices::view(cur, d, days)).collect()
    } else {
        Vec::new()
    };
    let failed = !notice.is_empty();
    let mut res = render(UserPage {
        l: Layout::new(cur, u.display_name.clone(), "/admin/users"),
        roles: role_opts(cur, u.org_id, Some(u.role)),
        teams: team_opts(state, cur, u.org_id, u.team_id).await?,
        u,
        notice,
        tokens,
        devices,
    });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn user(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let u = load_managed(&state, &cur, id).await?;
    user_page(&state, &cur, u, String::new()).await
}

pub async fn update_user(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let u = load_managed(&state, &cur, id).await?;
    let raw = FormData(pairs);
    // The new role too must be one the actor may grant.
    let role = grantable(&cur, u.org_id, &raw);
    let password = raw.get("new_password").filter(|p| !p.is_empty());
    let bad =
        role.is_none() || password.as_deref().is_some_and(|p| !password_acceptable(p)) || (u.id == cur.user.id && raw.has("disabled"));
    if bad {
        return user_page(&state, &cur, u, cur.tr.t("err-invalid")).await;
    }
    let hash = match password {
        Some(p) => Some(hash_password(&p).map_err(|e| PageError(AppError::Internal(e)))?),
        None => None,
    };
    let team = raw.get("team").as_deref().and_then(parse_id);
    state.store.update_user_admin(Who::from(&cur.actor), u.id, role.expect("checked"), team, raw.has("disabled"), hash.as_deref()).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// Revoke one of a user's API tokens (a leaked or forgotten one), from the user's admin page.
pub async fn revoke_user_token(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, token)): Ids<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Response, PageError> {
    let u = load_managed(&state, &cur, id).await?;
    state.store.revoke_token(Who::from(&cur.actor), u.id, token).await?;
    Ok(Redirect::to(&format!("/admin/users/{}", u.id)).into_response())
}

/// Sign a user out everywhere (a lost phone, a stolen password): every session of theirs ends.
/// The same permission as managing the account; audited.
pub async fn end_user_sessions(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
) -> Result<Response, PageError> {
    let u = load_managed(&state, &cur, id).await?;
    state.store.end_user_sessions(Who::from(&cur.actor), u.id).await?;
    if u.id == cur.user.id {
        return Ok(super::session::signed_out(&state));
    }
    Ok(Redirect::to(&format!("/admin/users/{}", u.id)).into_response())
}

/// Organisation settings: require two-step sign-in for every account.
pub async fn organisation(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    may_manage(&cur, cur.actor.org_id)?;
    let f = FormData(pairs);
    state.store.set_org_require_totp(Who::from(&cur.actor), cur.actor.org_id, f.has("require_totp")).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
