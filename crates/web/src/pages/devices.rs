//! Phones and laptops that carry cases offline: a user sees and revokes their own; an
//! organisation's administrator sees everyone's and revokes a lost one. A revoked device's key is
//! destroyed; at its next contact it is told so and wipes what it holds.

use super::render;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{local_day, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::policy::{decide, Target};
use krousar_domain::sync::device_expired;
use krousar_domain::Action;
use krousar_store::sync::Device;

pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub user: String,
    pub enrolled: String,
    pub last_sync: String,
    pub state: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    l: Layout,
    all: bool,
    items: Vec<DeviceView>,
}

pub(super) fn view(cur: &Current, d: Device, offline_days: u32) -> DeviceView {
    let tr = cur.tr;
    let day = |t: &str| local_day(t).map(|d| tr.date(d)).unwrap_or_default();
    let last = d.last_sync_at.as_deref().and_then(krousar_store::db::parse_time);
    let state = if d.revoked() {
        tr.t1("msg-device-revoked-on", "when", day(d.revoked_at.as_deref().unwrap_or_default()))
    } else if last.is_some_and(|t| device_expired(t, chrono::Utc::now(), offline_days)) {
        tr.t("msg-device-expired")
    } else if d.pushes {
        format!("{} · {}", tr.t("msg-device-active"), tr.t("msg-device-pushes"))
    } else {
        tr.t("msg-device-active")
    };
    DeviceView {
        id: d.id.to_string(),
        name: d.name,
        user: d.user_name,
        enrolled: day(&d.created_at),
        last_sync: d.last_sync_at.as_deref().map(day).unwrap_or_else(|| "—".into()),
        state,
        revoked: d.revoked_at.is_some(),
    }
}

async fn page(state: &AppState, cur: &Current, all: bool) -> Result<Response, PageError> {
    let devices = if all { state.store.org_devices(&cur.actor, cur.actor.org_id).await } else { state.store.my_devices(&cur.actor).await }?;
    let days = state.store.case_settings(cur.actor.org_id).await?.offline_days;
    let items = devices.into_iter().map(|d| view(cur, d, days)).collect();
    let (title, section) = if all { ("page-org-devices", "/admin/devices") } else { ("page-my-devices", "/account") };
    Ok(render(DevicesPage { l: Layout::new(cur, cur.tr.t(title), section), all, items }))
}

pub async fn mine(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    page(&state, &cur, false).await
}

pub async fn org(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    if !decide(&cur.actor, Action::ManageDevices, Target::Organisation(cur.actor.org_id)).allowed() {
        return Err(PageError(AppError::Forbidden));
    }
    page(&state, &cur, true).await
}

pub async fn revoke(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(f): crate::extract::Posted,
) -> Result<Response, PageError> {
    let d = state.store.revoke_device(&cur.actor, id).await?;
    // Revoked from a user's admin page: back there (only that shape of address is followed).
    let to_user = f
        .iter()
        .find(|(k, _)| k == "back")
        .and_then(|(_, v)| v.strip_prefix("/admin/users/"))
        .and_then(|u| uuid::Uuid::parse_str(u).ok())
        .map(|u| format!("/admin/users/{u}"));
    let back = match to_user {
        Some(page) => page,
        None if d.user_id == cur.user.id => "/account/devices".into(),
        None => "/admin/devices".into(),
    };
    Ok(Redirect::to(&back).into_response())
}
