//! The user's own account: two-factor sign-in and API tokens.

use super::form::FormData;
use super::render;
use super::session::totp_ok;
use crate::auth::{Current, PageUser};
use crate::error::PageError;
use crate::extract::Ids;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_store::Who;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    totp_on: bool,
    totp_required: bool,
    new_secret: String,
    otpauth: String,
    new_token: String,
    tokens: Vec<(String, String, String)>,
    notice: String,
}

async fn page_with(state: &AppState, cur: &Current, new_token: String, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let (new_secret, otpauth) = if !cur.user.totp_on() {
        let secret = totp_rs::Secret::generate_secret().to_encoded().to_string();
        let uri = format!("otpauth://totp/Krousar:{}?secret={}&issuer=Krousar", cur.user.username, secret);
        (secret, uri)
    } else {
        (String::new(), String::new())
    };
    let tokens = state
        .store
        .tokens(cur.user.id)
        .await?
        .into_iter()
        .map(|t| {
            (t.id.to_string(), t.label, if t.revoked_at.is_some() { tr.t("msg-revoked") } else { t.created_at.chars().take(10).collect() })
        })
        .collect();
    Ok(render(AccountPage {
        l: Layout::new(cur, tr.t("page-account"), "/account"),
        totp_on: cur.user.totp_on(),
        totp_required: cur.user.org_requires_totp,
        new_secret,
        otpauth,
        new_token,
        tokens,
        notice,
    }))
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    page_with(&state, &cur, String::new(), String::new()).await
}

/// Turn two-factor sign-in on (after proving the authenticator app works) or off.
pub async fn totp(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    if f.has("disable") {
        if cur.user.org_requires_totp {
            return page_with(&state, &cur, String::new(), cur.tr.t("err-totp-required")).await;
        }
        state.store.set_user_totp(Who::from(&cur.actor), cur.user.id, None).await?;
        return Ok(Redirect::to("/account").into_response());
    }
    let secret = f.get("secret").unwrap_or_default();
    if !totp_ok(&secret, &f.get("code").unwrap_or_default()) {
        return page_with(&state, &cur, String::new(), cur.tr.t("err-totp")).await;
    }
    state.store.set_user_totp(Who::from(&cur.actor), cur.user.id, Some(&secret)).await?;
    Ok(Redirect::to("/account").into_response())
}

pub async fn create_token(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let label: String = f.get("label").unwrap_or_default().chars().filter(|c| !c.is_control()).take(60).collect();
    let label = if label.trim().is_empty() { "token".to_string() } else { label };
    let secret = state.store.create_token(Who::from(&cur.actor), &cur.user, &label).await?;
    page_with(&state, &cur, secret, String::new()).await
}

pub async fn revoke_token(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    state.store.revoke_token(Who::from(&cur.actor), cur.user.id, id).await?;
    Ok(Redirect::to("/account").into_response())
}

/// Sign out everywhere: every session of this account ends, this one too (a lost phone, a
/// shared computer). This browser is signed out as by the sign-out button.
pub async fn end_sessions(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    state.store.end_user_sessions(Who::from(&cur.actor), cur.user.id).await?;
    Ok(super::session::signed_out(&state))
}
