//! Exports too large to wait for: prepared in the background while the page shows how far they
//! have come (refreshing itself, no script needed), then fetched by the person who asked.

use super::export::file_name;
use super::render;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::files::download;
use crate::i18n::Tr;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use krousar_domain::export::ExportFormat;
use krousar_store::export_jobs::{ExportJob, ARCHIVE};

pub struct JobView {
    pub href: String,
    pub created: String,
    pub format: String,
    pub state: String,
    pub running: bool,
    pub done: i64,
    pub total: i64,
    pub progress: String,
    pub file: Option<String>,
}

fn view(tr: Tr, j: &ExportJob) -> JobView {
    let state = tr.t(&format!("msg-export-{}", j.state));
    let state = match (&j.error, j.state.as_str()) {
        (Some(e), "failed") if e.starts_with("err-") => format!("{state} {}", tr.t(e)),
        _ => state,
    };
    JobView {
        href: format!("/exports/{}", j.id),
        created: crate::views::local_day(&j.created_at).map(|d| tr.date(d)).unwrap_or_default()
            + " "
            + j.created_at.get(11..16).unwrap_or(""),
        format: j.format.to_uppercase(),
        state,
        running: j.state == "running",
        done: j.done,
        total: j.total.max(1),
        progress: tr.t2("msg-export-progress", ("done", tr.num(j.done)), ("total", tr.num(j.total))),
        file: (j.state == "done").then(|| format!("/exports/{}/file", j.id)),
    }
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage {
    l: Layout,
    jobs: Vec<JobView>,
    refresh: bool,
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let jobs: Vec<JobView> = state.store.export_jobs(&cur.actor).await?.iter().map(|j| view(cur.tr, j)).collect();
    let refresh = jobs.iter().any(|j| j.running);
    Ok(render(ExportsPage { l: Layout::new(&cur, cur.tr.t("page-exports"), "/exports"), jobs, refresh }))
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let j = state.store.export_job(&cur.actor, id).await?;
    let jobs = vec![view(cur.tr, &j)];
    let refresh = jobs[0].running;
    Ok(render(ExportsPage { l: Layout::new(&cur, cur.tr.t("page-exports"), "/exports"), jobs, refresh }))
}

pub async fn file(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let (j, bytes) = state.store.export_file(&cur.actor, id).await?;
    if j.format == ARCHIVE {
        return Ok(download("organisation-archive.zip", "application/zip", bytes));
    }
    let format = ExportFormat::parse(&j.format).ok_or(PageError(AppError::NotFound))?;
    let mime = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(download(&file_name(format, cur.actor.today()), mime, bytes))
}

/// Make the organisation's whole archive in the background; the exports page fetches it.
pub async fn start_archive(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    super::imports::may_import(&cur)?;
    let job = state.store.start_export_job(&cur.actor, ARCHIVE, 0).await?;
    let (store, actor) = (state.store.clone(), cur.actor.clone());
    crate::jobs::start("archive", async move {
        let path = std::env::temp_dir().join(format!("krousar-archive-{job}.zip"));
        let outcome = async {
            let m = store.export_archive(&actor, &path).await?;
            let bytes = tokio::fs::read(&path).await.map_err(|e| krousar_store::StoreError::Config(e.to_string()))?;
            let rows: i64 = m.files.iter().filter(|f| f.path.starts_with("records/")).map(|f| f.rows).sum();
            store.finish_export_job(&actor, job, bytes, rows, serde_json::json!({"archive": m.organisation_name}), None).await
        }
        .await;
        let _ = tokio::fs::remove_file(&path).await;
        if let Err(e) = outcome {
            tracing::warn!(%job, error = %e, "archive failed");
            let _ = store.fail_export_job(job, &e.to_string()).await;
        }
    });
    Ok(axum::response::Redirect::to(&format!("/exports/{job}")).into_response())
}
