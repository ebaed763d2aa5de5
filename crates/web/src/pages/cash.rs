//! Government cash support: a child's page (eligibility, application, decision, payments, what
//! is due) and the totals by province and month with the children whose payments are late.

use super::form::FormData;
use super::{notice_of, render, unprocessable};
use crate::auth::{Current, PageUser};
use crate::error::PageError;
use crate::extract::Ids;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_store::StoreError;

#[derive(Template)]
#[template(path = "cash.html")]
struct ChildCashPage {
    l: Layout,
    id: String,
    notice: String,
    eligible: bool,
    status: String,
    applied: bool,
    decided: bool,
    approved: bool,
    payments: Vec<(String, String, String, String, String)>,
    unpaid: String,
    today: String,
}

/// Riel with thousands separated ("150,000៛"), in Khmer digits for a Khmer reader.
fn money(cur: &Current, riel: u64) -> String {
    let digits = riel.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}៛", cur.tr.num(grouped))
}

async fn page(state: &AppState, cur: &Current, id: uuid::Uuid, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let v = state.store.cash_support(&cur.actor, id).await?;
    let s = &v.support;
    let status = match (&s.applied_on, &s.grant, &s.refused) {
        (_, Some(g), _) => tr.t2("msg-cash-approved", ("amount", money(cur, g.monthly_riel)), ("period", tr.period(g.from, g.to))),
        (_, None, Some(reason)) => tr.t1("msg-cash-refused", "reason", reason),
        (Some(on), None, None) => tr.t1("msg-cash-applied", "date", tr.date(*on)),
        _ if v.eligible => tr.t("msg-cash-eligible"),
        _ => tr.t("msg-cash-not-eligible"),
    };
    let (months, amount) = s.unpaid(cur.actor.today());
    Ok(render(ChildCashPage {
        l: Layout::new(cur, tr.t("page-cash"), "/children"),
        id: id.to_string(),
        notice,
        eligible: v.eligible,
        status,
        applied: s.applied_on.is_some() && s.refused.is_none(),
        decided: s.grant.is_some(),
        approved: s.grant.is_some(),
        payments: s
            .payments
            .iter()
            .map(|p| {
                (
                    tr.date(p.paid_on),
                    money(cur, p.amount_riel),
                    tr.period(p.period_from, p.period_to),
                    p.paid_to.clone(),
                    tr.t(&p.status.label_key()),
                )
            })
            .collect(),
        unpaid: if months.is_empty() {
            String::new()
        } else {
            tr.t2("msg-cash-unpaid", ("months", tr.num(months.len())), ("amount", money(cur, amount)))
        },
        today: cur.actor.today().to_string(),
    }))
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    page(&state, &cur, id, String::new()).await
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    match crate::commands::cash::change(&state.store, &cur.actor, id, &FormData(pairs)).await {
        Ok(()) => Ok(Redirect::to(&format!("/children/{id}/cash")).into_response()),
        Err(StoreError::Invalid(e)) => Ok(unprocessable(page(&state, &cur, id, notice_of(&cur, &e)).await?)),
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "cash_report.html")]
struct ReportPage {
    l: Layout,
    totals: Vec<(String, String, String, String)>,
    due: Vec<(String, String, String, String)>,
}

/// Payments by province and month over the last year, and the children whose payments are late.
pub async fn report(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let tr = cur.tr;
    let to = cur.actor.today();
    let from = to - chrono::Duration::days(365);
    let provinces: std::collections::HashMap<String, String> =
        state.store.child_locations(None).await?.into_iter().map(|p| (p.code, if tr.is_km() { p.name_km } else { p.name_latin })).collect();
    let totals = match state.store.cash_totals(&cur.actor, from, to).await {
        Ok(t) => t
            .into_iter()
            .map(|t| {
                let province = t.province_code.as_ref().and_then(|c| provinces.get(c).cloned()).unwrap_or_else(|| tr.t("msg-no-place"));
                if t.suppressed {
                    (t.month, province, tr.t("msg-hidden"), tr.t("msg-hidden"))
                } else {
                    (t.month, province, tr.num(t.children), money(&cur, t.amount_riel.max(0) as u64))
                }
            })
            .collect(),
        Err(StoreError::Forbidden) => Vec::new(),
        Err(e) => return Err(PageError::from(e)),
    };
    let due = match state.store.cash_due(&cur.actor).await {
        Ok(d) => d
            .into_iter()
            .map(|(cid, num, name, months, amount)| (cid.to_string(), format!("{num} · {name}"), tr.num(months), money(&cur, amount)))
            .collect(),
        Err(StoreError::Forbidden) => Vec::new(),
        Err(e) => return Err(PageError::from(e)),
    };
    Ok(render(ReportPage { l: Layout::new(&cur, tr.t("page-cash-report"), "/cash"), totals, due }))
}
