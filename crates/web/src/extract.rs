//! Typed path parameters. `Ids<Uuid>` or `Ids<(Uuid, String)>` reads a route's parameters
//! into their types; one that does not parse (an id that is no UUID) is "not found", said in
//! the caller's language like every other error (`error::localise`), on pages and in the API.

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
