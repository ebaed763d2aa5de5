//! One error shape for pages and one for the API. 500s are logged and never show internals.

use crate::i18n::Tr;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use krousar_domain::Invalid;
use krousar_store::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub enum AppError {
    NotFound,
    Forbidden,
    /// Forbidden, with the translation key that says why (a permission the actor lacks on a
    /// record they may know of): 403 with code `forbidden`, as every refusal by who one is.
    Refused(&'static str),
    /// The organisation requires two-step sign-in and the caller has not set it up: 403 on
    /// every route of the API until they do (`auth::second_step_gate`).
    SecondStepRequired,
    Unauthorized,
    Conflict(i64),
    Invalid(Invalid),
    BadRequest(&'static str),
    /// The device was revoked: what it carries must be wiped and nothing it sends is taken.
    DeviceRevoked,
    /// The device is someone else's, or the browser cannot prove it is the device: 403, and
    /// the app locks its copy without wiping it.
    DeviceNotYours,
    /// Asked too often: 429 with the translation key that says how often one may ask.
    TooMany(&'static str),
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Refused(key) => AppError::Refused(key),
            StoreError::Conflict { current } => AppError::Conflict(current),
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::DeviceRevoked => AppError::DeviceRevoked,
            StoreError::DeviceNotYours => AppError::DeviceNotYours,
            StoreError::TooMany(key) => AppError::TooMany(key),
            StoreError::Duplicate(_) => {
                let mut i = Invalid::default();
                i.push("username", "err-duplicate");
                AppError::Invalid(i)
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Refused(_) | AppError::SecondStepRequired => StatusCode::FORBIDDEN,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::DeviceRevoked => StatusCode::GONE,
            AppError::DeviceNotYours => StatusCode::FORBIDDEN,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Machine code (API) and translation key (pages).
    pub fn code(&self) -> (&'static str, &'static str) {
        match self {
            AppError::NotFound => ("not_found", "err-not-found"),
            AppError::Forbidden => ("forbidden", "err-forbidden"),
            AppError::Refused(key) => ("forbidden", key),
            AppError::SecondStepRequired => ("totp_required", "err-totp-setup-first"),
            AppError::Unauthorized => ("unauthorized", "err-unauthorized"),
            AppError::Conflict(_) => ("conflict", "err-conflict"),
            AppError::Invalid(_) => ("invalid", "err-invalid"),
            AppError::BadRequest(key) => ("bad_request", key),
            AppError::DeviceRevoked => ("device_revoked", "err-device-revoked"),
            AppError::DeviceNotYours => ("device_not_yours", "err-device-not-yours"),
            AppError::TooMany(key) => ("too_many_requests", key),
            AppError::Internal(_) => ("internal", "err-internal"),
        }
    }

    fn log(&self) {
        if let AppError::Internal(msg) = self {
            tracing::error!(%msg, "internal error");
        }
    }
}

/// An error on a page. A handler only says what went wrong (`?` on a store call, or
/// `PageError(AppError::NotFound)`); `auth::context`, the one place that knows the caller,
/// says it in their language with their menu (`localise`).
#[derive(Debug)]
pub struct PageError(pub AppError);

/// An error from the API: `{"error": {"code", "message", "fields"?, "current_version"?}}`,
/// its message in the caller's language, written by `localise` as for pages.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        PageError(e.into())
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError(e.into())
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e)
    }
}

/// The API's error answer: `{"error": {"code", "message", "fields"?, "current_version"?}}`.
/// `localise` writes exactly this type, and the API description shows it, so the two agree.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// What went wrong, for programs (stable; the message is for people).
    #[schema(schema_with = error_codes)]
    pub code: &'static str,
    /// The same in the caller's language (Khmer or English).
    pub message: String,
    /// 422 only: every field's problem at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldProblem>>,
    /// 409 only: the record's version now (send it again with the change, if still wanted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// One field's problem in a 422 answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field as the request named it (`version`, `given_name_latin`, …).
    pub field: String,
    /// The problem's code (a translation key such as `err-required`).
    pub code: &'static str,
    /// The problem in the caller's language.
    pub message: String,
}

/// Every `code` an error answer can carry: `AppError::code`'s, and `possible_duplicates` (a
/// registration that looks like someone registered already).
pub const ERROR_CODES: [&str; 12] = [
    "not_found",
    "forbidden",
    "totp_required",
    "unauthorized",
    "conflict",
    "invalid",
    "bad_request",
    "device_revoked",
    "device_not_yours",
    "too_many_requests",
    "internal",
    "possible_duplicates",
];

fn error_codes() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String).enum_values(Some(ERROR_CODES)).build()
}

/// An error on its way to be said: the response carries it until `localise` writes it.
#[derive(Clone)]
struct Unsaid {
    err: std::sync::Arc<AppError>,
    api: bool,
}

fn unsaid(err: AppError, api: bool) -> Response {
    err.log();
    let mut res = err.status().into_response();
    res.extensions_mut().insert(Unsaid { err: std::sync::Arc::new(err), api });
    res
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        unsaid(self.0, false)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        unsaid(self.0, true)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: crate::views::Layout,
    message: String,
    /// The request's id, for the user to quote (`request_id`).
    reference: String,
}

/// Write an error a handler (or an extractor) returned, in the caller's language: a page with
/// the signed-in user's menu, or the API's JSON shape. Any other response passes unchanged.
pub fn localise(mut res: Response, tr: Tr, current: Option<&crate::caller::Current>) -> Response {
    let Some(Unsaid { err, api }) = res.extensions_mut().remove::<Unsaid>() else { return res };
    // The status as the handler left it (a refused form token is a 403 of a bad request).
    let status = res.status();
    let (code, key) = err.code();
    if api {
        let fields = match &*err {
            AppError::Invalid(i) => {
                Some(i.errors.iter().map(|e| FieldProblem { field: e.field.to_string(), code: e.code, message: tr.t(e.code) }).collect())
            }
            _ => None,
        };
        let current_version = match &*err {
            AppError::Conflict(v) => Some(*v),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { code, message: tr.t(key), fields, current_version } };
        return (status, Json(body)).into_response();
    }
    let l = match current {
        Some(c) => crate::views::Layout::new(c, tr.t("page-error"), ""),
        None => crate::views::Layout::anonymous(tr, "page-error"),
    };
    let reference = crate::request_id::current().unwrap_or_default();
    let body = ErrorPage { l, message: tr.t(key), reference }.render().unwrap_or_else(|_| "error".into());
    (status, Html(body)).into_response()
}
