//! The office's side: record a family's search, see where a possible match is known and what
//! was answered by whom, and close the inquiry with how it ended.

use super::described;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::{Ids, Posted};
use crate::pages::form::{FormData, FormView};
use crate::pages::place::{self, PlacePicker};
use crate::pages::rci_pick::{rci_groups, OptGroup};
use crate::pages::{notice_of, render, unprocessable};
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::choices::{Relationship, Sex};
use krousar_domain::inquiry::{InquiryInput, InquiryOutcome, InquiryState};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::StoreError;
use uuid::Uuid;

pub struct Row {
    pub id: String,
    pub when: String,
    pub who: String,
    pub sought: String,
    pub state: String,
    /// "possible matches at 2 organisations", or nothing.
    pub found_at: String,
}

#[derive(Template)]
#[template(path = "inquiries.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    can_answer: bool,
}

fn may_record(cur: &Current) -> Result<(), PageError> {
    if decide(&cur.actor, Action::RecordInquiry, Target::Organisation(cur.actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let tr = cur.tr;
    let can_answer = decide(&cur.actor, Action::AnswerMatch, Target::Organisation(cur.actor.org_id)).allowed();
    let mine = decide(&cur.actor, Action::RecordInquiry, Target::Organisation(cur.actor.org_id)).allowed();
    if !mine && !can_answer {
        return Err(PageError(AppError::Forbidden));
    }
    let rows = if mine { state.store.inquiries(&cur.actor).await? } else { Vec::new() }
        .into_iter()
        .map(|i| {
            let (who, sought) = described(tr, &i.inquiry);
            Row {
                id: i.id.to_string(),
                when: tr.day(&i.recorded_at),
                who,
                sought,
                state: match i.outcome {
                    Some(o) => tr.t(&o.label_key()),
                    None => tr.t(&i.state.label_key()),
                },
                found_at: match i.matches.len() {
                    0 => String::new(),
                    n => tr.tn("msg-inquiry-found-at", i64::try_from(n).unwrap_or(i64::MAX)),
                },
            }
        })
        .collect();
    Ok(render(ListPage { l: Layout::new(&cur, tr.t("page-inquiries"), "/inquiries"), rows, can_answer }))
}

#[derive(Template)]
#[template(path = "inquiry_form.html")]
struct FormPage {
    l: Layout,
    f: FormView,
    notice: String,
    relationships: Vec<Opt>,
    sexes: Vec<Opt>,
    rcis: Vec<OptGroup>,
    place: PlacePicker,
}

const FIELDS: [&str; 13] = [
    "searcher_name",
    "searcher_relationship",
    "searcher_phone",
    "family_name_km",
    "given_name_km",
    "family_name_latin",
    "given_name_latin",
    "nickname",
    "sex",
    "estimated_age",
    "last_seen",
    "rci_id",
    "notes",
];

fn input_of(f: &FormData) -> InquiryInput {
    let g = |k: &str| f.get(k).filter(|v| !v.trim().is_empty());
    InquiryInput {
        searcher_name: g("searcher_name"),
        searcher_relationship: g("searcher_relationship"),
        searcher_phone: g("searcher_phone"),
        given_name_km: g("given_name_km"),
        family_name_km: g("family_name_km"),
        given_name_latin: g("given_name_latin"),
        family_name_latin: g("family_name_latin"),
        nickname: g("nickname"),
        sex: g("sex"),
        estimated_age: g("estimated_age"),
        estimated_birth_year: None,
        village_code: place::chosen_village(f),
        last_seen: g("last_seen"),
        rci_id: g("rci_id"),
        notes: g("notes"),
    }
}

async fn form_page(state: &AppState, cur: &Current, f: &FormData, errors: &Invalid) -> Result<Response, PageError> {
    let tr = cur.tr;
    let values: Vec<(String, String)> = FIELDS.iter().filter_map(|k| f.get(k).map(|v| (k.to_string(), v))).collect();
    let place_err = crate::views::field_error(tr, errors, "village_code");
    let place = place::build(&state.store, tr, f, None, place_err).await?;
    let rel = f.get("searcher_relationship");
    let sex = f.get("sex");
    Ok(render(FormPage {
        l: Layout::new(cur, tr.t("page-new-inquiry"), "/inquiries"),
        notice: notice_of(cur, errors),
        f: FormView::new(values, errors, tr),
        relationships: options(tr, Relationship::ALL, Relationship::code, Relationship::label_key, rel.as_deref(), Some("opt-choose")),
        sexes: options(tr, Sex::ALL, Sex::code, Sex::label_key, sex.as_deref(), Some("opt-choose")),
        rcis: rci_groups(&state.store, tr, f.get("rci_id").as_deref(), None).await?,
        place,
    }))
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    may_record(&cur)?;
    form_page(&state, &cur, &FormData::default(), &Invalid::default()).await
}

pub async fn create(State(state): State<AppState>, PageUser(cur): PageUser, Posted(pairs): Posted) -> Result<Response, PageError> {
    may_record(&cur)?;
    let f = FormData(pairs);
    if place::is_lookup(&f) {
        return form_page(&state, &cur, &f, &Invalid::default()).await;
    }
    let inquiry = match input_of(&f).validate(cur.actor.today()) {
        Ok(i) => i,
        Err(e) => return Ok(unprocessable(form_page(&state, &cur, &f, &e).await?)),
    };
    match state.store.record_inquiry(&cur.actor, inquiry).await {
        Ok(id) => Ok(Redirect::to(&format!("/inquiries/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(form_page(&state, &cur, &f, &e).await?)),
        Err(e) => Err(e.into()),
    }
}

pub struct MatchRow {
    pub org: String,
    pub state: String,
    pub answer: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "inquiry_show.html")]
struct ShowPage {
    l: Layout,
    id: String,
    who: String,
    phone: String,
    sought: String,
    last_seen: String,
    notes: String,
    recorded: String,
    matches: Vec<MatchRow>,
    open: bool,
    outcome: String,
    outcomes: Vec<Opt>,
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let i = state.store.inquiry(&cur.actor, id).await?;
    let (who, sought) = described(tr, &i.inquiry);
    let matches = i
        .matches
        .iter()
        .map(|m| MatchRow {
            org: m.org_name.clone(),
            state: tr.t(&m.state.label_key()),
            answer: m.answer.clone().unwrap_or_default(),
            by: match (&m.answered_by, &m.answered_at) {
                (Some(b), Some(at)) => format!("{b} · {}", tr.day(at)),
                _ => String::new(),
            },
        })
        .collect();
    let outcome = match (i.outcome, &i.outcome_note) {
        (Some(o), Some(n)) => format!("{} — {n}", tr.t(&o.label_key())),
        (Some(o), None) => tr.t(&o.label_key()),
        _ => String::new(),
    };
    Ok(render(ShowPage {
        l: Layout::new(&cur, tr.t("page-inquiry"), "/inquiries"),
        id: i.id.to_string(),
        who,
        phone: i.inquiry.searcher_phone.clone().unwrap_or_default(),
        sought,
        last_seen: i.inquiry.last_seen.clone().unwrap_or_default(),
        notes: i.inquiry.notes.clone().unwrap_or_default(),
        recorded: format!("{} · {}", i.recorded_by, tr.day(&i.recorded_at)),
        matches,
        open: i.state == InquiryState::Open,
        outcome,
        outcomes: options(tr, InquiryOutcome::ALL, InquiryOutcome::code, InquiryOutcome::label_key, None, None),
    }))
}

pub async fn close(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let Some(outcome) = f.get("outcome").as_deref().and_then(InquiryOutcome::parse) else {
        return Err(PageError(AppError::Invalid(Invalid {
            errors: vec![krousar_domain::FieldError { field: "outcome", code: "err-required" }],
        })));
    };
    state.store.close_inquiry(&cur.actor, id, outcome, f.get("outcome_note").as_deref()).await?;
    Ok(Redirect::to(&format!("/inquiries/{id}")).into_response())
}
