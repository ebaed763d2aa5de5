//! One community group: its details, members (added from the records found by name, or named
//! here with sex and age group), members leaving, and its sessions with who came — recorded
//! or corrected on their own page.

use super::{may_manage, village_name};
use crate::auth::{Current, PageUser};
use crate::error::PageError;
use crate::extract::{Ids, Posted};
use crate::pages::form::{values_of, FormData, FormView};
use crate::pages::{notice_of, render, unprocessable};
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::choices::{Relationship, Sex};
use krousar_domain::community::{AgeGroup, MemberInput, MemberRole, SessionInput};
use krousar_domain::figures::Count;
use krousar_domain::Invalid;
use krousar_store::children_list::ChildFilter;
use krousar_store::community::members::MemberLine;
use krousar_store::StoreError;
use serde::Deserialize;
use uuid::Uuid;

pub struct MemberRow {
    pub id: String,
    pub name: String,
    /// Where the name leads: the child's or the household's page.
    pub href: String,
    pub role: String,
    pub sex: String,
    pub age: String,
    pub attended: String,
    pub since: String,
}

pub struct SessionRow {
    pub id: String,
    pub day: String,
    pub topic: String,
    pub attended: String,
    pub reached: String,
}

/// A record found by name, to be added as a member.
pub struct Found {
    /// `child_id` or `household_member_id`.
    pub field: &'static str,
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "group_show.html")]
struct ShowPage {
    l: Layout,
    id: String,
    facts: Vec<(String, String)>,
    members: Vec<MemberRow>,
    left: Vec<MemberRow>,
    sessions: Vec<SessionRow>,
    q: String,
    found: Vec<Found>,
    f: FormView,
    notice: String,
    sexes: Vec<Opt>,
    ages: Vec<Opt>,
    roles: Vec<Opt>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    q: Option<String>,
}

fn member_row(cur: &Current, m: &MemberLine) -> MemberRow {
    let tr = cur.tr;
    let (name, href) = match (&m.name, m.child_id, m.household_id) {
        (Some(n), Some(c), _) => (n.clone(), format!("/children/{c}")),
        (Some(n), None, Some(h)) => (n.clone(), format!("/households/{h}")),
        (Some(n), None, None) => (n.clone(), String::new()),
        // A child whose record the reader may not open: counted, never named.
        (None, _, _) => (tr.t("msg-member-not-open"), String::new()),
    };
    MemberRow {
        id: m.id.to_string(),
        name,
        href,
        role: tr.t(&m.role.label_key()),
        sex: m.sex.map(|s| tr.t(&s.label_key())).unwrap_or_default(),
        age: m.age_group.map(|a| tr.t(&a.label_key())).unwrap_or_default(),
        attended: tr.count(m.attended),
        since: tr.day(m.left_on.as_deref().unwrap_or(&m.joined_on)),
    }
}

/// "12 (7F)": members who came, then people reached who are not members.
fn session_counts(cur: &Current, attended: i64, female: i64, reached_f: i64, reached_m: i64) -> (String, String) {
    let cell = |n, f| crate::pages::figures::cell(cur.tr, &Count::new(n, f));
    let reached = if reached_f + reached_m > 0 { cell(reached_f + reached_m, reached_f) } else { String::new() };
    (cell(attended, female), reached)
}

