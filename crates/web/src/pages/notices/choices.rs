//! A person's own notices: their e-mail address, the channels of each event (or their
//! organisation's defaults), and their private calendar feed.

use crate::auth::{Current, PageUser};
use crate::error::PageError;
use crate::extract::Posted;
use crate::pages::form::FormData;
use crate::pages::{render, unprocessable};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::notify::choices::{field_name, from_form, Channels};
use krousar_domain::notify::settings::email_input;
use krousar_domain::notify::{Channel, Event};
use std::collections::BTreeMap;

/// One event's row of checkboxes.
pub struct ChoiceRow {
    pub label: String,
    pub boxes: Vec<ChoiceBox>,
}

pub struct ChoiceBox {
    pub name: String,
    pub label: String,
    pub checked: bool,
}

/// The table of checkboxes for `table` (shared with the organisation's page).
pub fn rows(cur: &Current, table: &BTreeMap<Event, Channels>) -> Vec<ChoiceRow> {
    let tr = cur.tr;
    Event::ALL
        .into_iter()
        .map(|e| ChoiceRow {
            label: tr.t(&e.label_key()),
            boxes: Channel::ALL
                .into_iter()
                .map(|c| ChoiceBox {
                    name: field_name(e, c),
                    label: format!("{} — {}", tr.t(&e.label_key()), tr.t(&format!("notify-channel-{}", c.code()))),
                    checked: table.get(&e).is_some_and(|s| s.contains(&c)),
                })
                .collect(),
        })
        .collect()
}

/// The channels' names, the table's columns.
pub fn channel_names(cur: &Current) -> Vec<String> {
    Channel::ALL.into_iter().map(|c| cur.tr.t(&format!("notify-channel-{}", c.code()))).collect()
}

#[derive(Template)]
#[template(path = "notice_choices.html")]
struct ChoicesPage {
    l: Layout,
    email: String,
    email_error: String,
    own: bool,
    channels: Vec<String>,
    rows: Vec<ChoiceRow>,
    feed_since: String,
    /// A feed's address, shown once, just after it was made.
    new_feed: String,
    saved: bool,
}

async fn page(
    state: &AppState,
    cur: &Current,
    email: Option<String>,
    email_error: String,
    new_feed: String,
    saved: bool,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let mine = state.store.my_notice_choices(&cur.actor).await?;
    let feed_since = state.store.my_feed(&cur.actor).await?.map(|t| tr.time(&t)).unwrap_or_default();
    let mut l = Layout::new(cur, tr.t("page-notice-choices"), "/account");
    l.doc_title = tr.t("page-notice-choices");
    Ok(render(ChoicesPage {
        email: email.or(mine.email).unwrap_or_default(),
        email_error,
        own: mine.own,
        channels: channel_names(cur),
        rows: rows(cur, &mine.table),
        feed_since,
        new_feed,
        saved,
        l,
    }))
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    page(&state, &cur, None, String::new(), String::new(), false).await
}

/// Keep the address and the choices (or go back to the organisation's defaults).
pub async fn save(State(state): State<AppState>, PageUser(cur): PageUser, Posted(pairs): Posted) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let typed = f.get("email").unwrap_or_default();
    let email = match email_input(&typed) {
        Ok(e) => e,
        Err(code) => return Ok(unprocessable(page(&state, &cur, Some(typed), cur.tr.t(code), String::new(), false).await?)),
    };
    let ticked = from_form(f.0.iter().filter(|(_, v)| v == "on").map(|(k, _)| k.as_str()));
    // Saving the organisation's choices as they stand (say, to give an address) keeps
    // following them, so that a later change of the defaults still reaches this person.
    let before = state.store.my_notice_choices(&cur.actor).await?;
    let table = (!f.has("follow_org") && (before.own || ticked != before.table)).then_some(ticked);
    state.store.set_my_notice_choices(&cur.actor, email.as_deref(), table.as_ref()).await?;
    page(&state, &cur, None, String::new(), String::new(), true).await
}

/// Make a new calendar feed (the old address stops working), or stop it.
pub async fn feed(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    headers: axum::http::HeaderMap,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let make = !f.has("stop");
    let secret = state.store.renew_feed(&cur.actor, make).await?;
    match secret {
        Some(s) => {
            // The address people open Krousar at: as the mail settings name it, else as this
            // browser reached it.
            let site = match state.store.mail_site().await? {
                Some(site) => site,
                None => {
                    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
                    let host: String =
                        host.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')).collect();
                    format!("{}://{host}", if state.config.secure_cookies { "https" } else { "http" })
                }
            };
            page(&state, &cur, None, String::new(), format!("{site}/calendar/{s}.ics"), false).await
        }
        None => Ok(Redirect::to("/account/notifications").into_response()),
    }
}
