//! The transition part of an RCI's page: its stage and history, the latest inspection against
//! the Minimum Standards and staff count, the children who left with where their cases stand,
//! and the forms to record a stage change, an inspection and staff.

use super::form::FormData;
use super::rcis::{show_rci, Cohort};
use crate::auth::{Current, PageUser};
use crate::error::PageError;
use crate::extract::Ids;
use crate::views::{options, Opt};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::rci_transition::{self as rt, TransitionStage, STANDARDS};
use krousar_store::rcis::Rci;
use krousar_store::StoreError;

#[derive(Default)]
pub struct TransitionView {
    pub stage: String,
    pub since: String,
    pub can_edit: bool,
    pub stages: Vec<Opt>,
    /// (code, label) of each Minimum Standard.
    pub standards: Vec<(String, String)>,
    pub latest_inspection: String,
    pub latest_staff: String,
    /// (date, what, detail, who), newest first.
    pub history: Vec<(String, String, String, String)>,
    /// (child id, case number · name, left on, case stage).
    pub discharged: Vec<(String, String, String, String)>,
    pub discharged_hidden: String,
    pub today: String,
    /// (href, kind, file name, date) of the plan, surveys and evaluations.
    pub documents: Vec<(String, String, String, String)>,
    pub doc_kinds: Vec<Opt>,
}

pub async fn view(state: &AppState, cur: &Current, r: &Rci) -> Result<TransitionView, PageError> {
    let tr = cur.tr;
    let events = state.store.rci_events(r.id).await?;
    let describe = |e: &krousar_store::rci_transition::RciEvent| -> String {
        let b = &e.body;
        match e.kind.as_str() {
            "stage" => {
                let stage = b["stage"].as_str().map(|s| tr.t(&format!("opt-rci-stage-{s}"))).unwrap_or_default();
                [stage, b["note"].as_str().unwrap_or("").to_string()]
                    .iter()
                    .filter(|x| !x.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" · ")
            }
            "inspection" => tr.t2(
                "msg-inspection-score",
                ("percent", tr.num(b["percent"].as_i64().unwrap_or(0))),
                ("who", b["inspector"].as_str().unwrap_or("").to_string()),
            ),
            "staff" => tr.t2(
                "msg-staff-count",
                (
                    "total",
                    tr.t2(
                        "msg-count-female",
                        ("total", tr.num(b["total"].as_i64().unwrap_or(0))),
                        ("female", tr.num(b["female"].as_i64().unwrap_or(0))),
                    ),
                ),
                ("psw", tr.num(b["para_social_workers"].as_i64().unwrap_or(0))),
            ),
            _ => String::new(),
        }
    };
    let latest = |kind: &str| {
        events.iter().find(|e| e.kind == kind).map(|e| format!("{} · {}", describe(e), tr.day(&e.on))).unwrap_or_else(|| "—".into())
    };
    let (shown, hidden) = state.store.rci_discharged(&cur.actor, r.id).await?;
    Ok(TransitionView {
        stage: tr.t(&r.transition_stage.label_key()),
        since: r.stage_since.as_deref().map(|d| tr.day(d)).unwrap_or_default(),
        can_edit: state.store.may_edit_rci(&cur.actor, r.id).await?,
        stages: options(tr, TransitionStage::ALL, TransitionStage::code, TransitionStage::label_key, None, None)
            .into_iter()
            .filter(|o| rt::may_move(r.transition_stage, TransitionStage::parse(&o.value).expect("listed")).is_ok())
            .collect(),
        standards: STANDARDS.iter().map(|s| (s.to_string(), tr.t(&format!("standard-{}", s.replace('_', "-"))))).collect(),
        latest_inspection: latest("inspection"),
        latest_staff: latest("staff"),
        history: events
            .iter()
            .map(|e| (tr.day(&e.on), tr.t(&format!("rci-event-{}", e.kind)), describe(e), e.recorded_by.clone()))
            .collect(),
        discharged: shown
            .into_iter()
            .map(|d| {
                let stage = d.case_stage.map(|s| tr.t(&format!("opt-stage-{s}"))).unwrap_or_else(|| tr.t("msg-no-case"));
                (d.child_id.to_string(), format!("{} · {}", d.case_number, d.name), tr.day(&d.left_on), stage)
            })
            .collect(),
        discharged_hidden: match hidden {
            Some(0) => String::new(),
            Some(n) => tr.tn("msg-discharged-hidden", n),
            None => tr.t("msg-discharged-others-hidden"),
        },
        today: cur.actor.today().to_string(),
        documents: state
            .store
            .rci_documents(&cur.actor, r.id)
            .await?
            .into_iter()
            .map(|d| {
                (
                    format!("/rcis/{}/documents/{}", r.id, d.id),
                    tr.t(&d.kind.label_key()),
                    d.file_name,
                    d.created_at.chars().take(10).collect(),
                )
            })
            .collect(),
        doc_kinds: options(tr, rt::DocKind::ALL, rt::DocKind::code, rt::DocKind::label_key, Some("plan"), None),
    })
}

async fn done(state: &AppState, cur: &Current, id: uuid::Uuid, r: Result<(), StoreError>) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/rcis/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let notice = super::notice_of(cur, &e);
            let mut res = show_rci(state, cur, id, cur.actor.today(), Cohort { notice, error: true, ..Default::default() }).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// `POST /rcis/{id}/{stage|inspections|staff}` from the RCI's page.
pub async fn post(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, what)): Ids<(uuid::Uuid, String)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let what = match what.as_str() {
        "stage" => "stage",
        "inspections" => "inspection",
        "staff" => "staff",
        _ => return Err(PageError(crate::error::AppError::NotFound)),
    };
    let r = crate::commands::rci_transition::record(&state.store, &cur.actor, id, what, &FormData(pairs)).await;
    done(&state, &cur, id, r).await
}

/// Attach the plan, a survey or an evaluation to the RCI (a multipart form).
pub async fn add_document(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let r = match crate::files::read_upload(mp).await {
        Ok(up) => match up.kind.as_deref().and_then(rt::DocKind::parse) {
            Some(kind) => state.store.add_rci_document(&cur.actor, id, kind, &up.file_name, &up.bytes).await.map(|_| ()),
            None => Err(StoreError::invalid("kind", "err-invalid-choice")),
        },
        Err(e) => Err(e),
    };
    done(&state, &cur, id, r).await
}

pub async fn document(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, doc)): Ids<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Response, PageError> {
    let (d, bytes) = state.store.read_rci_document(&cur.actor, id, doc).await?;
    Ok(crate::files::download(&d.file_name, &d.content_type, bytes))
}
