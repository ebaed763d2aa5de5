//! Files crossing HTTP: reading an upload form, and answering with a stored file as a download.

use krousar_store::StoreError;
use uuid::Uuid;

/// An uploaded file from a multipart form: its name, bytes, and the record it belongs to.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub entry: Option<Uuid>,
    /// What the file is, for forms that ask (an RCI's plan, survey, evaluation).
    pub kind: Option<String>,
}

/// Read the `file` (and optional `entry`) fields of an upload form.
pub async fn read_upload(mut mp: axum::extract::Multipart) -> Result<Upload, StoreError> {
    let mut up = Upload { file_name: String::new(), bytes: Vec::new(), entry: None, kind: None };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(StoreError::invalid("file", "err-file-too-large")),
        };
        match field.name() {
            Some("file") => {
                up.file_name = field.file_name().unwrap_or("file").to_string();
                up.bytes = field.bytes().await.map_err(|_| StoreError::invalid("file", "err-file-too-large"))?.to_vec();
            }
            Some("entry") => {
                let t = field.text().await.unwrap_or_default();
                if !t.trim().is_empty() {
                    up.entry = Some(Uuid::parse_str(t.trim()).map_err(|_| StoreError::invalid("entry", "err-invalid-choice"))?);
                }
            }
            Some("kind") => up.kind = Some(field.text().await.unwrap_or_default()),
            _ => {}
        }
    }
    Ok(up)
}

/// A stored file as a download: never rendered inline by the browser, never sniffed, not cached.
pub fn download(file_name: &str, content_type: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let encoded: String = file_name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
