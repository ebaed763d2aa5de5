//! The register of residential care institutions.

use super::form::{values_of, FormData, FormView};
use super::place::{self, PlacePicker};
use super::{parse_id, render};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::choices::{RciRegistration, RciType};
use krousar_domain::policy::{decide, Target};
use krousar_domain::rci::RciInput;
use krousar_domain::rci_transition::TransitionStage;
use krousar_domain::{Action, Invalid};
use krousar_store::rcis::RciFilter;
use krousar_store::StoreError;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    province: Option<String>,
    stage: Option<String>,
    min_children: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "rcis_list.html")]
struct ListPage {
    l: Layout,
    q: String,
    provinces: Vec<Opt>,
    stages: Vec<Opt>,
    min_children: String,
    rows: Vec<Vec<String>>,
    next: String,
    can_add: bool,
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let stage = q.stage.as_deref().and_then(TransitionStage::parse);
    let min_children = q.min_children.as_deref().and_then(|n| n.trim().parse::<i64>().ok());
    let filter = RciFilter { q: q.q.as_deref(), province: q.province.as_deref(), stage, min_children };
    let page = state.store.list_rcis(&cur.actor, &filter, q.after.as_deref().and_then(parse_id), 50).await?;
    let codes: Vec<String> = page.items.iter().filter_map(|r| r.fields.village_code.clone()).collect();
    let paths = state.store.location_paths(&codes).await?;
    let mut rows = Vec::new();
    for r in &page.items {
        let place = r
            .fields
            .village_code
            .as_ref()
            .and_then(|v| paths.iter().find(|p| &p.code == v))
            .map(|p| p.label(tr.is_km()))
            .unwrap_or_default();
        rows.push(vec![
            r.id.to_string(),
            r.fields.name.clone(),
            tr.t(&r.fields.rci_type.label_key()),
            place,
            tr.t(&r.fields.registration_status.label_key()),
            r.fields.capacity.map(|c| tr.num(c)).unwrap_or_default(),
            r.residents.map(|n| tr.num(n)).unwrap_or_else(|| tr.t("msg-hidden")),
            tr.t(&r.transition_stage.label_key()),
        ]);
    }
    let next = page
        .next
        .map(|c| {
            format!(
                "/rcis?{}",
                serde_urlencoded::to_string([
                    ("q", q.q.clone().unwrap_or_default()),
                    ("province", q.province.clone().unwrap_or_default()),
                    ("stage", q.stage.clone().unwrap_or_default()),
                    ("min_children", q.min_children.clone().unwrap_or_default()),
                    ("after", c)
                ])
                .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let can_add = decide(&cur.actor, Action::EditRci, Target::Nothing).allowed();
    let provinces = super::children::place_opts(tr, state.store.child_locations(None).await?, q.province.as_deref());
    let mut stages = vec![Opt { value: String::new(), label: tr.t("opt-all"), selected: stage.is_none() }];
    stages.extend(options(tr, TransitionStage::ALL, TransitionStage::code, TransitionStage::label_key, q.stage.as_deref(), None));
    Ok(render(ListPage {
        l: Layout::new(&cur, tr.t("page-rcis"), "/rcis"),
        q: q.q.unwrap_or_default(),
        provinces,
        stages,
        min_children: q.min_children.unwrap_or_default(),
        rows,
        next,
        can_add,
    }))
}

#[derive(Template)]
#[template(path = "rci_form.html")]
struct FormPage {
    l: Layout,
    /// Where the form posts: `/rcis` to register one, `/rcis/{id}` to change one.
    action: String,
    /// The version the edit started from (empty when registering).
    version: String,
    /// Where "Cancel" leads (empty when registering).
    cancel: String,
    notice: String,
    f: FormView,
    types: Vec<Opt>,
    statuses: Vec<Opt>,
    place: PlacePicker,
    /// Organisations to name as the partner (empty: the user may not name one).
    partners: Vec<Opt>,
}

/// Which form is shown: registering an institution, or changing one from a version.
enum Mode {
    New,
    Edit { id: uuid::Uuid, name: String, version: String, partner: Option<uuid::Uuid> },
}

async fn form_page(
    state: &AppState,
    cur: &Current,
    mode: &Mode,
    input: &RciInput,
    raw: &FormData,
    errors: &Invalid,
    notice: String,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let place =
        place::build(&state.store, tr, raw, input.village_code.as_deref(), crate::views::field_error(tr, errors, "village_code")).await?;
    let notice = if !notice.is_empty() || errors.errors.is_empty() { notice } else { tr.t("err-invalid") };
    let (title, action, version, cancel, partners) = match mode {
        Mode::New => (tr.t("page-new-rci"), "/rcis".to_string(), String::new(), String::new(), Vec::new()),
        Mode::Edit { id, name, version, partner } => (
            tr.t1("page-edit-rci", "name", name.clone()),
            format!("/rcis/{id}"),
            version.clone(),
            format!("/rcis/{id}"),
            super::rci_partner::options(state, cur, *partner, raw).await?,
        ),
    };
    let mut res = render(FormPage {
        l: Layout::new(cur, title, "/rcis"),
        action,
        version,
        cancel,
        notice,
        f: FormView::new(values_of(input), errors, tr),
        types: options(tr, RciType::ALL, RciType::code, RciType::label_key, input.rci_type.as_deref(), Some("opt-choose")),
        statuses: options(
            tr,
            RciRegistration::ALL,
            RciRegistration::code,
            RciRegistration::label_key,
            input.registration_status.as_deref(),
            Some("opt-choose"),
        ),
        place,
        partners,
    });
    if !errors.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    if !decide(&cur.actor, Action::EditRci, Target::Nothing).allowed() {
        return Err(PageError(AppError::Forbidden));
    }
    form_page(&state, &cur, &Mode::New, &RciInput::default(), &FormData::default(), &Invalid::default(), String::new()).await
}

fn rci_input(raw: &FormData) -> RciInput {
    RciInput {
        name: raw.get("name"),
        rci_type: raw.get("rci_type"),
        village_code: place::chosen_village(raw),
        capacity: raw.get("capacity"),
        registration_status: raw.get("registration_status"),
        note: raw.get("note"),
    }
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    let input = rci_input(&raw);
    if place::is_lookup(&raw) {
        return form_page(&state, &cur, &Mode::New, &input, &raw, &Invalid::default(), String::new()).await;
    }
    let result = match input.validate() {
        Ok(f) => state.store.create_rci(&cur.actor, f).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/rcis/{}", r.id)).into_response()),
        Err(StoreError::Invalid(e)) => form_page(&state, &cur, &Mode::New, &input, &raw, &e, String::new()).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// The register is everyone's to read, so one who may not change an institution is told so
/// (403, as its transition forms), not that it does not exist.
async fn may_edit(state: &AppState, cur: &Current, id: uuid::Uuid) -> Result<(), PageError> {
    if state.store.may_edit_rci(&cur.actor, id).await? {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

/// The form to change an institution's record, filled with what it holds now.
pub async fn edit(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    may_edit(&state, &cur, id).await?;
    let r = state.store.rci(&cur.actor, id).await?;
    let mode = Mode::Edit { id, name: r.fields.name.clone(), version: r.version.to_string(), partner: r.partner_org_id };
    form_page(&state, &cur, &mode, &r.fields.to_input(), &FormData::default(), &Invalid::default(), String::new()).await
}

/// Save the changed record (`Store::update_rci`, which checks the policy again, audits and
/// refuses a stale version with nothing written).
pub async fn update(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    // Asked before the form is read: one who may not edit is refused whatever was sent.
    may_edit(&state, &cur, id).await?;
    let raw = FormData(pairs);
    let input = rci_input(&raw);
    let version = raw.get("version").unwrap_or_default();
    let now = state.store.rci(&cur.actor, id).await?;
    let mode = |version: String| Mode::Edit { id, name: now.fields.name.clone(), version, partner: now.partner_org_id };
    if place::is_lookup(&raw) {
        return form_page(&state, &cur, &mode(version), &input, &raw, &Invalid::default(), String::new()).await;
    }
    let Ok(expected) = version.parse::<i64>() else { return Err(PageError(AppError::BadRequest("err-invalid"))) };
    let result = match (input.validate(), super::rci_partner::chosen(&cur, &raw)) {
        (Ok(f), Ok(partner)) => state.store.update_rci(&cur.actor, id, expected, f, partner).await,
        (Err(mut e), Err(p)) => {
            e.errors.extend(p.errors);
            Err(StoreError::Invalid(e))
        }
        (Err(e), _) | (_, Err(e)) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/rcis/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => form_page(&state, &cur, &mode(version), &input, &raw, &e, String::new()).await,
        Err(StoreError::Conflict { current }) => {
            // Someone saved in between: keep what this user typed, tell them, let them retry
            // from the version now saved.
            let notice = cur.tr.t("err-conflict");
            let mut res = form_page(&state, &cur, &mode(current.to_string()), &input, &raw, &Invalid::default(), notice).await?;
            *res.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    on: Option<String>,
}

#[derive(Template)]
#[template(path = "rci_show.html")]
struct ShowPage {
    l: Layout,
    id: String,
    facts: Vec<(String, String)>,
    on: String,
    resident_count: String,
    residents: Vec<(String, String, String)>,
    can_close: bool,
    closed_on: String,
    lines: String,
    notice: String,
    notice_is_error: bool,
    t: super::rci_transition::TransitionView,
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let on = q.on.as_deref().and_then(krousar_domain::child::parse_date).unwrap_or_else(|| cur.actor.today());
    show_rci(&state, &cur, id, on, Cohort::default()).await
}

/// What the closing form shows after a submission (or a notice from another form of the page).
#[derive(Default)]
pub(super) struct Cohort {
    pub closed_on: String,
    pub lines: String,
    pub notice: String,
    pub error: bool,
}

pub(super) async fn show_rci(
    state: &AppState,
    cur: &crate::auth::Current,
    id: uuid::Uuid,
    on: chrono::NaiveDate,
    cohort: Cohort,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let r = state.store.rci(&cur.actor, id).await?;
    let count = state.store.residents_on(&cur.actor, id, on).await?;
    let residents: Vec<(String, String, String)> = state
        .store
        .visible_residents_on(&cur.actor, id, on)
        .await?
        .into_iter()
        .map(|(cid, num, name)| (cid.to_string(), num, name))
        .collect();
    let place = match &r.fields.village_code {
        Some(c) => state.store.location_path(c).await.ok().map(|p| p.label(tr.is_km())).unwrap_or_default(),
        None => String::new(),
    };
    let facts = vec![
        (tr.t("field-rci-type"), tr.t(&r.fields.rci_type.label_key())),
        (tr.t("field-address"), place),
        (tr.t("field-capacity"), r.fields.capacity.map(|c| tr.num(c)).unwrap_or_default()),
        (tr.t("field-registration"), tr.t(&r.fields.registration_status.label_key())),
        (tr.t("field-note"), r.fields.note.clone().unwrap_or_default()),
        (tr.t("field-rci-partner"), super::rci_partner::name(state, cur, r.partner_org_id).await?),
    ];
    Ok(render(ShowPage {
        l: Layout::new(cur, r.fields.name.clone(), "/rcis"),
        id: id.to_string(),
        facts,
        on: on.to_string(),
        // Hidden for whoever may not count them: only the children they may open are named.
        resident_count: match count {
            Some(n) => tr.tn("msg-residents-on", n),
            None => tr.t1("msg-residents-hidden", "count", tr.num(residents.len() as i64)),
        },
        residents,
        can_close: krousar_domain::policy::decide(&cur.actor, krousar_domain::Action::CreateChild, krousar_domain::policy::Target::Nothing)
            .allowed(),
        closed_on: if cohort.closed_on.is_empty() { cur.actor.today().to_string() } else { cohort.closed_on },
        lines: cohort.lines,
        notice: cohort.notice,
        notice_is_error: cohort.error,
        t: super::rci_transition::view(state, cur, &r).await?,
    }))
}

/// The RCI closes: its children leave it, new ones are registered, each gets a case.
pub async fn close(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let f = super::form::FormData(pairs);
    let (closed_on, lines) = (f.get("closed_on").unwrap_or_default(), f.get("lines").unwrap_or_default());
    let failed = |notice: String| Cohort { closed_on: closed_on.clone(), lines: lines.clone(), notice, error: true };
    let cohort = match krousar_domain::case::cohort::parse(Some(&closed_on), &lines, cur.actor.today()) {
        Ok(c) => c,
        Err(e) => {
            let bad = krousar_domain::case::cohort::parse_lines(&lines, cur.actor.today()).1;
            let mut msg: Vec<String> = e.errors.iter().map(|x| tr.t(x.code)).collect();
            if !bad.is_empty() {
                msg.push(tr.t1("msg-bad-lines", "lines", bad.iter().map(|n| tr.num(n)).collect::<Vec<_>>().join(", ")));
            }
            let page = show_rci(&state, &cur, id, cur.actor.today(), failed(msg.join(" "))).await?;
            return Ok(crate::pages::unprocessable(page));
        }
    };
    let day = cohort.closed_on;
    let r = state.store.close_rci_with_cohort(&cur.actor, id, cohort).await?;
    let notice = format!("{} {}", tr.tn("msg-cohort-registered", r.registered as i64), tr.tn("msg-cohort-opened", r.cases_opened as i64));
    show_rci(&state, &cur, id, day, Cohort { notice, ..Default::default() }).await
}
