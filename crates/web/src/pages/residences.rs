//! Recording a child's stay in an institution, and correcting one: a page of its own, so that
//! the record page, read far more often than stays are added, does not carry a pick-list of
//! every RCI in the country.

use super::form::{FormData, FormView};
use super::rci_pick::{rci_groups, OptGroup};
use super::render;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::policy::{decide, Target};
use krousar_domain::rci::StayInput;
use krousar_domain::validation::Invalid;
use krousar_domain::Action;
use krousar_store::children::Child;
use krousar_store::rcis::Residence;
use krousar_store::StoreError;
use uuid::Uuid;

/// A stay as the record page and the stay form list it.
pub struct StayRow {
    pub id: String,
    pub rci: String,
    pub entered: String,
    pub left: String,
}

#[derive(Template)]
#[template(path = "residence_form.html")]
struct ResidencePage {
    l: crate::views::Layout,
    id: String,
    child_name: String,
    /// Stays already recorded.
    stays: Vec<StayRow>,
    /// The stay being corrected (empty when adding one).
    editing: String,
    /// Where the form posts, and what its button says.
    action: String,
    button: String,
    /// The stay as the form showed it (`Residence::seen`), when correcting one.
    seen: String,
    rcis: Vec<OptGroup>,
    f: FormView,
    notice: String,
}

/// Adding a stay, or correcting one as it was seen when the form was opened.
enum Mode {
    Add,
    Edit { stay: Uuid, seen: String },
}

fn stay_input(f: &FormData) -> StayInput {
    StayInput { rci_id: f.get("rci_id"), entered: f.get("entered"), left: f.get("left"), reason_left: f.get("reason_left") }
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let (child, stays) = open(&state, &cur, id).await?;
    form_page(&state, &cur, &child, &stays, &Mode::Add, &FormData(Vec::new()), &Invalid::default(), String::new()).await
}

