//! Community groups in the pages: the organisation's list and a group's details, new or
//! changed (here); one group with its members and sessions (`show.rs`).

pub mod show;

use super::place::{self, PlacePicker};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::{Ids, Posted};
use crate::pages::form::{values_of, FormData, FormView};
use crate::pages::{notice_of, render, unprocessable};
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::community::{GroupInput, GroupKind};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::community::GroupRecord;
use krousar_store::StoreError;
use serde::Deserialize;
use uuid::Uuid;

pub fn may_manage(cur: &Current) -> Result<(), PageError> {
    if decide(&cur.actor, Action::ManageGroups, Target::Organisation(cur.actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

/// A group's village in the reader's script.
pub fn village_name(cur: &Current, g: &GroupRecord) -> String {
    match (&g.village_km, &g.village_latin) {
        (Some(k), _) if cur.tr.is_km() => k.clone(),
        (_, Some(e)) => e.clone(),
        _ => String::new(),
    }
}

/// The groups a child or a household's people are in, as their pages list them.
pub fn rows_of(
    tr: crate::i18n::Tr,
    groups: Vec<(Uuid, String, krousar_domain::community::MemberRole, i64)>,
) -> Vec<(String, String, String, String)> {
    groups.into_iter().map(|(g, name, role, n)| (g.to_string(), name, tr.t(&role.label_key()), tr.tn("msg-sessions-attended", n))).collect()
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub village: String,
    pub members: String,
    pub sessions: String,
    pub last: String,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct ListPage {
    l: Layout,
    kinds: Vec<Opt>,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    kind: Option<String>,
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let tr = cur.tr;
    let kind = q.kind.as_deref().and_then(GroupKind::parse);
    let rows = state
        .store
        .community_groups(&cur.actor, kind)
        .await?
        .into_iter()
        .map(|g| Row {
            id: g.id.to_string(),
            name: g.group.name.clone(),
            kind: tr.t(&g.group.kind.label_key()),
            village: village_name(&cur, &g),
            members: tr.count(g.members),
            sessions: tr.count(g.sessions),
            last: g.last_session.as_deref().map(|d| tr.day(d)).unwrap_or_default(),
        })
        .collect();
    let kinds = options(tr, GroupKind::ALL, GroupKind::code, GroupKind::label_key, kind.map(GroupKind::code), Some("opt-all"));
    Ok(render(ListPage { l: Layout::new(&cur, tr.t("page-groups"), "/groups"), kinds, rows }))
}

#[derive(Template)]
#[template(path = "group_form.html")]
struct FormPage {
    l: Layout,
    f: FormView,
    notice: String,
    action: String,
    version: i64,
    kinds: Vec<Opt>,
    place: PlacePicker,
}

fn input_of(f: &FormData) -> GroupInput {
    GroupInput {
        name: f.get("name"),
        kind: f.get("kind"),
        organiser: f.get("organiser"),
        village_code: place::chosen_village(f),
        place: f.get("place"),
        started_on: f.get("started_on"),
        note: f.get("note"),
    }
}

async fn form_page(
    state: &AppState,
    cur: &Current,
    editing: Option<(Uuid, i64)>,
    input: &GroupInput,
    raw: &FormData,
    errors: &Invalid,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let place_err = crate::views::field_error(tr, errors, "village_code");
    let place = place::build(&state.store, tr, raw, input.village_code.as_deref(), place_err).await?;
    let title = if editing.is_some() { tr.t("page-edit-group") } else { tr.t("page-new-group") };
    Ok(render(FormPage {
        l: Layout::new(cur, title, "/groups"),
        notice: notice_of(cur, errors),
        f: FormView::new(values_of(input), errors, tr),
        action: editing.map_or_else(|| "/groups".to_string(), |(id, _)| format!("/groups/{id}/edit")),
        version: editing.map_or(0, |(_, v)| v),
        kinds: options(tr, GroupKind::ALL, GroupKind::code, GroupKind::label_key, input.kind.as_deref(), Some("opt-choose")),
        place,
    }))
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    may_manage(&cur)?;
    form_page(&state, &cur, None, &GroupInput::default(), &FormData::default(), &Invalid::default()).await
}

pub async fn create(State(state): State<AppState>, PageUser(cur): PageUser, Posted(pairs): Posted) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let raw = FormData(pairs);
    let input = input_of(&raw);
    if place::is_lookup(&raw) {
        return form_page(&state, &cur, None, &input, &raw, &Invalid::default()).await;
    }
    let result = match input.validate(cur.actor.today()) {
        Ok(g) => state.store.create_group(&cur.actor, &g).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/groups/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(form_page(&state, &cur, None, &input, &raw, &e).await?)),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let g = state.store.community_group(&cur.actor, id).await?;
    let input = GroupInput {
        name: Some(g.group.name.clone()),
        kind: Some(g.group.kind.code().into()),
        organiser: g.group.organiser.clone(),
        village_code: g.group.village_code.clone(),
        place: g.group.place.clone(),
        started_on: g.group.started_on.map(|d| d.to_string()),
        note: g.group.note.clone(),
    };
    form_page(&state, &cur, Some((id, g.version)), &input, &FormData::default(), &Invalid::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let raw = FormData(pairs);
    let input = input_of(&raw);
    let version = raw.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    if place::is_lookup(&raw) {
        return form_page(&state, &cur, Some((id, version)), &input, &raw, &Invalid::default()).await;
    }
    let result = match input.validate(cur.actor.today()) {
        Ok(g) => state.store.update_group(&cur.actor, id, version, &g).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(form_page(&state, &cur, Some((id, version)), &input, &raw, &e).await?)),
        Err(e) => Err(e.into()),
    }
}
