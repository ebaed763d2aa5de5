//! Extractors of our own. `Ids<Uuid>` or `Ids<(Uuid, String)>` reads a route's parameters
//! into their types; one that does not parse (an id that is no UUID) is "not found", said in
//! the caller's language like every other error (`error::localise`), on pages and in the API.
//! `Posted` is a page form's fields, as the middleware read them to check its CSRF token: the
//! form is parsed once.

use crate::error::{ApiError, AppError, PageError};
use axum::extract::{FromRequestParts, OriginalUri, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

pub struct Ids<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Ids<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(Ids(t)),
            Err(_) => {
                // A nested router (the API) sees its path without the prefix: ask the original.
                let api = parts.extensions.get::<OriginalUri>().map_or(parts.uri.path(), |u| u.0.path()).starts_with("/api/");
                Err(if api { ApiError(AppError::NotFound).into_response() } else { PageError(AppError::NotFound).into_response() })
            }
        }
    }
}

/// A posted page form's fields, in order, left by the `context` middleware.
#[derive(Clone)]
pub struct PostedPairs(pub Vec<(String, String)>);

pub struct Posted(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Posted {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Absent: the body was no URL-encoded form (nothing a page of ours sends).
        match parts.extensions.remove::<PostedPairs>() {
            Some(PostedPairs(pairs)) => Ok(Posted(pairs)),
            None => Err(PageError(AppError::BadRequest("err-bad-form")).into_response()),
        }
    }
}