async fn show_page(
    state: &AppState,
    cur: &Current,
    id: Uuid,
    q: Option<String>,
    input: &MemberInput,
    errors: &Invalid,
) -> Result<Response, PageError> {
    may_manage(cur)?;
    let tr = cur.tr;
    let g = state.store.community_group(&cur.actor, id).await?;
    let mut facts = vec![(tr.t("field-group-kind"), tr.t(&g.group.kind.label_key()))];
    let village = village_name(cur, &g);
    for (k, v) in [
        ("field-organiser", g.group.organiser.clone()),
        ("field-village", (!village.is_empty()).then_some(village)),
        ("field-place", g.group.place.clone()),
        ("field-started-on", g.group.started_on.map(|d| tr.date(d))),
        ("field-note", g.group.note.clone()),
    ] {
        if let Some(v) = v {
            facts.push((tr.t(k), v));
        }
    }
    facts.push((tr.t("field-recorded-by"), format!("{} · {}", g.created_by, tr.day(&g.created_at))));
    let all = state.store.group_members(&cur.actor, id, tr.is_km()).await?;
    let (present, gone): (Vec<_>, Vec<_>) = all.iter().partition(|m| m.left_on.is_none());
    let sessions = state
        .store
        .group_sessions(&cur.actor, id)
        .await?
        .iter()
        .map(|s| {
            let (attended, reached) = session_counts(cur, s.attended, s.attended_female, s.reached_female, s.reached_male);
            SessionRow { id: s.id.to_string(), day: tr.day(&s.held_on), topic: s.topic.clone(), attended, reached }
        })
        .collect();
    let search = q.unwrap_or_default();
    let mut found = Vec::new();
    if !search.trim().is_empty() {
        let f = ChildFilter { q: Some(search.clone()), ..ChildFilter::default() };
        for c in state.store.list_children(&cur.actor, &f, None, 10).await?.items.into_iter().filter(|c| c.org_id == cur.actor.org_id) {
            found.push(Found {
                field: "child_id",
                id: c.id.to_string(),
                label: format!("{} · {}", c.display_name(tr.is_km()), c.case_number),
            });
        }
        let households = state.store.list_households(&cur.actor, Some(&search), None, None, None, 10).await?.items;
        let names: std::collections::HashMap<Uuid, String> = households.iter().map(|h| (h.id, h.fields.name.clone())).collect();
        let ids: Vec<Uuid> = households.iter().map(|h| h.id).collect();
        for (person, household, name, relationship) in state.store.household_people(&cur.actor, &ids).await? {
            let rel = Relationship::parse(&relationship).map(|r| tr.t(&r.label_key())).unwrap_or_default();
            let home = names.get(&household).cloned().unwrap_or_default();
            found.push(Found { field: "household_member_id", id: person.to_string(), label: format!("{name} · {rel} · {home}") });
        }
    }
    let role = input.role.as_deref();
    Ok(render(ShowPage {
        l: Layout::new(cur, g.group.name.clone(), "/groups"),
        id: id.to_string(),
        facts,
        members: present.iter().map(|m| member_row(cur, m)).collect(),
        left: gone.iter().map(|m| member_row(cur, m)).collect(),
        sessions,
        q: search,
        found,
        f: FormView::new(values_of(input), errors, tr),
        notice: if errors.errors.is_empty() { String::new() } else { notice_of(cur, errors) },
        sexes: options(tr, Sex::ALL, Sex::code, Sex::label_key, input.sex.as_deref(), Some("opt-choose")),
        ages: options(tr, AgeGroup::ALL, AgeGroup::code, AgeGroup::label_key, input.age_group.as_deref(), Some("opt-choose")),
        roles: options(tr, MemberRole::ALL, MemberRole::code, MemberRole::label_key, role.or(Some("caregiver")), None),
    }))
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    show_page(&state, &cur, id, q.q, &MemberInput::default(), &Invalid::default()).await
}

/// Add members: the records ticked after a search, or one person named on the form.
pub async fn add_member(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let f = FormData(pairs);
    let ticked: Vec<MemberInput> = f
        .all("child_id")
        .into_iter()
        .map(|c| MemberInput { child_id: Some(c), role: f.get("role"), ..MemberInput::default() })
        .chain(f.all("household_member_id").into_iter().map(|p| MemberInput {
            household_member_id: Some(p),
            role: f.get("role"),
            ..MemberInput::default()
        }))
        .take(krousar_domain::community::MAX_MEMBERS)
        .collect();
    let inputs = if ticked.is_empty() {
        vec![MemberInput {
            name: f.get("name"),
            sex: f.get("sex"),
            age_group: f.get("age_group"),
            role: f.get("role"),
            ..MemberInput::default()
        }]
    } else {
        ticked
    };
    // All of them or none: a refusal names the first that cannot be added, and nothing is kept.
    let mut members = Vec::with_capacity(inputs.len());
    for input in &inputs {
        match input.validate() {
            Ok(m) => members.push(m),
            Err(e) => return Ok(unprocessable(show_page(&state, &cur, id, None, input, &e).await?)),
        }
    }
    match state.store.add_group_members(&cur.actor, id, &members).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{id}#members")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(show_page(&state, &cur, id, None, &inputs[0], &e).await?)),
        Err(e) => Err(e.into()),
    }
}

