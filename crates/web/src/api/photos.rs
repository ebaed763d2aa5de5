//! `GET|POST /children/{id}/photo` and `/carers/{id}/photo`: a profile photo, made safe and
//! kept by the store (`krousar_store::photos`), seen only by who may see it; the full size is
//! audited.

use super::schema::{BadRequest, Forbidden, Invalid, NotFound, Unauthorized};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::Ids;
use crate::pages::photos::{image_response, SizeQuery};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use krousar_store::photos::PhotoOf;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A photo to keep, as a form upload.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the multipart body for the API description
pub struct PhotoUpload {
    /// A JPEG, PNG or WebP picture, at most 8 MB and 12,000 pixels a side.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// `size=small`: the 160-pixel copy (not audited); otherwise the 1024-pixel one (audited).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SizeParam {
    size: Option<String>,
}

/// The photo kept.
#[derive(Serialize, ToSchema)]
pub struct PhotoKept {
    id: Uuid,
}

/// A child's profile photo (JPEG).
#[utoipa::path(get, path = "/api/v1/children/{id}/photo", tag = "children", params(("id" = Uuid, Path, description = "The child's id"), SizeParam),
    responses((status = 200, description = "The photo", content_type = "image/jpeg", body = Vec<u8>), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn child_photo(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<SizeQuery>,
) -> Result<Response, ApiError> {
    Ok(image_response(state.store.photo(&cur.actor, PhotoOf::Child(id), q.size()).await?))
}

/// Take a new profile photo of a child: turned upright, shrunk, stripped of its metadata.
#[utoipa::path(post, path = "/api/v1/children/{id}/photo", tag = "children", params(("id" = Uuid, Path, description = "The child's id")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = PhotoKept), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn set_child_photo(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let up = crate::files::read_upload(mp).await?;
    let id = state.store.set_photo(&cur.actor, PhotoOf::Child(id), &up.bytes).await?;
    Ok((StatusCode::CREATED, Json(PhotoKept { id })).into_response())
}

/// A carer household's photo (JPEG), for its own organisation.
#[utoipa::path(get, path = "/api/v1/carers/{id}/photo", tag = "carers", params(("id" = Uuid, Path, description = "The carer's id"), SizeParam),
    responses((status = 200, description = "The photo", content_type = "image/jpeg", body = Vec<u8>), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn carer_photo(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<SizeQuery>,
) -> Result<Response, ApiError> {
    Ok(image_response(state.store.photo(&cur.actor, PhotoOf::Carer(id), q.size()).await?))
}

/// Take a new photo of a carer household.
#[utoipa::path(post, path = "/api/v1/carers/{id}/photo", tag = "carers", params(("id" = Uuid, Path, description = "The carer's id")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = PhotoKept), (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn set_carer_photo(
    State(state): State<AppState>,
    ApiUser(cur): ApiUser,
    Ids(id): Ids<Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let up = crate::files::read_upload(mp).await?;
    let id = state.store.set_photo(&cur.actor, PhotoOf::Carer(id), &up.bytes).await?;
    Ok((StatusCode::CREATED, Json(PhotoKept { id })).into_response())
}
