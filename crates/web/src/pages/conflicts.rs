//! Edits made offline that clashed with edits made meanwhile on the server: each field with both
//! values, for the worker (or their supervisor) to choose. Until someone chooses, the record
//! keeps the server's value; nothing is overwritten silently.

use super::render;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::pages::form::FormData;
use crate::views::{local_day, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

/// The translation key of a field of a child's record, as the registration form labels it.
pub fn field_label_key(field: &str) -> String {
    match field {
        "birth_certificate_number" => "field-birth-certificate".into(),
        "estimated_birth_year" => "field-estimated-year".into(),
        "living_arrangement" => "field-living".into(),
        "village_code" => "field-village".into(),
        other => format!("field-{}", other.replace('_', "-")),
    }
}

pub struct ConflictView {
    pub id: String,
    pub child_href: String,
    pub child: String,
    pub field: String,
    /// Whose device sent the change, and when.
    pub from: String,
    pub server: String,
    pub device: String,
}

#[derive(Template)]
#[template(path = "conflicts.html")]
struct ConflictsPage {
    l: Layout,
    items: Vec<ConflictView>,
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let tr = cur.tr;
    let found = state.store.open_conflicts(&cur.actor, None).await?;
    let shown = |v: &str| if v.is_empty() { "—".to_string() } else { v.to_string() };
    let items = found
        .into_iter()
        .map(|c| ConflictView {
            id: c.id.to_string(),
            child_href: format!("/children/{}", c.child_id),
            child: format!("{} · {}", c.child_name, c.case_number),
            field: tr.t(&field_label_key(&c.field)),
            from: tr.t2(
                "msg-conflict-from",
                ("who", c.user_name),
                ("when", local_day(&c.created_at).map(|d| tr.date(d)).unwrap_or_default()),
            ),
            server: shown(&c.current),
            device: shown(&c.device),
        })
        .collect();
    Ok(render(ConflictsPage { l: Layout::new(&cur, tr.t("page-conflicts"), "/conflicts"), items }))
}

/// Keep the server's value (`keep` = `server`) or write the one from the device (`device`).
pub async fn resolve(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let use_device = FormData(pairs).either("keep", "device", "server").ok_or(PageError(AppError::BadRequest("err-invalid-choice")))?;
    state.store.resolve_conflict(&cur.actor, id, use_device).await?;
    Ok(Redirect::to("/conflicts").into_response())
}
