//! Matching a child with an available approved carer: the organisation's carers ranked by fit
//! with the reasons, those who cannot take the child set apart with why; the worker chooses,
//! writes down why, and the placement is recorded on the case and on the carer's history.

use super::form::FormData;
use super::{notice_of, render, unprocessable};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::carer::matching::{rank, CarerOffer, ChildNeeds};
use krousar_domain::case::entries::{PlacementInput, PlacementType};
use krousar_domain::Invalid;
use krousar_store::StoreError;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default, Clone)]
pub struct MatchQuery {
    siblings: Option<String>,
    language: Option<String>,
    kinship: Option<String>,
}

pub struct MatchRow {
    pub id: String,
    pub name: String,
    pub score: String,
    pub reasons: String,
    pub excluded: String,
    pub kinds: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "carer_match.html")]
struct MatchPage {
    l: Layout,
    child_id: String,
    child_name: String,
    notice: String,
    siblings: String,
    language: String,
    kinship: bool,
    rows: Vec<MatchRow>,
    today: String,
}

async fn page(state: &AppState, cur: &Current, id: uuid::Uuid, q: &MatchQuery, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let child = state.store.view_child(&cur.actor, id, "carer-match").await?;
    let carers = state.store.available_carers(&cur.actor).await?;
    let kinship = q.kinship.as_deref() == Some("1");
    let siblings = q.siblings.as_deref().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
    let needs = ChildNeeds::of(&child.fields, cur.actor.today(), siblings, q.language.clone(), kinship);
    let offers: Vec<CarerOffer> = carers.iter().filter_map(|c| c.offer()).collect();
    let by_id: HashMap<_, _> = carers.iter().map(|c| (c.id, c)).collect();
    let rows = rank(&needs, &offers)
        .into_iter()
        .map(|r| {
            let c = by_id[&r.id];
            let kinds = if c.kind == krousar_domain::carer::CarerKind::Kinship {
                vec![PlacementType::Kinship]
            } else {
                vec![PlacementType::FosterShort, PlacementType::FosterLong]
            };
            MatchRow {
                id: c.id.to_string(),
                name: c.name.clone(),
                score: tr.num(r.score),
                reasons: r.reasons.iter().map(|k| tr.t(k)).collect::<Vec<_>>().join(" · "),
                excluded: r.excluded.map(|k| tr.t(k)).unwrap_or_default(),
                kinds: kinds.iter().map(|k| (k.code().to_string(), tr.t(&k.label_key()))).collect(),
            }
        })
        .collect();
    Ok(render(MatchPage {
        l: Layout::new(cur, tr.t("page-carer-match"), "/children"),
        child_id: id.to_string(),
        child_name: child.display_name(tr.is_km()),
        notice,
        siblings: q.siblings.clone().unwrap_or_default(),
        language: q.language.clone().unwrap_or_default(),
        kinship,
        rows,
        today: cur.actor.today().to_string(),
    }))
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    Query(q): Query<MatchQuery>,
) -> Result<Response, PageError> {
    page(&state, &cur, id, &q, String::new()).await
}

/// Place the child with the chosen carer: a case placement with the carer's household, the
/// worker's reason kept on the carer's history. The carer's rules are checked by the store.
pub async fn place(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, carer)): Ids<(uuid::Uuid, uuid::Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let (c, _) = state.store.carer(&cur.actor, carer).await?;
    let decision = f.get("decision").map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
    let mut e = Invalid::default();
    if decision.is_none() {
        e.push("decision", "err-match-reason");
    }
    let input = PlacementInput {
        kind: f.get("kind"),
        household_id: Some(c.household_id.to_string()),
        started_on: f.get("started_on"),
        ..Default::default()
    };
    let placement = match input.validate(cur.actor.today()) {
        Ok(p) if e.errors.is_empty() => p,
        Ok(_) => return Ok(unprocessable(page(&state, &cur, id, &MatchQuery::default(), notice_of(&cur, &e)).await?)),
        Err(e) => return Ok(unprocessable(page(&state, &cur, id, &MatchQuery::default(), notice_of(&cur, &e)).await?)),
    };
    match state.store.record_placement_with(&cur.actor, id, placement, decision.as_deref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/case")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(page(&state, &cur, id, &MatchQuery::default(), notice_of(&cur, &e)).await?)),
        Err(StoreError::NotFound) => Err(PageError(AppError::NotFound)),
        Err(e) => Err(PageError::from(e)),
    }
}
