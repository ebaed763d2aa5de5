//! The inbox: a person's notices, newest first; opening one marks it read and follows its
//! link. The private calendar feed is read here too, by the phone's calendar, without a session.

use super::line;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::pages::render;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::notify::ical::{calendar, FeedEvent};
use krousar_domain::notify::{local_link, Notice};
use uuid::Uuid;

pub struct Row {
    pub id: String,
    pub text: String,
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct InboxPage {
    l: Layout,
    rows: Vec<Row>,
    unread: usize,
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let tr = cur.tr;
    let notices = state.store.inbox(&cur.actor).await?;
    let rows: Vec<Row> = notices
        .iter()
        .map(|n| Row {
            id: n.id.to_string(),
            text: line(tr, &Notice { event: n.event, count: n.count, link: n.link.clone() }),
            when: tr.time(&n.created_at),
            unread: n.read_at.is_none(),
        })
        .collect();
    let unread = rows.iter().filter(|r| r.unread).count();
    let mut l = Layout::new(&cur, tr.t("page-notifications"), "/notifications");
    l.doc_title = tr.t("page-notifications");
    Ok(render(InboxPage { l, rows, unread }))
}

/// Open a notice: marked read, then its page (which checks, as always, what the reader may see).
pub async fn open(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    let link = state.store.open_notice(&cur.actor, id).await?;
    if !local_link(&link) {
        return Err(PageError(AppError::NotFound));
    }
    Ok(Redirect::to(&link).into_response())
}

/// Mark every notice read.
pub async fn read_all(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    state.store.mark_notices_read(&cur.actor, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// The calendar behind a feed's secret address (`/calendar/{secret}.ics`): no session, the
/// secret is the key; anything else is "not found", alike.
pub async fn feed(State(state): State<AppState>, Ids(name): Ids<String>) -> Result<Response, PageError> {
    let secret = name.strip_suffix(".ics").unwrap_or(&name);
    let now = state.config.clock.now();
    let (_, locale, items) = state.store.feed_items(secret, krousar_domain::context::cambodia_day(now)).await?;
    let tr = crate::i18n::Tr::new(crate::i18n::Lang::parse(&locale).unwrap_or(crate::i18n::Lang::Km));
    let events: Vec<FeedEvent> = items
        .iter()
        .map(|i| FeedEvent {
            uid: format!("{}-{}@krousar", i.what, i.id),
            on: i.due_on,
            summary: tr.t1(&format!("calendar-{}", i.what.replace('_', "-")), "case", &i.case_number),
        })
        .collect();
    let body = calendar(&tr.t("calendar-name"), &events, now);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body,
    )
        .into_response())
}
