//! Referrals in the API: send, list (incoming and outgoing), accept / decline / withdraw.

use super::schema::{BadRequest, Created, Forbidden, Invalid, Items, NotFound, Unauthorized};
use super::{bad_id, json_body};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::Ids;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_domain::referral::ReferralInput;
use krousar_store::referrals::ReferralRow;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What the shares are: a list of codes, or one comma-separated string (as a form sends them).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Shares {
    List(Vec<String>),
    Text(String),
}

/// A referral (or transfer) of the child to another organisation. Without the family's consent
/// (`consent_by`, `consent_on`, `shares`) only a supervisor sends it, with `override_reason`.
#[derive(Deserialize, ToSchema)]
pub struct NewReferral {
    /// The receiving organisation's id (`GET /organisations`).
    to_org: Option<String>,
    /// `referral` (default) or `transfer`.
    kind: Option<String>,
    services: Option<String>,
    reason: Option<String>,
    /// `normal` (default) or `urgent`.
    urgency: Option<String>,
    /// `child`, `parent` or `guardian`.
    consent_by: Option<String>,
    #[schema(format = Date)]
    consent_on: Option<String>,
    /// What the receiver may read of the case (codes such as `identity`).
    shares: Option<Shares>,
    override_reason: Option<String>,
}

/// Send a referral.
#[utoipa::path(post, path = "/api/v1/children/{id}/referrals", tag = "referrals", params(("id" = Uuid, Path, description = "The child's id")),
    request_body = NewReferral,
    responses((status = 201, body = Created), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn send(State(state): State<AppState>, ApiUser(cur): ApiUser, Ids(id): Ids<Uuid>, body: Bytes) -> Result<Response, ApiError> {
    let v: NewReferral = json_body(&body)?;
    let shares = v.shares.map(|s| match s {
        Shares::List(codes) => codes.join(","),
        Shares::Text(s) => s,
    });
    let input = ReferralInput {
        to_org: v.to_org,
        kind: v.kind,
        services: v.services,
        reason: v.reason,
        urgency: v.urgency,
        consent_by: v.consent_by,
        consent_on: v.consent_on,
        shares,
        override_reason: v.override_reason,
    };
    let r = input.validate(cur.actor.today(), cur.actor.org_id).map_err(|e| ApiError(AppError::Invalid(e)))?;
    let rid = state.store.send_referral(&cur.actor, id, r).await?;
    Ok((StatusCode::CREATED, Json(Created { id: rid })).into_response())
}

/// The referrals the caller's organisation sent and received.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals",
    responses((status = 200, body = Items<ReferralRow>), (status = 401, response = Unauthorized), (status = 403, response = Forbidden)))]
pub async fn list(State(state): State<AppState>, ApiUser(cur): ApiUser) -> Result<Response, ApiError> {
    let items = state.store.referrals(&cur.actor, cur.tr.is_km()).await?;
    Ok(Json(Items { items }).into_response())
}

/// Why a referral is declined (required) or withdrawn; the body may be left out for accepting.
#[derive(Deserialize, ToSchema, Default)]
pub struct ReferralDecision {
    reason: Option<String>,
}

/// Accept or decline a referral received (a supervisor or manager of the receiver), or withdraw
/// one sent.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/{action}", tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id"),
        ("action" = String, Path, pattern = "^(accept|decline|withdraw)$", description = "`accept`, `decline` or `withdraw`")),
    request_body(content = Option<ReferralDecision>, description = "Optional"),
    responses((status = 204, description = "Decided"), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids((id, action)): Ids<(Uuid, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !matches!(action.as_str(), "accept" | "decline" | "withdraw") {
        return Err(bad_id());
    }
    let d: ReferralDecision = if body.is_empty() { ReferralDecision::default() } else { json_body(&body)? };
    state.store.decide_referral(&cur.actor, id, &action, d.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
