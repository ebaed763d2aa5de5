//! Recording a child's stay in an institution: a page of its own, so that the record page, read
//! far more often than stays are added, does not carry a pick-list of every RCI in the country.

use super::form::{FormData, FormView};
use super::rci_pick::{rci_groups, OptGroup};
use super::render;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use krousar_domain::policy::{decide, Target};
use krousar_domain::rci::StayInput;
use krousar_domain::validation::Invalid;
use krousar_domain::Action;
use krousar_store::StoreError;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "residence_form.html")]
struct ResidencePage {
    l: crate::views::Layout,
    id: String,
    child_name: String,
    /// Stays already recorded: (institution, entered, left).
    stays: Vec<(String, String, String)>,
    rcis: Vec<OptGroup>,
    f: FormView,
    notice: String,
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    form_page(&state, &cur, id, &FormData(Vec::new()), &Invalid::default()).await
}

pub async fn add(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let input = StayInput { rci_id: f.get("rci_id"), entered: f.get("entered"), left: f.get("left"), reason_left: f.get("reason_left") };
    let (rci, period) = match input.validate(crate::views::today()) {
        Ok(ok) => ok,
        Err(e) => return form_page(&state, &cur, id, &f, &e).await,
    };
    match state.store.add_residence(&cur.actor, id, rci, period).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => form_page(&state, &cur, id, &f, &e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

async fn form_page(state: &AppState, cur: &Current, id: Uuid, raw: &FormData, errors: &Invalid) -> Result<Response, PageError> {
    let tr = cur.tr;
    let child = state.store.view_child(&cur.actor, id, "residence-form").await?;
    if !decide(&cur.actor, Action::EditChild, Target::Record(&child.owner(&cur.actor))).allowed() {
        return Err(PageError(AppError::Forbidden));
    }
    let stays = stays_of(state, cur, &child).await?;
    let province = child.fields.village_code.as_deref().and_then(|v| v.get(..2));
    let selected = raw.get("rci_id");
    let rcis = rci_groups(&state.store, tr, selected.as_deref(), province).await?;
    let values = ["entered", "left", "reason_left"].into_iter().filter_map(|k| raw.get(k).map(|v| (k.to_string(), v)));
    let child_name = child.display_name(tr.is_km());
    Ok(render(ResidencePage {
        l: crate::views::Layout::new(cur, tr.t1("page-add-residence", "name", child_name.clone()), "/children"),
        id: id.to_string(),
        child_name,
        stays,
        rcis,
        f: FormView::new(values, errors, tr),
        notice: if errors.errors.is_empty() { String::new() } else { tr.t("err-invalid") },
    }))
}

/// A child's stays as shown on the record and on this page: (institution, entered, left);
/// none where the reader may not see them (`Store::stays_as_read_by`).
pub(super) async fn stays_of(
    state: &AppState,
    cur: &Current,
    child: &krousar_store::children::Child,
) -> Result<Vec<(String, String, String)>, PageError> {
    let tr = cur.tr;
    Ok(state
        .store
        .stays_as_read_by(&cur.actor, child)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.rci_name, tr.date(r.period.entered), r.period.left.map(|d| tr.date(d)).unwrap_or_else(|| tr.t("msg-still-resident"))))
        .collect())
}
