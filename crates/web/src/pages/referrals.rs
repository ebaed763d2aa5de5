//! Referring or transferring a child to another organisation, and the referrals inbox.

use super::form::FormData;
use super::render;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{local_day, options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::policy::{self, Target};
use krousar_domain::referral::{ConsentBy, ReferralInput, ReferralKind, ReferralState, Share, Urgency};
use krousar_domain::{Action, Invalid};
use krousar_store::StoreError;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "referral_form.html")]
struct ReferralPage {
    l: Layout,
    id: String,
    child_name: String,
    orgs: Vec<Opt>,
    kinds: Vec<Opt>,
    urgencies: Vec<Opt>,
    consent_by: Vec<Opt>,
    shares: Vec<Opt>,
    values: FormData,
    errors: Vec<(String, String)>,
    can_override: bool,
}

async fn form(state: &AppState, cur: &Current, id: Uuid, values: FormData, e: &Invalid) -> Result<Response, PageError> {
    let tr = cur.tr;
    let child = state.store.view_child(&cur.actor, id, "referral-form").await?;
    let chosen = values.get("to_org").unwrap_or_default();
    let mut orgs = vec![Opt { value: String::new(), label: tr.t("opt-choose"), selected: chosen.is_empty() }];
    orgs.extend(state.store.list_orgs().await?.into_iter().filter(|o| o.id != cur.actor.org_id).map(|o| Opt {
        selected: chosen == o.id.to_string(),
        value: o.id.to_string(),
        label: o.name,
    }));
    let ticked = values.all("shares");
    let page = ReferralPage {
        l: Layout::new(cur, tr.t("page-refer"), "/children"),
        id: id.to_string(),
        child_name: child.display_name(tr.is_km()),
        orgs,
        kinds: options(
            tr,
            ReferralKind::ALL,
            ReferralKind::code,
            ReferralKind::label_key,
            values.get("kind").as_deref().or(Some("referral")),
            None,
        ),
        urgencies: options(tr, Urgency::ALL, Urgency::code, Urgency::label_key, values.get("urgency").as_deref().or(Some("normal")), None),
        consent_by: options(
            tr,
            ConsentBy::ALL,
            ConsentBy::code,
            ConsentBy::label_key,
            values.get("consent_by").as_deref(),
            Some("opt-choose"),
        ),
        shares: Share::ALL
            .iter()
            .map(|s| Opt { value: s.code().into(), label: tr.t(&s.label_key()), selected: ticked.iter().any(|t| t == s.code()) })
            .collect(),
        errors: e.errors.iter().map(|x| (x.field.to_string(), tr.t(x.code))).collect(),
        values,
        can_override: policy::decide(&cur.actor, Action::OverrideConsent, Target::Organisation(cur.actor.org_id)).allowed(),
    };
    let body = render(page);
    Ok(if e.errors.is_empty() { body } else { (axum::http::StatusCode::UNPROCESSABLE_ENTITY, body).into_response() })
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let values = FormData(vec![("consent_on".into(), cur.actor.today().to_string())]);
    form(&state, &cur, id, values, &Invalid::default()).await
}

/// The form's fields as the domain's input (ticked shares joined).
pub fn input(f: &FormData) -> ReferralInput {
    ReferralInput {
        to_org: f.get("to_org"),
        kind: f.get("kind"),
        services: f.get("services"),
        reason: f.get("reason"),
        urgency: f.get("urgency"),
        consent_by: f.get("consent_by"),
        consent_on: f.get("consent_on"),
        shares: Some(f.all("shares").join(",")),
        override_reason: f.get("override_reason"),
    }
}