pub async fn leave(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, member)): Ids<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    state.store.leave_group(&cur.actor, id, member).await?;
    Ok(Redirect::to(&format!("/groups/{id}#members")).into_response())
}

pub struct Attendee {
    pub id: String,
    pub name: String,
    pub came: bool,
}

#[derive(Template)]
#[template(path = "group_session.html")]
struct SessionPage {
    l: Layout,
    action: String,
    back: String,
    f: FormView,
    notice: String,
    attendees: Vec<Attendee>,
    attended_error: String,
}

async fn session_page(
    state: &AppState,
    cur: &Current,
    group: Uuid,
    session: Option<Uuid>,
    input: &SessionInput,
    errors: &Invalid,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let g = state.store.community_group(&cur.actor, group).await?;
    let members = state.store.group_members(&cur.actor, group, tr.is_km()).await?;
    let attendees = members
        .iter()
        .filter(|m| m.left_on.is_none() || input.attended.contains(&m.id.to_string()))
        .map(|m| Attendee { id: m.id.to_string(), name: member_row(cur, m).name, came: input.attended.contains(&m.id.to_string()) })
        .collect();
    let mut values = values_of(input);
    if input.held_on.is_none() {
        values.push(("held_on".into(), cur.actor.today().to_string()));
    }
    let title = if session.is_some() { tr.t("page-correct-session") } else { tr.t("page-new-session") };
    Ok(render(SessionPage {
        l: Layout::new(cur, format!("{title} · {}", g.group.name), "/groups"),
        action: match session {
            Some(s) => format!("/groups/{group}/sessions/{s}"),
            None => format!("/groups/{group}/sessions"),
        },
        back: format!("/groups/{group}#sessions"),
        f: FormView::new(values, errors, tr),
        notice: if errors.errors.is_empty() { String::new() } else { notice_of(cur, errors) },
        attended_error: crate::views::field_error(tr, errors, "attended"),
        attendees,
    }))
}

pub async fn new_session(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    may_manage(&cur)?;
    session_page(&state, &cur, id, None, &SessionInput::default(), &Invalid::default()).await
}

pub async fn edit_session(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, session)): Ids<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let s = state
        .store
        .group_sessions(&cur.actor, id)
        .await?
        .into_iter()
        .find(|s| s.id == session)
        .ok_or(PageError(crate::error::AppError::NotFound))?;
    let input = SessionInput {
        held_on: Some(s.held_on),
        topic: Some(s.topic),
        note: s.note,
        attended: s.members.iter().map(Uuid::to_string).collect(),
        reached_female: Some(s.reached_female.to_string()),
        reached_male: Some(s.reached_male.to_string()),
    };
    session_page(&state, &cur, id, Some(session), &input, &Invalid::default()).await
}

fn session_input(f: &FormData) -> SessionInput {
    SessionInput {
        held_on: f.get("held_on"),
        topic: f.get("topic"),
        note: f.get("note"),
        attended: f.all("attended"),
        reached_female: f.get("reached_female"),
        reached_male: f.get("reached_male"),
    }
}

async fn save(state: &AppState, cur: &Current, group: Uuid, session: Option<Uuid>, f: FormData) -> Result<Response, PageError> {
    may_manage(cur)?;
    let input = session_input(&f);
    let result = match input.validate(cur.actor.today()) {
        Ok(s) => state.store.save_group_session(&cur.actor, group, session, &s).await.map(|_| ()),
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{group}#sessions")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(session_page(state, cur, group, session, &input, &e).await?)),
        Err(e) => Err(e.into()),
    }
}

pub async fn create_session(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    save(&state, &cur, id, None, FormData(pairs)).await
}

pub async fn update_session(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, session)): Ids<(Uuid, Uuid)>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    save(&state, &cur, id, Some(session), FormData(pairs)).await
}
