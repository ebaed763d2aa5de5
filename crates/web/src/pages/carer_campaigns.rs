//! Recruitment campaigns for foster carers: when, where, who organised it, attendance by sex,
//! and how many enquiries came from each.

use super::form::{FormData, FormView};
use super::{notice_of, render, unprocessable};
use crate::auth::{Current, PageUser};
use crate::error::PageError;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::case::entries::past_date;
use krousar_domain::text::{self, LONG, SHORT};
use krousar_domain::Invalid;
use krousar_store::carer_campaigns::{Campaign, CampaignFields};

#[derive(Template)]
#[template(path = "carer_campaigns.html")]
struct CampaignsPage {
    l: Layout,
    notice: String,
    /// Each campaign with its attendance written the field's way: "42 (17F)".
    rows: Vec<(Campaign, String)>,
    f: FormView,
}

fn count(e: &mut Invalid, field: &'static str, raw: Option<String>) -> Option<u32> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(0),
        Some(s) => krousar_domain::child::parse_number::<u32>(s).filter(|n| *n <= 100_000).or_else(|| {
            e.push(field, "err-number");
            None
        }),
    }
}

/// A campaign as typed, validated (attendance defaults to none).
pub fn validate(f: &FormData, today: chrono::NaiveDate) -> Result<CampaignFields, Invalid> {
    let mut e = Invalid::default();
    let held_on = past_date(&mut e, "held_on", f.get("held_on").as_deref(), today);
    let place = text::optional(&mut e, "place", f.get("place").as_deref(), SHORT);
    let organiser = text::optional(&mut e, "organiser", f.get("organiser").as_deref(), SHORT);
    for (field, v) in [("place", &place), ("organiser", &organiser)] {
        if v.is_none() && !e.has(field) {
            e.push(field, "err-required");
        }
    }
    let attended_female = count(&mut e, "attended_female", f.get("attended_female"));
    let attended_male = count(&mut e, "attended_male", f.get("attended_male"));
    let note = text::paragraphs(&mut e, "note", f.get("note").as_deref(), LONG);
    match (held_on, place, organiser, attended_female, attended_male) {
        (Some(held_on), Some(place), Some(organiser), Some(attended_female), Some(attended_male)) if e.errors.is_empty() => {
            Ok(CampaignFields { held_on, place, village_code: None, organiser, attended_female, attended_male, note })
        }
        _ => Err(e),
    }
}

async fn page(state: &AppState, cur: &Current, raw: &FormData, errors: &Invalid, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let rows = state
        .store
        .campaigns(&cur.actor)
        .await?
        .into_iter()
        .map(|c| {
            let att =
                tr.t2("msg-count-female", ("total", tr.num(c.attended_female + c.attended_male)), ("female", tr.num(c.attended_female)));
            (c, att)
        })
        .collect();
    let mut values: Vec<(String, String)> = raw.0.clone();
    if raw.get("held_on").is_none() {
        values.push(("held_on".into(), cur.actor.today().to_string()));
    }
    Ok(render(CampaignsPage {
        l: Layout::new(cur, cur.tr.t("page-campaigns"), "/carers"),
        notice,
        rows,
        f: FormView::new(values, errors, cur.tr),
    }))
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    page(&state, &cur, &FormData::default(), &Invalid::default(), String::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    match validate(&raw, cur.actor.today()) {
        Ok(c) => {
            state.store.create_campaign(&cur.actor, &c).await?;
            Ok(Redirect::to("/carers/campaigns").into_response())
        }
        Err(e) => Ok(unprocessable(page(&state, &cur, &raw, &e, notice_of(&cur, &e)).await?)),
    }
}
