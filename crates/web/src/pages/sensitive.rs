//! A child's sensitive information (abuse, HIV status, disability details, health) on its own
//! page: opening it is a deliberate act that is recorded, and the child's main page never
//! carries it, so it is not on screen by accident.

use super::form::{values_of, FormData, FormView};
use super::{notice_of, render, unprocessable};
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::sensitive::{HivStatus, SensitiveInput};
use krousar_domain::Invalid;
use krousar_store::sensitive::Sensitive;
use krousar_store::StoreError;

#[derive(Template)]
#[template(path = "sensitive.html")]
struct SensitivePage {
    l: Layout,
    id: String,
    version: String,
    notice: String,
    editable: bool,
    saved: bool,
    updated: String,
    f: FormView,
    hiv: Vec<Opt>,
    /// (label, value) of what is recorded, for readers who may not change it.
    facts: Vec<(String, String)>,
}

fn input_of(raw: &FormData) -> SensitiveInput {
    SensitiveInput {
        hiv_status: raw.get("hiv_status"),
        health: raw.get("health"),
        disability_detail: raw.get("disability_detail"),
        sexual_abuse: raw.get("sexual_abuse"),
        harmful_behaviour: raw.get("harmful_behaviour"),
    }
}

fn page(cur: &crate::auth::Current, s: &Sensitive, input: &SensitiveInput, errors: &Invalid, notice: String, saved: bool) -> Response {
    let tr = cur.tr;
    let dash = || "—".to_string();
    let facts = vec![
        (tr.t("field-hiv-status"), tr.t(&s.info.hiv_status.label_key())),
        (tr.t("field-health"), s.info.health.clone().unwrap_or_else(dash)),
        (tr.t("field-disability-detail"), s.info.disability_detail.clone().unwrap_or_else(dash)),
        (tr.t("field-sexual-abuse"), s.info.sexual_abuse.clone().unwrap_or_else(dash)),
        (tr.t("field-harmful-behaviour"), s.info.harmful_behaviour.clone().unwrap_or_else(dash)),
    ];
    let updated = match (&s.updated_at, &s.updated_by) {
        (Some(at), by) => tr.t2(
            "msg-sensitive-updated",
            ("when", crate::views::local_day(at).map(|d| tr.date(d)).unwrap_or_default()),
            ("who", by.clone().unwrap_or_else(dash)),
        ),
        _ => tr.t("msg-sensitive-none"),
    };
    render(SensitivePage {
        l: Layout::new(cur, tr.t("page-sensitive"), "/children"),
        id: s.child_id.to_string(),
        version: s.version.to_string(),
        notice,
        editable: s.editable,
        saved,
        updated,
        f: FormView::new(values_of(input), errors, tr),
        hiv: options(tr, HivStatus::ALL, HivStatus::code, HivStatus::label_key, input.hiv_status.as_deref().or(Some("unknown")), None),
        facts,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let s = state.store.view_sensitive(&cur.actor, id, "page").await?;
    let saved = query.as_deref() == Some("saved=1");
    Ok(page(&cur, &s, &s.info.to_input(), &Invalid::default(), String::new(), saved))
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    let input = input_of(&raw);
    let Some(expected) = raw.get("version").and_then(|v| v.parse::<i64>().ok()) else {
        return Err(PageError(AppError::BadRequest("err-invalid")));
    };
    let info = match input.validate() {
        Ok(info) => info,
        Err(e) => {
            // Shown again as typed; reading the current record again is itself audited.
            let s = state.store.view_sensitive(&cur.actor, id, "form-invalid").await?;
            return Ok(unprocessable(page(&cur, &s, &input, &e, notice_of(&cur, &e), false)));
        }
    };
    match state.store.update_sensitive(&cur.actor, id, expected, info).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/sensitive?saved=1")).into_response()),
        Err(StoreError::Conflict { .. }) => {
            let s = state.store.view_sensitive(&cur.actor, id, "form-conflict").await?;
            let mut res = page(&cur, &s, &input, &Invalid::default(), cur.tr.t("err-conflict"), false);
            *res.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}