pub async fn add(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let again = |e: Invalid| {
        let (state, cur, f) = (&state, &cur, &f);
        async move {
            let (child, stays) = open(state, cur, id).await?;
            form_page(state, cur, &child, &stays, &Mode::Add, f, &e, String::new()).await
        }
    };
    let (rci, period) = match stay_input(&f).validate(cur.actor.today()) {
        Ok(ok) => ok,
        Err(e) => return again(e).await,
    };
    match state.store.add_residence(&cur.actor, id, rci, period).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => again(e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// The form to correct one stay, filled with what it holds now.
pub async fn edit(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, stay)): Ids<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Response, PageError> {
    let (child, stays) = open(&state, &cur, id).await?;
    let s = stays.iter().find(|r| r.id == stay).ok_or(PageError(AppError::NotFound))?;
    let mut raw = vec![("rci_id".to_string(), s.rci_id.to_string()), ("entered".to_string(), s.period.entered.to_string())];
    raw.extend(s.period.left.map(|d| ("left".to_string(), d.to_string())));
    raw.extend(s.period.reason_left.clone().map(|r| ("reason_left".to_string(), r)));
    let mode = Mode::Edit { stay, seen: s.seen() };
    form_page(&state, &cur, &child, &stays, &mode, &FormData(raw), &Invalid::default(), String::new()).await
}

/// Save the corrected stay (`Store::update_residence_as_seen`: the child's workers, a real
/// institution, no overlap with her other stays, and not changed by someone else since the
/// form was opened; audited by the store).
pub async fn update(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, stay)): Ids<(uuid::Uuid, uuid::Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    // A form without it (forged or broken) matches no stay: refused as stale, after the
    // store has asked the policy, so one who may not correct the stay learns nothing more.
    let seen = f.get("seen").unwrap_or_default();
    // Shown again as typed, with the stay as it now is (`seen`: the version to save from).
    let again = |e: Invalid, notice: String, status: StatusCode, current: bool| {
        let (state, cur, f, seen) = (&state, &cur, &f, seen.clone());
        async move {
            let (child, stays) = open(state, cur, id).await?;
            let s = stays.iter().find(|r| r.id == stay).ok_or(PageError(AppError::NotFound))?;
            let mode = Mode::Edit { stay, seen: if current { s.seen() } else { seen } };
            let mut res = form_page(state, cur, &child, &stays, &mode, f, &e, notice).await?;
            *res.status_mut() = status;
            Ok::<Response, PageError>(res)
        }
    };
    let (rci, period) = match stay_input(&f).validate(cur.actor.today()) {
        Ok(ok) => ok,
        Err(e) => return again(e, String::new(), StatusCode::UNPROCESSABLE_ENTITY, false).await,
    };
    match state.store.update_residence_as_seen(&cur.actor, id, stay, &seen, rci, period).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => again(e, String::new(), StatusCode::UNPROCESSABLE_ENTITY, false).await,
        Err(StoreError::Conflict { .. }) => again(Invalid::default(), cur.tr.t("err-conflict"), StatusCode::CONFLICT, true).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// The child and her stays, for one who may change them: not found for one who may not open
/// the record (its existence is not revealed), refused for one who may only read it.
async fn open(state: &AppState, cur: &Current, id: Uuid) -> Result<(Child, Vec<Residence>), PageError> {
    let child = state.store.view_child(&cur.actor, id, "residence-form").await?;
    if !decide(&cur.actor, Action::EditChild, Target::Record(&child.owner(&cur.actor))).allowed() {
        return Err(PageError(AppError::Forbidden));
    }
    let stays = state.store.stays_as_read_by(&cur.actor, &child).await?.unwrap_or_default();
    Ok((child, stays))
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    cur: &Current,
    child: &Child,
    stays: &[Residence],
    mode: &Mode,
    raw: &FormData,
    errors: &Invalid,
    notice: String,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let province = child.fields.village_code.as_deref().and_then(|v| v.get(..2));
    let selected = raw.get("rci_id");
    let rcis = rci_groups(&state.store, tr, selected.as_deref(), province).await?;
    let values = ["entered", "left", "reason_left"].into_iter().filter_map(|k| raw.get(k).map(|v| (k.to_string(), v)));
    let child_name = child.display_name(tr.is_km());
    let id = child.id;
    let (title, action, button, editing, seen) = match mode {
        Mode::Add => (
            tr.t1("page-add-residence", "name", child_name.clone()),
            format!("/children/{id}/residences"),
            tr.t("btn-add-residence"),
            String::new(),
            String::new(),
        ),
        Mode::Edit { stay, seen } => (
            tr.t1("page-edit-residence", "name", child_name.clone()),
            format!("/children/{id}/residences/{stay}"),
            tr.t("btn-save"),
            stay.to_string(),
            seen.clone(),
        ),
    };
    let notice = if !notice.is_empty() || errors.errors.is_empty() { notice } else { tr.t("err-invalid") };
    let mut res = render(ResidencePage {
        l: crate::views::Layout::new(cur, title, "/children"),
        id: id.to_string(),
        child_name,
        stays: rows(cur, stays),
        editing,
        action,
        button,
        seen,
        rcis,
        f: FormView::new(values, errors, tr),
        notice,
    });
    if !errors.errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn rows(cur: &Current, stays: &[Residence]) -> Vec<StayRow> {
    let tr = cur.tr;
    stays
        .iter()
        .map(|r| StayRow {
            id: r.id.to_string(),
            rci: r.rci_name.clone(),
            entered: tr.date(r.period.entered),
            left: r.period.left.map(|d| tr.date(d)).unwrap_or_else(|| tr.t("msg-still-resident")),
        })
        .collect()
}

/// A child's stays as shown on the record; none where the reader may not see them
/// (`Store::stays_as_read_by`).
pub(super) async fn stays_of(state: &AppState, cur: &Current, child: &Child) -> Result<Vec<StayRow>, PageError> {
    let stays = state.store.stays_as_read_by(&cur.actor, child).await?.unwrap_or_default();
    Ok(rows(cur, &stays))
}