pub async fn send(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let partner = f.get("partner").map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let mut raw = input(&f);
    if partner.is_some() && raw.to_org.as_deref().is_none_or(str::is_empty) {
        // An organisation outside Krousar: no organisation record to send to; a referral, printed.
        raw.to_org = Some(Uuid::nil().to_string());
        raw.kind = Some("referral".into());
    }
    let r = match raw.validate(cur.actor.today(), cur.actor.org_id) {
        Ok(r) => r,
        Err(e) => return form(&state, &cur, id, f, &e).await,
    };
    let sent = match (&partner, r.to_org.is_nil()) {
        (Some(p), true) => state.store.send_external_referral(&cur.actor, id, p, r).await,
        _ => state.store.send_referral(&cur.actor, id, r).await,
    };
    match sent {
        Ok(_) => Ok(Redirect::to("/referrals").into_response()),
        Err(StoreError::Invalid(e)) => form(&state, &cur, id, f, &e).await,
        // Sending without consent is a supervisor's: the form again with why, 403.
        Err(StoreError::Refused(key)) => {
            let mut e = Invalid::default();
            e.push("override_reason", key);
            let mut page = form(&state, &cur, id, f, &e).await?;
            *page.status_mut() = axum::http::StatusCode::FORBIDDEN;
            Ok(page)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub struct RowView {
    can_act: bool,
    pub id: String,
    pub child: String,
    pub child_href: String,
    pub what: String,
    pub state: String,
    pub pending: bool,
    pub sent: String,
    pub services: String,
    pub reason: String,
    pub consent: String,
    pub decision: String,
}

pub struct ExternalView {
    pub id: String,
    pub partner: String,
    pub child_href: String,
    pub services: String,
    pub sent: String,
    pub outcome: String,
}

pub struct MatchView {
    pub id: String,
    pub incoming: bool,
    pub org: String,
    pub children: Vec<(String, String)>,
    pub message: String,
    pub answer: String,
    pub asked: String,
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct InboxPage {
    l: Layout,
    incoming: Vec<RowView>,
    outgoing: Vec<RowView>,
    matches: Vec<MatchView>,
    external: Vec<ExternalView>,
    can_answer: bool,
    notice: String,
}

async fn inbox_page(state: &AppState, cur: &Current, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let rows = state.store.referrals(&cur.actor, tr.is_km()).await?;
    let (mut incoming, mut outgoing) = (Vec::new(), Vec::new());
    for r in rows {
        let other = if r.incoming { tr.t1("msg-referral-from", "org", &r.from_org) } else { tr.t1("msg-referral-to", "org", &r.to_org) };
        let consent = match &r.body.consent {
            Some(c) => {
                tr.t1("msg-consent-by", "who", tr.t(&c.by.label_key()))
                    + ": "
                    + &c.shares.iter().map(|s| tr.t(&s.label_key())).collect::<Vec<_>>().join(", ")
            }
            None => tr.t1("msg-consent-override", "reason", r.body.override_reason.clone().unwrap_or_default()),
        };
        let view = RowView {
            id: r.id.to_string(),
            child: match (&r.child_name, &r.case_number) {
                (Some(n), Some(c)) => format!("{n} · {c}"),
                _ => tr.t("msg-child-not-named"),
            },
            child_href: if r.child_name.is_some() && (!r.incoming || r.state == ReferralState::Accepted) {
                format!("/children/{}", r.child_id)
            } else {
                String::new()
            },
            what: format!("{} · {} · {}", tr.t(&r.kind.label_key()), other, tr.t(&r.body.urgency.label_key())),
            state: tr.t(&r.state.label_key()),
            pending: r.state == ReferralState::Pending,
            sent: local_day(&r.sent_at).map(|d| tr.date(d)).unwrap_or_default(),
            services: r.body.services.clone(),
            reason: r.body.reason.clone(),
            consent,
            decision: r.decision_reason.clone().unwrap_or_default(),
            // The policy says, for this referral, whether this reader may decide (incoming)
            // or withdraw (outgoing).
            can_act: policy::decide(
                &cur.actor,
                if r.incoming { Action::DecideReferral } else { Action::WithdrawReferral },
                Target::Referral(r.parties),
            )
            .allowed(),
        };
        if r.incoming {
            incoming.push(view);
        } else {
            outgoing.push(view);
        }
    }
    let matches = state
        .store
        .match_requests(&cur.actor, tr.is_km())
        .await?
        .into_iter()
        .map(|m| MatchView {
            id: m.id.to_string(),
            incoming: m.incoming,
            org: if m.incoming { tr.t1("msg-referral-from", "org", &m.other_org) } else { tr.t1("msg-referral-to", "org", &m.other_org) },
            children: m.child.into_iter().chain(m.targets).map(|(id, name)| (format!("/children/{id}"), name)).collect(),
            message: m.message.unwrap_or_default(),
            answer: m.answer.unwrap_or_default(),
            asked: local_day(&m.asked_at).map(|d| tr.date(d)).unwrap_or_default(),
        })
        .collect();
    let external = state
        .store
        .external_referrals(&cur.actor)
        .await?
        .into_iter()
        .map(|e| ExternalView {
            id: e.id.to_string(),
            partner: e.partner,
            child_href: format!("/children/{}", e.child_id),
            services: e.body.services,
            sent: local_day(&e.sent_at).map(|d| tr.date(d)).unwrap_or_default(),
            outcome: e.outcome.unwrap_or_default(),
        })
        .collect();
    Ok(render(InboxPage {
        external,
        l: Layout::new(cur, tr.t("page-referrals"), "/referrals"),
        incoming,
        outgoing,
        matches,
        can_answer: policy::decide(&cur.actor, Action::AnswerMatch, Target::Organisation(cur.actor.org_id)).allowed(),
        notice,
    }))
}

pub async fn inbox(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    inbox_page(&state, &cur, String::new()).await
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, action)): Ids<(uuid::Uuid, String)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    if !matches!(action.as_str(), "accept" | "decline" | "withdraw") {
        return Err(PageError(AppError::NotFound));
    }
    let f = FormData(pairs);
    let r = state.store.decide_referral(&cur.actor, id, &action, f.get("reason").as_deref()).await;
    back_to_inbox(&state, &cur, r).await
}

pub async fn answer_match(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let r = state.store.answer_match(&cur.actor, id, &f.get("answer").unwrap_or_default()).await;
    back_to_inbox(&state, &cur, r).await
}

pub async fn external_outcome(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let r = state.store.record_external_outcome(&cur.actor, id, &f.get("outcome").unwrap_or_default()).await;
    back_to_inbox(&state, &cur, r).await
}

/// After a decision on the inbox: back to it, or the inbox again with what was refused (422).
async fn back_to_inbox(state: &AppState, cur: &Current, r: Result<(), StoreError>) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to("/referrals").into_response()),
        Err(StoreError::Invalid(e)) => {
            let page = inbox_page(state, cur, crate::pages::notice_of(cur, &e)).await?;
            Ok(crate::pages::unprocessable(page))
        }
        // Not the actor's to decide (a worker, the other party): the inbox with why, 403.
        Err(StoreError::Refused(key)) => {
            let page = inbox_page(state, cur, cur.tr.t(key)).await?;
            Ok(crate::pages::refused(page))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
