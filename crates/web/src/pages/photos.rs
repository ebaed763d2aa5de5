//! Profile photos on the pages: the small copy on a child's or carer's record and in lists,
//! the full one a click away (audited by the store), a form to take or choose a new one.

use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::Ids;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_store::photos::{PhotoOf, PhotoSize};
use krousar_store::StoreError;
use serde::Deserialize;
use uuid::Uuid;

/// What a record page shows of its photo.
pub struct PhotoBox {
    /// The record's path: `/children/{id}` or `/carers/{id}`.
    pub base: String,
    pub has_photo: bool,
    pub can_change: bool,
    /// The image's text alternative ("Photo of Chan Sreypov").
    pub alt: String,
}

#[derive(Deserialize, Default)]
pub struct SizeQuery {
    size: Option<String>,
}

impl SizeQuery {
    pub fn size(&self) -> PhotoSize {
        if self.size.as_deref() == Some("small") {
            PhotoSize::Small
        } else {
            PhotoSize::Full
        }
    }
}

/// A photo as an image the page shows: inline, never cached, never sniffed as anything else.
pub fn image_response(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CONTENT_DISPOSITION, "inline"),
            (header::CACHE_CONTROL, "private, no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /children/{id}/photo?size=small`
pub async fn child_photo(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<SizeQuery>,
) -> Result<Response, PageError> {
    Ok(image_response(state.store.photo(&cur.actor, PhotoOf::Child(id), q.size()).await?))
}

/// `GET /carers/{id}/photo?size=small`
pub async fn carer_photo(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<SizeQuery>,
) -> Result<Response, PageError> {
    Ok(image_response(state.store.photo(&cur.actor, PhotoOf::Carer(id), q.size()).await?))
}

/// Keep a new photo of `of` and go back to its record; a file that is no photo shows the
/// record again with why (422), nothing kept.
async fn keep(state: &AppState, cur: &crate::auth::Current, of: PhotoOf, mp: axum::extract::Multipart) -> Result<Response, PageError> {
    let r = match crate::files::read_upload(mp).await {
        Ok(up) => state.store.set_photo(&cur.actor, of, &up.bytes).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let notice = match r {
        Ok(()) => {
            let back = match of {
                PhotoOf::Child(id) => format!("/children/{id}"),
                PhotoOf::Carer(id) => format!("/carers/{id}"),
            };
            return Ok(Redirect::to(&back).into_response());
        }
        Err(StoreError::Invalid(e)) => super::notice_of(cur, &e),
        Err(e) => return Err(PageError::from(e)),
    };
    let page = match of {
        PhotoOf::Child(id) => super::children::show_child(state, cur, id, notice).await?,
        PhotoOf::Carer(id) => {
            super::carers::show_page(state, cur, id, &Default::default(), &krousar_domain::Invalid::default(), notice).await?
        }
    };
    Ok(super::unprocessable(page))
}

/// `POST /children/{id}/photo`: a new photo, taken or chosen.
pub async fn set_child_photo(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    keep(&state, &cur, PhotoOf::Child(id), mp).await
}

/// `POST /carers/{id}/photo`
pub async fn set_carer_photo(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    keep(&state, &cur, PhotoOf::Carer(id), mp).await
}
