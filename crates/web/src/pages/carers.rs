//! The carer register's pages: the list with stages and overdue steps, a new enquiry, and one
//! carer's record with its history and the forms for the next steps.

use super::form::{values_of, FormData, FormView};
use super::place::{self, PlacePicker};
use super::{notice_of, render, unprocessable};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::carer::steps::{CheckKind, CheckResult, PanelDecision, Recommendation, ReviewOutcome, StepKind};
use krousar_domain::carer::{CareType, CarerInput, CarerKind, CarerStage, SexPreference, StepInput};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::carers::Carer;
use krousar_store::StoreError;
use serde::Deserialize;

pub struct CarerRow {
    pub href: String,
    pub name: String,
    pub kind: String,
    pub stage: String,
    pub worker: String,
    pub due: String,
    pub overdue: bool,
    pub room: String,
}

#[derive(Template)]
#[template(path = "carers_list.html")]
struct ListPage {
    l: Layout,
    /// How many carers are at each stage (all carers, whatever the filter), and with children.
    summary: Vec<(String, String)>,
    rows: Vec<CarerRow>,
    stages: Vec<Opt>,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    stage: Option<String>,
}

fn row(cur: &Current, c: &Carer) -> CarerRow {
    let tr = cur.tr;
    CarerRow {
        href: format!("/carers/{}", c.id),
        name: c.name.clone(),
        kind: tr.t(&c.kind.label_key()),
        stage: tr.t(&c.stage.label_key()),
        worker: c.worker_name.clone(),
        due: match (c.next_due_on, c.next_due_what) {
            (Some(d), Some(what)) => format!("{} · {}", tr.t(what), tr.date(d)),
            _ => String::new(),
        },
        overdue: c.overdue,
        room: if c.facts.approval.is_some() { tr.num(c.room) } else { String::new() },
    }
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let wanted = q.stage.as_deref().and_then(CarerStage::parse);
    let carers = state.store.carers(&cur.actor).await?;
    let rows = carers
        .iter()
        .filter(|c| wanted.is_none_or(|s| c.stage == s) || (q.stage.as_deref() == Some("overdue") && c.overdue))
        .map(|c| row(&cur, c))
        .collect();
    let mut summary: Vec<(String, String)> = CarerStage::ALL
        .iter()
        .map(|s| (tr.t(&s.label_key()), carers.iter().filter(|c| c.stage == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| (label, tr.num(n)))
        .collect();
    summary.push((tr.t("field-with-children"), tr.num(carers.iter().filter(|c| c.placed > 0).count())));
    let mut stages = vec![Opt { value: String::new(), label: tr.t("opt-all"), selected: q.stage.is_none() }];
    stages.push(Opt { value: "overdue".into(), label: tr.t("opt-overdue"), selected: q.stage.as_deref() == Some("overdue") });
    stages.extend(options(tr, CarerStage::ALL, CarerStage::code, CarerStage::label_key, q.stage.as_deref(), None));
    Ok(render(ListPage {
        l: Layout::new(&cur, tr.t("page-carers"), "/carers"),
        summary,
        rows,
        stages,
        can_edit: decide(&cur.actor, Action::EditCarer, Target::Organisation(cur.actor.org_id)).allowed(),
    }))
}

#[derive(Template)]
#[template(path = "carer_form.html")]
struct FormPage {
    l: Layout,
    notice: String,
    f: FormView,
    kinds: Vec<Opt>,
    campaigns: Vec<Opt>,
    place: PlacePicker,
}

fn input_of(f: &FormData) -> CarerInput {
    CarerInput {
        name: f.get("name"),
        kind: f.get("kind"),
        phone: f.get("phone"),
        village_code: place::chosen_village(f),
        campaign_id: f.get("campaign_id"),
        source: f.get("source"),
        enquired_on: f.get("enquired_on"),
        languages: f.get("languages"),
        disability_skills: f.get("disability_skills"),
        note: f.get("note"),
    }
}

async fn form_page(
    state: &AppState,
    cur: &Current,
    input: &CarerInput,
    raw: &FormData,
    errors: &Invalid,
    notice: String,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let place_err = crate::views::field_error(tr, errors, "village_code");
    let place = place::build(&state.store, tr, raw, input.village_code.as_deref(), place_err).await?;
    let mut campaigns = vec![Opt { value: String::new(), label: tr.t("opt-none"), selected: input.campaign_id.is_none() }];
    campaigns.extend(state.store.campaigns(&cur.actor).await?.into_iter().map(|c| Opt {
        selected: input.campaign_id.as_deref() == Some(&c.id.to_string()),
        value: c.id.to_string(),
        label: format!("{} · {}", tr.day(&c.held_on), c.place),
    }));
    let mut values = values_of(input);
    if input.enquired_on.is_none() {
        values.push(("enquired_on".into(), cur.actor.today().to_string()));
    }
    Ok(render(FormPage {
        l: Layout::new(cur, tr.t("page-new-carer"), "/carers"),
        notice,
        f: FormView::new(values, errors, tr),
        kinds: options(tr, CarerKind::ALL, CarerKind::code, CarerKind::label_key, input.kind.as_deref().or(Some("foster")), None),
        campaigns,
        place,
    }))
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    if !decide(&cur.actor, Action::EditCarer, Target::Organisation(cur.actor.org_id)).allowed() {
        return Err(PageError(AppError::Forbidden));
    }
    form_page(&state, &cur, &CarerInput::default(), &FormData::default(), &Invalid::default(), String::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    let input = input_of(&raw);
    if place::is_lookup(&raw) {
        return form_page(&state, &cur, &input, &raw, &Invalid::default(), String::new()).await;
    }
    let fields = match input.validate(cur.actor.today()) {
        Ok(f) => f,
        Err(e) => return Ok(unprocessable(form_page(&state, &cur, &input, &raw, &e, notice_of(&cur, &e)).await?)),
    };
    match state.store.register_carer(&cur.actor, fields).await {
        Ok(c) => Ok(Redirect::to(&format!("/carers/{}", c.id)).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(form_page(&state, &cur, &input, &raw, &e, notice_of(&cur, &e)).await?)),
        Err(e) => Err(PageError::from(e)),
    }
}

pub struct EntryView {
    pub on: String,
    pub what: String,
    pub detail: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "carer_show.html")]
struct ShowPage {
    l: Layout,
    own_forms: Option<Vec<super::forms::record::RecordForm>>,
    id: String,
    version: String,
    notice: String,
    facts: Vec<(String, String)>,
    overdue: bool,
    entries: Vec<EntryView>,
    /// The steps this person may record at this stage.
    steps: Vec<(String, String)>,
    /// The step whose form is shown (empty: none).
    code: String,
    step_label: String,
    f: FormView,
    opts: StepOptions,
    /// Sessions of the training register a carer's training may come from.
    sessions: Vec<Opt>,
    /// Workers the carer may be given to (for supervisors and managers; empty otherwise).
    workers: Vec<Opt>,
    photo: Option<super::photos::PhotoBox>,
}

/// The choices the step forms offer.
pub struct StepOptions {
    pub checks: Vec<Opt>,
    pub results: Vec<Opt>,
    pub recommendations: Vec<Opt>,
    pub decisions: Vec<Opt>,
    pub sexes: Vec<Opt>,
    pub care_types: Vec<Opt>,
    pub outcomes: Vec<Opt>,
}

fn step_options(cur: &Current) -> StepOptions {
    let tr = cur.tr;
    StepOptions {
        checks: options(tr, CheckKind::ALL, CheckKind::code, CheckKind::label_key, None, None),
        results: options(tr, CheckResult::ALL, CheckResult::code, CheckResult::label_key, None, None),
        recommendations: options(tr, Recommendation::ALL, Recommendation::code, Recommendation::label_key, None, None),
        decisions: options(tr, PanelDecision::ALL, PanelDecision::code, PanelDecision::label_key, None, None),
        sexes: options(tr, SexPreference::ALL, SexPreference::code, SexPreference::label_key, Some("any"), None),
        care_types: options(tr, CareType::ALL, CareType::code, CareType::label_key, None, None),
        outcomes: options(tr, ReviewOutcome::ALL, ReviewOutcome::code, ReviewOutcome::label_key, None, None),
    }
}

/// Which step forms to offer: those that make sense at the carer's stage and that this person
/// may record (the store checks again).
fn offered(cur: &Current, c: &Carer) -> Vec<StepKind> {
    let decides = decide(&cur.actor, Action::DecideCarer, Target::Organisation(cur.actor.org_id)).allowed();
    let edits = decide(&cur.actor, Action::EditCarer, Target::Organisation(cur.actor.org_id)).allowed();
    use StepKind::*;
    let kinds: &[StepKind] = match c.stage {
        CarerStage::Deregistered => &[],
        CarerStage::Enquiry | CarerStage::Assessment | CarerStage::AwaitingPanel | CarerStage::Declined => {
            &[FollowUp, HomeVisit, Reference, Check, Assessment, Training, Panel, Deregister]
        }
        CarerStage::Suspended => &[HomeVisit, Review, Reinstate, Deregister],
        CarerStage::Approved | CarerStage::Available => &[Availability, SupportVisit, Training, Review, Suspend, Deregister],
    };
    kinds.iter().copied().filter(|k| if matches!(k, Panel | Suspend | Reinstate | Deregister) { decides } else { edits }).collect()
}

/// The organisation's training sessions held so far (none if the person may not read the
/// training register: the course is then typed).
async fn training_sessions(state: &AppState, cur: &Current) -> Vec<Opt> {
    let mut out = vec![Opt { value: String::new(), label: cur.tr.t("opt-course-by-hand"), selected: true }];
    if let Ok(sessions) = state.store.training_sessions(&cur.actor).await {
        out.extend(sessions.into_iter().filter(|s| s.session.starts_on <= cur.actor.today()).map(|s| Opt {
            value: s.id.to_string(),
            label: format!("{} · {}", s.course_title, cur.tr.date(s.session.starts_on)),
            selected: false,
        }));
    }
    out
}

fn describe(cur: &Current, e: &krousar_store::carers::CarerEntry) -> String {
    let tr = cur.tr;
    let b = &e.body;
    let text = |k: &str| b.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let opt = |list: &str, k: &str| {
        let code = text(k);
        if code.is_empty() {
            String::new()
        } else {
            tr.t(&format!("opt-{list}-{code}"))
        }
    };
    let parts: Vec<String> = match e.kind.as_str() {
        "check" => vec![opt("carer-check", "check"), opt("check-result", "result"), text("note")],
        "reference" => vec![text("name"), opt("check-result", "result"), text("note")],
        "assessment" => vec![opt("recommendation", "recommendation"), text("motivation")],
        "training" => vec![text("course")],
        "panel" => {
            let mut p = vec![opt("panel", "decision"), text("reason")];
            if let Some(a) = b.get("approved_for").filter(|a| !a.is_null()) {
                p.push(tr.t2(
                    "msg-approved-for",
                    ("children", a["max_children"].to_string()),
                    ("ages", format!("{}–{}", a["age_min"], a["age_max"])),
                ));
            }
            p
        }
        "availability" => vec![format!("{} – {}", text("from"), text("to"))],
        "review" => vec![opt("review", "outcome"), text("note")],
        "suspend" | "deregister" => vec![text("reason")],
        "placement" => vec![opt("placement", "placement"), text("decision")],
        _ => vec![text("note")],
    };
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ")
}

pub(super) async fn show_page(
    state: &AppState,
    cur: &Current,
    id: uuid::Uuid,
    input: &StepInput,
    errors: &Invalid,
    notice: String,
) -> Result<Response, PageError> {
    let code = input.kind.clone().filter(|k| StepKind::parse(k).is_some()).unwrap_or_default();
    let tr = cur.tr;
    let (c, entries) = state.store.carer(&cur.actor, id).await?;
    let dash = || "—".to_string();
    let mut facts = vec![
        (tr.t("field-carer-kind"), tr.t(&c.kind.label_key())),
        (tr.t("field-stage"), tr.t(&c.stage.label_key())),
        (tr.t("field-worker"), c.worker_name.clone()),
        (tr.t("field-phone"), c.phone.clone().unwrap_or_else(dash)),
        (tr.t("field-languages"), if c.languages.is_empty() { dash() } else { c.languages.join(", ") }),
        (tr.t("field-disability-skills"), tr.t(if c.disability_skills { "msg-yes" } else { "msg-no" })),
    ];
    if let Some(a) = &c.facts.approval {
        facts.push((
            tr.t("field-approved-for"),
            tr.t2("msg-approved-for", ("children", a.max_children.to_string()), ("ages", format!("{}–{}", a.age_min, a.age_max))),
        ));
        facts.push((tr.t("field-room"), tr.num(c.room)));
    }
    if let (Some(d), Some(what)) = (c.next_due_on, c.next_due_what) {
        facts.push((tr.t("field-next-due"), format!("{} · {}", tr.t(what), tr.date(d))));
    }
    let entries = entries
        .iter()
        .map(|e| EntryView {
            on: tr.day(&e.on),
            what: tr.t(&format!("opt-carer-step-{}", e.kind)),
            detail: describe(cur, e),
            by: e.recorded_by.clone(),
        })
        .collect();
    let mut values = values_of(input);
    values.push(("on".into(), input.on.clone().unwrap_or_else(|| cur.actor.today().to_string())));
    let photo = super::photos::PhotoBox {
        base: format!("/carers/{}", c.id),
        has_photo: !state.store.with_photos("carer", &[c.id]).await?.is_empty(),
        can_change: decide(&cur.actor, Action::EditCarer, Target::Organisation(cur.actor.org_id)).allowed(),
        alt: tr.t1("msg-photo-of", "name", &c.name),
    };
    let can_edit = decide(&cur.actor, Action::EditCarer, Target::Organisation(cur.actor.org_id)).allowed();
    let answers = state.store.carer_form_answers(&cur.actor, c.id).await?;
    let holder = krousar_store::custom_form_records::Holder::Carer(c.id);
    // The register is the organisation's own: `carer` above found it in the reader's.
    let own_forms = super::forms::record::record_forms(state, cur, holder, cur.actor.org_id, answers, can_edit).await?;
    Ok(render(ShowPage {
        own_forms,
        photo: Some(photo),
        l: Layout::new(cur, c.name.clone(), "/carers"),
        id: c.id.to_string(),
        version: c.version.to_string(),
        notice,
        facts,
        overdue: c.overdue,
        entries,
        steps: offered(cur, &c).into_iter().map(|k| (k.code().to_string(), tr.t(&k.label_key()))).collect(),
        step_label: StepKind::parse(&code).map(|k| tr.t(&k.label_key())).unwrap_or_default(),
        code,
        f: FormView::new(values, errors, tr),
        opts: step_options(cur),
        sessions: training_sessions(state, cur).await,
        workers: if decide(&cur.actor, Action::DecideCarer, Target::Organisation(cur.actor.org_id)).allowed() {
            state
                .store
                .users(Some(cur.actor.org_id))
                .await?
                .into_iter()
                .filter(|u| u.role.has_caseload() && !u.disabled)
                .map(|u| Opt { selected: u.id == c.worker_id, value: u.id.to_string(), label: u.display_name })
                .collect()
        } else {
            Vec::new()
        },
    }))
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    step: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let input = StepInput { kind: q.step, ..Default::default() };
    show_page(&state, &cur, id, &input, &Invalid::default(), String::new()).await
}

pub async fn step(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    let input = StepInput {
        kind: raw.get("kind"),
        on: raw.get("on"),
        note: raw.get("note"),
        name: raw.get("name"),
        result: raw.get("result"),
        check: raw.get("check"),
        members: raw.get("members"),
        health: raw.get("health"),
        motivation: raw.get("motivation"),
        recommendation: raw.get("recommendation"),
        course: raw.get("course"),
        session_id: raw.get("session_id"),
        decision: raw.get("decision"),
        max_children: raw.get("max_children"),
        age_min: raw.get("age_min"),
        age_max: raw.get("age_max"),
        sex: raw.get("sex"),
        care_types: raw.all("care_types"),
        from: raw.get("from"),
        to: raw.get("to"),
        outcome: raw.get("outcome"),
        reason: raw.get("reason"),
    };
    let Some(version) = raw.get("version").and_then(|v| v.parse::<i64>().ok()) else {
        return Err(PageError(AppError::BadRequest("err-invalid")));
    };
    let step = match input.validate(cur.actor.today()) {
        Ok(s) => s,
        Err(e) => return Ok(unprocessable(show_page(&state, &cur, id, &input, &e, notice_of(&cur, &e)).await?)),
    };
    match state.store.record_carer_step(&cur.actor, id, version, step).await {
        Ok(_) => Ok(Redirect::to(&format!("/carers/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(show_page(&state, &cur, id, &input, &e, notice_of(&cur, &e)).await?)),
        Err(StoreError::Conflict { .. }) => {
            let mut res = show_page(&state, &cur, id, &input, &Invalid::default(), cur.tr.t("err-conflict")).await?;
            *res.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// A supervisor gives the carer household to another worker.
pub async fn assign(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let worker = f.get("worker").and_then(|w| uuid::Uuid::parse_str(&w).ok());
    let r = match worker {
        Some(w) => state.store.assign_carer_worker(&cur.actor, id, w).await,
        None => Err(StoreError::invalid("worker", "err-required")),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/carers/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            Ok(unprocessable(show_page(&state, &cur, id, &StepInput::default(), &e, notice_of(&cur, &e)).await?))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
