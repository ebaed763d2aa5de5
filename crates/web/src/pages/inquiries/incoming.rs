//! The side of an organisation where a possible match is known: who is looking and for whom,
//! which of its own children are meant, and its answer — this is our child (a tracing attempt
//! is recorded on the child's case), not ours, or we will not say.

use super::described;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::{Ids, Posted};
use crate::pages::form::FormData;
use crate::pages::{render, unprocessable};
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::inquiry::HitState;
use krousar_store::StoreError;
use uuid::Uuid;

pub struct ChildRow {
    pub id: String,
    pub label: String,
    pub confirmed: bool,
    pub may_confirm: bool,
}

pub struct Row {
    pub id: String,
    pub who: String,
    pub sought: String,
    pub last_seen: String,
    pub office: String,
    pub when: String,
    pub waiting: bool,
    pub state: String,
    pub answer: String,
    pub children: Vec<ChildRow>,
}

#[derive(Template)]
#[template(path = "inquiries_incoming.html")]
struct IncomingPage {
    l: Layout,
    rows: Vec<Row>,
    notice: String,
}

async fn page(state: &AppState, cur: &crate::auth::Current, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let rows = state
        .store
        .incoming_inquiries(&cur.actor, tr.is_km())
        .await?
        .into_iter()
        .map(|m| {
            let (who, sought) = described(tr, &m.inquiry);
            Row {
                id: m.id.to_string(),
                who,
                sought,
                last_seen: m.inquiry.last_seen.clone().unwrap_or_default(),
                office: format!("{} · {}", m.office, m.recorded_by),
                when: tr.day(&m.created_at),
                waiting: m.state == HitState::Waiting,
                state: tr.t(&m.state.label_key()),
                answer: m.answer.clone().unwrap_or_default(),
                children: m
                    .children
                    .iter()
                    .map(|c| ChildRow {
                        id: c.id.to_string(),
                        label: format!("{} · {}", c.case_number, c.name),
                        confirmed: m.child_id == Some(c.id),
                        may_confirm: c.may_confirm,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut l = Layout::new(cur, tr.t("page-inquiries-incoming"), "/inquiries");
    l.doc_title = tr.t("page-inquiries-incoming");
    Ok(render(IncomingPage { l, rows, notice }))
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    page(&state, &cur, String::new()).await
}

/// The answer: `answer` is confirmed (with `child`), not_ours or declined, and a message.
pub async fn answer(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let (kind, child) = match f.get("answer").as_deref() {
        Some("not_ours") => (HitState::NotOurs, None),
        Some("declined") => (HitState::Declined, None),
        Some(c) => match c.strip_prefix("child:").and_then(|c| Uuid::parse_str(c).ok()) {
            Some(child) => (HitState::Confirmed, Some(child)),
            None => return Ok(unprocessable(page(&state, &cur, cur.tr.t("err-inquiry-answer")).await?)),
        },
        None => return Ok(unprocessable(page(&state, &cur, cur.tr.t("err-inquiry-answer")).await?)),
    };
    match state.store.answer_inquiry(&cur.actor, id, kind, child, f.get("message").as_deref()).await {
        Ok(()) => Ok(Redirect::to("/inquiries/incoming").into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(page(&state, &cur, crate::pages::notice_of(&cur, &e)).await?)),
        Err(e) => Err(e.into()),
    }
}
