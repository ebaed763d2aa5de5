//! The training register's pages: who was trained on what and how well (report by course, sex,
//! province or organisation), courses, sessions with participants' results, people, mentoring.

use super::form::FormData;
use super::{notice_of, render, unprocessable};
use crate::auth::{Current, PageUser};
use crate::commands;
use crate::error::PageError;
use crate::extract::Ids;
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::choices::Sex;
use krousar_domain::training::{Module, TraineeRole};
use krousar_store::StoreError;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    by: Option<String>,
}

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    l: Layout,
    notice: String,
    by: String,
    report: Vec<(String, String, String)>,
    sessions: Vec<(String, String, String, String)>,
    courses: Vec<(String, String)>,
    people: Vec<(String, String, String, String)>,
    course_opts: Vec<Opt>,
    modules: Vec<Opt>,
    sexes: Vec<Opt>,
    roles: Vec<Opt>,
    provinces: Vec<Opt>,
    today: String,
}

async fn provinces(state: &AppState, cur: &Current) -> Result<HashMap<String, String>, PageError> {
    Ok(state
        .store
        .child_locations(None)
        .await?
        .into_iter()
        .map(|p| (p.code, if cur.tr.is_km() { p.name_km } else { p.name_latin }))
        .collect())
}

async fn page(state: &AppState, cur: &Current, by: &str, notice: String) -> Result<Response, PageError> {
    let t = cur.tr;
    let places = provinces(state, cur).await?;
    let report = state
        .store
        .trained_report(&cur.actor, by)
        .await?
        .into_iter()
        .map(|r| {
            let key = match by {
                "sex" => Sex::parse(&r.key).map(|s| t.t(&s.label_key())).unwrap_or_default(),
                "province" => places.get(&r.key).cloned().unwrap_or_else(|| t.t("msg-no-place")),
                _ => r.key.clone(),
            };
            let gain = r.improvement.map(|g| t.t1("msg-points", "points", t.num(format!("{g:+.1}")))).unwrap_or_else(|| "—".into());
            (key, t.t2("msg-count-female", ("total", t.num(r.people)), ("female", t.num(r.women))), gain)
        })
        .collect();
    let sessions = state
        .store
        .training_sessions(&cur.actor)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.id.to_string(),
                s.course_title,
                format!("{} · {}", t.period(s.session.starts_on, s.session.ends_on), s.session.place),
                t.num(s.participants),
            )
        })
        .collect();
    let courses = state.store.courses(&cur.actor).await?;
    let people = state
        .store
        .trainees(&cur.actor)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.trainee.name, t.t(&p.trainee.role.label_key()), t.num(p.sessions_attended)))
        .collect();
    let mut province_opts = vec![Opt { value: String::new(), label: t.t("opt-choose"), selected: true }];
    let mut sorted: Vec<_> = places.iter().collect();
    sorted.sort();
    province_opts.extend(sorted.into_iter().map(|(code, name)| Opt { value: code.clone(), label: name.clone(), selected: false }));
    Ok(render(TrainingPage {
        l: Layout::new(cur, t.t("page-training"), "/training"),
        notice,
        by: by.to_string(),
        report,
        sessions,
        course_opts: courses.iter().map(|c| Opt { value: c.id.to_string(), label: c.course.title.clone(), selected: false }).collect(),
        courses: courses
            .iter()
            .map(|c| (c.course.title.clone(), c.course.modules.iter().map(|m| t.t(&m.label_key())).collect::<Vec<_>>().join(", ")))
            .collect(),
        people,
        modules: options(t, Module::ALL, Module::code, Module::label_key, None, None),
        sexes: options(t, Sex::ALL, Sex::code, Sex::label_key, None, Some("opt-choose")),
        roles: options(t, TraineeRole::ALL, TraineeRole::code, TraineeRole::label_key, None, None),
        provinces: province_opts,
        today: cur.actor.today().to_string(),
    }))
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<ReportQuery>) -> Result<Response, PageError> {
    let by = q.by.as_deref().filter(|b| matches!(*b, "sex" | "province" | "organisation")).unwrap_or("course");
    page(&state, &cur, by, String::new()).await
}

