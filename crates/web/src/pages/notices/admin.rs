//! An organisation's notice defaults and quiet hours (its administrator or manager), and the
//! installation's mail server with a test message (the system administrator).

use super::choices::{channel_names, rows, ChoiceRow};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Posted;
use crate::i18n::Lang;
use crate::notify::mail;
use crate::pages::form::{FormData, FormView};
use crate::pages::{render, unprocessable};
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::notify::choices::from_form;
use krousar_domain::notify::quiet::QuietHours;
use krousar_domain::notify::settings::{MailInput, Security};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Invalid};

#[derive(Template)]
#[template(path = "notice_admin.html")]
struct OrgPage {
    l: Layout,
    channels: Vec<String>,
    rows: Vec<ChoiceRow>,
    quiet_start: String,
    quiet_end: String,
    quiet_error: String,
    saved: bool,
}

async fn org_page(
    state: &AppState,
    cur: &Current,
    quiet: Option<(String, String)>,
    quiet_error: String,
    saved: bool,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let c = state.store.org_notice_choices(&cur.actor, cur.actor.org_id).await?;
    let (quiet_start, quiet_end) = quiet.or(c.quiet).unwrap_or_default();
    let mut l = Layout::new(cur, tr.t("page-notice-defaults"), "/admin/users");
    l.doc_title = tr.t("page-notice-defaults");
    Ok(render(OrgPage { channels: channel_names(cur), rows: rows(cur, &c.table), quiet_start, quiet_end, quiet_error, saved, l }))
}

pub async fn org(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    org_page(&state, &cur, None, String::new(), false).await
}

pub async fn save_org(State(state): State<AppState>, PageUser(cur): PageUser, Posted(pairs): Posted) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let (start, end) = (f.get("quiet_start").unwrap_or_default(), f.get("quiet_end").unwrap_or_default());
    let quiet = match (start.trim().is_empty(), end.trim().is_empty()) {
        (true, true) => None,
        _ => match QuietHours::parse(&start, &end) {
            Some(q) => Some(q),
            None => {
                let err = cur.tr.t("err-quiet-hours");
                return Ok(unprocessable(org_page(&state, &cur, Some((start, end)), err, false).await?));
            }
        },
    };
    let table = from_form(f.0.iter().filter(|(_, v)| v == "on").map(|(k, _)| k.as_str()));
    state.store.set_org_notice_choices(&cur.actor, cur.actor.org_id, &table, quiet).await?;
    org_page(&state, &cur, None, String::new(), true).await
}

#[derive(Template)]
#[template(path = "mail_settings.html")]
struct MailPage {
    l: Layout,
    f: FormView,
    security: Vec<Opt>,
    has_password: bool,
    /// How many e-mails wait, went, were given up or had nowhere to go.
    queue: String,
    notice: String,
    test_result: String,
    test_ok: bool,
}

fn may_manage_mail(cur: &Current) -> Result<(), PageError> {
    if decide(&cur.actor, Action::ManageMail, Target::Nothing).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

async fn mail_page(
    state: &AppState,
    cur: &Current,
    typed: Option<(Vec<(String, String)>, Invalid)>,
    test: Option<Result<(), String>>,
) -> Result<Response, PageError> {
    may_manage_mail(cur)?;
    let tr = cur.tr;
    let kept = state.store.mail_settings(&cur.actor).await?;
    let has_password = kept.as_ref().is_some_and(|k| k.has_password);
    let (values, errors) = typed.unwrap_or_else(|| {
        let v = match &kept {
            Some(k) => vec![
                ("host".to_string(), k.host.clone()),
                ("port".to_string(), k.port.to_string()),
                ("security".to_string(), k.security.code().to_string()),
                ("username".to_string(), k.username.clone().unwrap_or_default()),
                ("from_address".to_string(), k.from_address.clone()),
                ("site".to_string(), k.site.clone()),
            ],
            None => vec![("port".to_string(), "587".to_string()), ("security".to_string(), "starttls".to_string())],
        };
        (v, Invalid::default())
    });
    let notice = crate::pages::notice_of(cur, &errors);
    let f = FormView::new(values, &errors, tr);
    let security = options(tr, &Security::ALL, Security::code, |s| format!("mail-security-{}", s.code()), Some(f.v("security")), None);
    let (test_ok, test_result) = match test {
        Some(Ok(())) => (true, tr.t("msg-mail-test-sent")),
        Some(Err(e)) => (false, tr.t1("err-mail-test", "error", e)),
        None => (false, String::new()),
    };
    let (pending, sent, failed, skipped) = state.store.delivery_counts(&cur.actor).await?;
    let queue = format!(
        "{} {}",
        tr.t2("msg-mail-queue", ("pending", tr.num(pending)), ("sent", tr.num(sent))),
        tr.t2("msg-mail-failed", ("failed", tr.num(failed)), ("skipped", tr.num(skipped)))
    );
    let mut l = Layout::new(cur, tr.t("page-mail-settings"), "/admin/check");
    l.doc_title = tr.t("page-mail-settings");
    Ok(render(MailPage { l, f, security, has_password, queue, notice, test_result, test_ok }))
}

pub async fn mail_settings(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    mail_page(&state, &cur, None, None).await
}

pub async fn save_mail(State(state): State<AppState>, PageUser(cur): PageUser, Posted(pairs): Posted) -> Result<Response, PageError> {
    may_manage_mail(&cur)?;
    let f = FormData(pairs);
    let g = |k: &str| f.get(k).unwrap_or_default();
    let input = MailInput {
        host: g("host"),
        port: g("port"),
        security: g("security"),
        username: g("username"),
        password: g("password"),
        from_address: g("from_address"),
        site: g("site"),
    };
    match input.validate() {
        Ok(s) => {
            state.store.set_mail_settings(&cur.actor, &s).await?;
            Ok(Redirect::to("/admin/mail").into_response())
        }
        Err(e) => {
            let typed: Vec<(String, String)> = f.0.iter().filter(|(k, _)| k != "password" && k != "_csrf").cloned().collect();
            Ok(unprocessable(mail_page(&state, &cur, Some((typed, e)), None).await?))
        }
    }
}

/// Send a test message to the address typed, through the settings kept, and say how it went.
pub async fn test_mail(State(state): State<AppState>, PageUser(cur): PageUser, Posted(pairs): Posted) -> Result<Response, PageError> {
    may_manage_mail(&cur)?;
    let to = FormData(pairs).get("to").unwrap_or_default();
    let outcome = match (krousar_domain::notify::settings::email_input(&to), state.store.mail_server().await?) {
        (Ok(Some(to)), Some(server)) => {
            let lang = Lang::parse(&cur.user.locale).unwrap_or(Lang::Km);
            mail::send(&server, &to, &mail::test_mail(lang, &server.site), new_id()).await
        }
        (_, None) => Err(cur.tr.t("err-mail-not-set")),
        _ => Err(cur.tr.t("err-email")),
    };
    mail_page(&state, &cur, None, Some(outcome)).await
}
