//! Distributions in the pages: the organisation's list and a new distribution (here), one
//! distribution with its households, receipts and printed list (`show.rs`).

pub mod show;

use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Posted;
use crate::pages::form::{FormData, FormView};
use crate::pages::{notice_of, render, unprocessable};
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::distribution::{DistributionInput, ItemInput, SupportKind};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};

/// Item lines offered on the form.
const ITEM_ROWS: usize = 6;

pub fn may_manage(cur: &Current) -> Result<(), PageError> {
    if decide(&cur.actor, Action::ManageDistributions, Target::Organisation(cur.actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

/// Riel as the reader writes numbers.
pub fn riel(cur: &Current, n: i64) -> String {
    cur.tr.t1("msg-riel", "value", cur.tr.count(n))
}

/// A distribution as a household's or a child's page lists it.
pub struct SupportRow {
    pub id: String,
    pub day: String,
    pub name: String,
    pub items: String,
    pub state: String,
}

/// The support a household (or a child's households) received or is listed for.
pub fn support_rows(tr: crate::i18n::Tr, lines: Vec<krousar_store::distributions::SupportLine>) -> Vec<SupportRow> {
    lines
        .into_iter()
        .map(|s| SupportRow {
            id: s.distribution_id.to_string(),
            day: tr.day(&s.given_on),
            name: format!("{} ({})", s.name, tr.t(&s.kind.label_key())),
            items: s
                .items
                .iter()
                .map(|i| format!("{} {} {}", i.name, tr.num(i.quantity), i.unit.clone().unwrap_or_default()).trim().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            state: tr.t(&s.state.label_key()),
        })
        .collect()
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub day: String,
    pub households: String,
    pub received: String,
}

#[derive(Template)]
#[template(path = "distributions.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let tr = cur.tr;
    let rows = state
        .store
        .distributions(&cur.actor)
        .await?
        .into_iter()
        .map(|d| Row {
            id: d.id.to_string(),
            name: d.distribution.name.clone(),
            kind: tr.t(&d.distribution.kind.label_key()),
            day: tr.date(d.distribution.given_on),
            households: tr.count(d.households),
            received: tr.count(d.received),
        })
        .collect();
    Ok(render(ListPage { l: Layout::new(&cur, tr.t("page-distributions"), "/distributions"), rows }))
}

pub struct ItemRow {
    pub n: usize,
    pub name: String,
    pub quantity: String,
    pub unit: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "distribution_form.html")]
struct FormPage {
    l: Layout,
    f: FormView,
    notice: String,
    kinds: Vec<Opt>,
    items: Vec<ItemRow>,
    items_error: String,
}

fn input_of(f: &FormData) -> DistributionInput {
    let col = |k: &str| f.all(k);
    let (names, quantities, units, values) = (col("item_name"), col("item_quantity"), col("item_unit"), col("item_value"));
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().filter(|s| !s.trim().is_empty());
    DistributionInput {
        name: f.get("name"),
        kind: f.get("kind"),
        given_on: f.get("given_on"),
        place: f.get("place"),
        note: f.get("note"),
        items: (0..names.len())
            .map(|i| ItemInput { name: at(&names, i), quantity: at(&quantities, i), unit: at(&units, i), value_riel: at(&values, i) })
            .collect(),
    }
}

async fn form_page(cur: &Current, input: &DistributionInput, errors: &Invalid) -> Result<Response, PageError> {
    let tr = cur.tr;
    let values: Vec<(String, String)> =
        [("name", &input.name), ("given_on", &input.given_on), ("place", &input.place), ("note", &input.note)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone().unwrap_or_default()))
            .chain(std::iter::once(("given_on".to_string(), input.given_on.clone().unwrap_or_else(|| cur.actor.today().to_string()))))
            .collect();
    let items = (0..ITEM_ROWS.max(input.items.len()))
        .map(|n| {
            let i = input.items.get(n).cloned().unwrap_or_default();
            ItemRow {
                n: n + 1,
                name: i.name.unwrap_or_default(),
                quantity: i.quantity.unwrap_or_default(),
                unit: i.unit.unwrap_or_default(),
                value: i.value_riel.unwrap_or_default(),
            }
        })
        .collect();
    Ok(render(FormPage {
        l: Layout::new(cur, tr.t("page-new-distribution"), "/distributions"),
        notice: notice_of(cur, errors),
        items_error: crate::views::field_error(tr, errors, "items"),
        f: FormView::new(values, errors, tr),
        kinds: options(tr, SupportKind::ALL, SupportKind::code, SupportKind::label_key, input.kind.as_deref(), Some("opt-choose")),
        items,
    }))
}

pub async fn new(State(_state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    may_manage(&cur)?;
    form_page(&cur, &DistributionInput::default(), &Invalid::default()).await
}

pub async fn create(State(state): State<AppState>, PageUser(cur): PageUser, Posted(pairs): Posted) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let input = input_of(&FormData(pairs));
    match input.validate(cur.actor.today()) {
        Ok(d) => {
            let id = state.store.create_distribution(&cur.actor, &d).await?;
            Ok(Redirect::to(&format!("/distributions/{id}")).into_response())
        }
        Err(e) => Ok(unprocessable(form_page(&cur, &input, &e).await?)),
    }
}
