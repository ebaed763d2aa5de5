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
    /// The secret in groups of four, to type by hand into an app that cannot scan.
    secret_shown: String,
    /// The sign-in app's link as a QR code: an SVG made here, no script and no other server.
    qr: String,
    new_token: String,
    tokens: Vec<(String, String, String)>,
    notice: String,
}

/// The link a sign-in app reads (Google's key-URI format). The account's name is a path segment,
/// percent-encoded: a username is whatever characters its administrator chose.
fn otpauth_uri(username: &str, secret: &str) -> String {
    let label = serde_urlencoded::to_string([("", format!("Krousar:{username}"))]).unwrap_or_default();
    format!("otpauth://totp/{}?secret={secret}&issuer=Krousar", label.trim_start_matches('=').replace('+', "%20"))
}

/// A QR code of `text` as inline SVG, named for screen readers. Only modules are drawn (no
/// text of the input is written into the markup).
fn qr_svg(text: &str, name: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else { return String::new() };
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).quiet_zone(true).build();
    let start = svg.find("<svg").unwrap_or(0);
    let name = name.replace(['<', '>', '&', '"'], "");
    svg[start..].replacen("<svg", &format!("<svg role=\"img\" aria-label=\"{name}\" class=\"qr\""), 1)
}

async fn page_with(state: &AppState, cur: &Current, new_token: String, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let (new_secret, otpauth) = if !cur.user.totp_on() {
        let secret = totp_rs::Secret::generate_secret().to_encoded().to_string();
        let uri = otpauth_uri(&cur.user.username, &secret);
        (secret, uri)
    } else {
        (String::new(), String::new())
    };
    let qr = if otpauth.is_empty() { String::new() } else { qr_svg(&otpauth, &tr.t("msg-totp-qr")) };
    let tokens = state
        .store
        .tokens(cur.user.id)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.label, if t.revoked_at.is_some() { tr.t("msg-revoked") } else { tr.day(&t.created_at) }))
        .collect();
    Ok(render(AccountPage {
        l: Layout::new(cur, tr.t("page-account"), "/account"),
        totp_on: cur.user.totp_on(),
        totp_required: cur.user.org_requires_totp,
        secret_shown: new_secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" "),
        new_secret,
        qr,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_link_encodes_the_account_name() {
        assert_eq!(otpauth_uri("sokha", "ABCD"), "otpauth://totp/Krousar%3Asokha?secret=ABCD&issuer=Krousar");
        let odd = otpauth_uri("a b&secret=X\"<", "ABCD");
        assert!(odd.ends_with("?secret=ABCD&issuer=Krousar"), "{odd}");
        assert!(!odd.contains(['"', '<', ' ']) && odd.matches("secret=").count() == 1, "{odd}");
    }

    #[test]
    fn the_qr_code_is_drawn_markup_only() {
        let svg = qr_svg(&otpauth_uri("<script>x</script>", "ABCD"), "Scan \"me\" <now>");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Scan me now\""), "{}", &svg[..80]);
        assert!(svg.contains("<path") && svg.ends_with("</svg>"));
        assert!(!svg.contains("script") && !svg.contains("<?xml"));
    }
}