async fn done(state: &AppState, cur: &Current, to: String, r: Result<(), StoreError>) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&to).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(page(state, cur, "course", notice_of(cur, &e)).await?)),
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn add_course(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let r = commands::training::record(&state.store, &cur.actor, "course", None, &FormData(pairs)).await.map(|_| ());
    done(&state, &cur, "/training".into(), r).await
}

pub async fn add_session(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    match commands::training::record(&state.store, &cur.actor, "session", None, &FormData(pairs)).await {
        Ok(Some(id)) => Ok(Redirect::to(&format!("/training/sessions/{id}")).into_response()),
        Ok(None) => Ok(Redirect::to("/training").into_response()),
        Err(e) => done(&state, &cur, String::new(), Err(e)).await,
    }
}

pub async fn add_trainee(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let r = commands::training::record(&state.store, &cur.actor, "person", None, &FormData(pairs)).await.map(|_| ());
    done(&state, &cur, "/training".into(), r).await
}

#[derive(Template)]
#[template(path = "training_session.html")]
struct SessionPage {
    l: Layout,
    id: String,
    notice: String,
    facts: Vec<(String, String)>,
    rows: Vec<(String, String, String, String, String)>,
    people: Vec<Opt>,
}

async fn session_page(state: &AppState, cur: &Current, id: uuid::Uuid, notice: String) -> Result<Response, PageError> {
    let t = cur.tr;
    let (s, participants) = state.store.training_session(&cur.actor, id).await?;
    let score = |n: Option<u8>| n.map(|n| t.num(n)).unwrap_or_else(|| "—".into());
    let yes = |b: bool| t.t(if b { "msg-yes" } else { "msg-no" });
    Ok(render(SessionPage {
        l: Layout::new(cur, s.course_title.clone(), "/training"),
        id: id.to_string(),
        notice,
        facts: vec![
            (t.t("field-period"), t.period(s.session.starts_on, s.session.ends_on)),
            (t.t("field-place"), s.session.place.clone()),
            (t.t("field-trainer"), s.session.trainer.clone()),
        ],
        rows: participants
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    yes(p.outcome.attended),
                    score(p.outcome.pre_score),
                    score(p.outcome.post_score),
                    yes(p.outcome.certificate),
                )
            })
            .collect(),
        people: state
            .store
            .trainees(&cur.actor)
            .await?
            .into_iter()
            .map(|p| Opt { value: p.id.to_string(), label: p.trainee.name, selected: false })
            .collect(),
    }))
}

pub async fn session(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    session_page(&state, &cur, id, String::new()).await
}

pub async fn participant(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    match commands::training::record(&state.store, &cur.actor, "participant", Some(id), &FormData(pairs)).await {
        Ok(_) => Ok(Redirect::to(&format!("/training/sessions/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(session_page(&state, &cur, id, notice_of(&cur, &e)).await?)),
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "training_person.html")]
struct PersonPage {
    l: Layout,
    id: String,
    notice: String,
    rows: Vec<(String, String, String, String)>,
    today: String,
}

async fn person_page(state: &AppState, cur: &Current, id: uuid::Uuid, notice: String) -> Result<Response, PageError> {
    let people = state.store.trainees(&cur.actor).await?;
    let person = people.into_iter().find(|p| p.id == id).ok_or(PageError(crate::error::AppError::NotFound))?;
    let rows = state
        .store
        .mentoring_of(&cur.actor, id)
        .await?
        .into_iter()
        .map(|m| (cur.tr.date(m.on), m.mentor, m.topic, m.note.unwrap_or_default()))
        .collect();
    Ok(render(PersonPage {
        l: Layout::new(cur, person.trainee.name, "/training"),
        id: id.to_string(),
        notice,
        rows,
        today: cur.actor.today().to_string(),
    }))
}

pub async fn person(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    person_page(&state, &cur, id, String::new()).await
}

pub async fn mentoring(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    match commands::training::record(&state.store, &cur.actor, "mentoring", Some(id), &FormData(pairs)).await {
        Ok(_) => Ok(Redirect::to(&format!("/training/people/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(person_page(&state, &cur, id, notice_of(&cur, &e)).await?)),
        Err(e) => Err(PageError::from(e)),
    }
}
