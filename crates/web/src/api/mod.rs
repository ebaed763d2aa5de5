//! The JSON API under `/api/v1`. Bearer tokens (or the page session plus `X-CSRF-Token`);
//! lists answer `{"items": [...], "next": CURSOR|null}`; errors have one shape (see `error.rs`).

mod admin;
mod carers;
mod case_forms;
mod cases;
mod children;
mod custom_forms;
mod distributions;
mod doc;
mod duplicate_scans;
mod flags;
mod form_sharing;
mod groups;
mod households;
mod indicators;
mod inquiries;
mod notifications;
mod photos;
mod places;
mod rcis;
mod record_forms;
mod referrals;
mod register_bodies;
mod registers;
mod schema;
mod sensitive;
mod sync;
mod sync_device;
mod sync_forms;
mod sync_pull;
mod sync_push;
mod sync_web_push;

use crate::error::{ApiError, AppError};
use crate::route_table::{get, post, put, RouteTable};
use crate::AppState;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;

pub fn routes() -> RouteTable<AppState> {
    RouteTable::new()
        .route("/openapi.json", get(doc::serve))
        .route("/children", get(children::list).post(children::create))
        .route("/children/{id}", get(children::get).patch(children::patch))
        .route("/children/{id}/sensitive", get(sensitive::get).put(sensitive::put))
        .route("/children/{id}/duplicates", get(children::duplicates))
        .route("/children/duplicate-check", post(children::duplicate_check))
        .route("/duplicate-scans", post(duplicate_scans::start))
        .route("/duplicate-scans/latest", get(duplicate_scans::latest))
        .route("/children/{id}/flags", get(flags::list).post(flags::raise))
        .route("/distributions", get(distributions::list).post(distributions::create))
        .route("/distributions/{id}", get(distributions::get))
        .route("/distributions/{id}/households", post(distributions::add))
        .route("/distributions/{id}/receipts", post(distributions::receipts))
        .route("/households/{id}/support", get(distributions::household_support))
        .route("/groups", get(groups::list).post(groups::create))
        .route("/groups/{id}", get(groups::get).put(groups::update))
        .route("/groups/{id}/members", post(groups::add_member))
        .route("/groups/{id}/members/{member}/leave", post(groups::leave))
        .route("/groups/{id}/sessions", post(groups::create_session))
        .route("/groups/{id}/sessions/{session}", put(groups::update_session))
        .route("/inquiries", get(inquiries::list).post(inquiries::create))
        .route("/inquiries/incoming", get(inquiries::incoming))
        .route("/inquiries/incoming/{id}", post(inquiries::answer))
        .route("/inquiries/{id}", get(inquiries::get))
        .route("/inquiries/{id}/close", post(inquiries::close))
        .route("/notifications", get(notifications::list))
        .route("/notifications/read", post(notifications::read_all))
        .route("/notifications/choices", get(notifications::choices).put(notifications::set_choices))
        .route("/notifications/{id}/read", post(notifications::read))
        .route("/children/{id}/flags/{flag}/remove", post(flags::remove))
        .route(
            "/children/{id}/photo",
            get(photos::child_photo)
                .post(photos::set_child_photo)
                .layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route(
            "/carers/{id}/photo",
            get(photos::carer_photo)
                .post(photos::set_carer_photo)
                .layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/children/{id}/case", get(cases::get))
        .route("/children/{id}/case/approvals", post(cases::request))
        .route("/children/{id}/case/approvals/{approval}", post(cases::decide))
        .route("/children/{id}/case/tasks/{task}/done", post(cases::task_done))
        .route(
            "/children/{id}/case/attachments",
            post(cases::upload).layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/children/{id}/case/attachments/{file}", get(cases::attachment))
        .route("/children/{id}/case/{form}", post(cases::record))
        .route("/children/{id}/case/custom/{form}", post(custom_forms::answer))
        .route("/children/{id}/forms", get(record_forms::child_answers))
        .route("/children/{id}/forms/{form}", post(record_forms::child_answer))
        .route("/households/{id}/forms", get(record_forms::household_answers))
        .route("/households/{id}/forms/{form}", post(record_forms::household_answer))
        .route("/carers/{id}/forms", get(record_forms::carer_answers))
        .route("/carers/{id}/forms/{form}", post(record_forms::carer_answer))
        .route("/forms", get(custom_forms::list))
        .route("/forms/shared", get(form_sharing::shared))
        .route("/forms/shared/{id}/adopt", post(form_sharing::adopt))
        .route("/forms/import", post(form_sharing::import))
        .route("/forms/{id}/definition", get(form_sharing::definition))
        .route("/forms/{id}/shared", put(form_sharing::share))
        .route("/forms/{id}/answers", get(form_sharing::answers))
        .route("/worklist", get(cases::worklist))
        .route("/children/{id}/referrals", post(referrals::send))
        .route("/referrals", get(referrals::list))
        .route("/referrals/{id}/{action}", post(referrals::decide))
        .route("/carers", get(carers::list).post(carers::create))
        .route("/carers/{id}", get(carers::get))
        .route("/carers/{id}/steps", post(carers::step))
        .route("/children/{id}/carer-matches", get(carers::matches))
        .route("/children/{id}/cash", get(registers::cash).post(registers::cash_change))
        .route("/training/report", get(registers::training_report))
        .route("/indicators", get(indicators::list))
        .route("/indicators/{code}/records", get(indicators::records))
        .route("/training/{what}", post(registers::training_add))
        .route("/training/{what}/{id}", post(registers::training_for))
        .route("/rcis/{id}/transition", get(registers::rci_transition).post(registers::rci_record))
        .route("/households", get(households::list).post(households::create))
        .route("/households/{id}", get(households::get))
        .route("/rcis", get(households::rcis).post(rcis::create))
        .route("/rcis/{id}", get(rcis::get).patch(rcis::patch))
        .route("/children/{id}/stays", get(rcis::stays).post(rcis::add_stay))
        .route("/children/{id}/stays/{stay}", put(rcis::put_stay))
        .route("/organisations", get(admin::organisations))
        .route("/teams", get(admin::teams))
        .route("/users", get(admin::users))
        .route("/users/{id}/team", put(admin::set_team))
        .route("/devices", get(admin::devices))
        .route("/devices/{id}/revoke", post(admin::revoke_device))
        .route("/locations/search", get(places::search))
        .route("/locations/children", get(places::children))
        .nest("/sync", sync_routes())
        .fallback(|| async { ApiError(AppError::NotFound) })
        .layer(axum::middleware::from_fn(json_rejections))
}

/// The offline app's calls; their bodies may come gzip-compressed (a 2G line).
fn sync_routes() -> RouteTable<AppState> {
    RouteTable::new()
        .route("/hello", get(crate::offline_app::hello))
        .route("/devices", post(sync::enrol))
        .route("/unlock", post(sync::unlock))
        .route("/rekeyed", post(sync::rekeyed))
        .route("/pull", post(sync::pull))
        .route("/push", post(sync::push))
        .route("/photos/{change}", get(sync::photo_state).put(sync::photo_part))
        .route("/photos/{change}/done", post(sync::photo_done))
        .route("/web-push", get(sync_web_push::state_of).put(sync_web_push::subscribe).delete(sync_web_push::unsubscribe))
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
}

/// A request the framework itself turned down (a query string that does not parse, a missing
/// header) gets the API's JSON error shape too, never a plain-text body.
async fn json_rejections(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let res = next.run(req).await;
    let plain = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/plain"));
    if !(res.status().is_client_error() && plain) {
        return res;
    }
    let status = res.status();
    let mut out = ApiError(AppError::BadRequest("err-bad-request")).into_response();
    *out.status_mut() = status;
    out
}

pub use doc::document;

/// Parse a JSON body ourselves so that every malformed body gets our error shape.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| bad_request("err-bad-json"))?;
    serde_json::from_str(text).map_err(|_| bad_request("err-bad-json"))
}

/// A body already read as JSON (and adjusted: `schema::numbers_as_text`), into its type; a
/// shape the type does not take is a bad request, as a malformed body is.
pub fn json_body_as<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|_| bad_request("err-bad-json"))
}

pub fn bad_request(key: &'static str) -> ApiError {
    ApiError(AppError::BadRequest(key))
}

/// A 422 naming one field and its problem.
pub fn invalid_field(field: &'static str, code: &'static str) -> ApiError {
    let mut e = krousar_domain::Invalid::default();
    e.push(field, code);
    ApiError(AppError::Invalid(e))
}

pub fn bad_id() -> ApiError {
    ApiError(AppError::NotFound)
}
