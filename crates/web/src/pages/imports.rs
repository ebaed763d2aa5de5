//! The administrator's import pages: upload a workbook, watch it being checked, read (and
//! download) the report, import it — with the suggested fixes if chosen — and watch that. Both
//! steps run in the background; the page refreshes itself (no script needed). Progress is
//! kept in this process while a step runs (a SQLite import holds the database's write lock
//! for its one transaction, so it cannot be written there meanwhile) and in the job's row.

use super::render;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::files::download;
use crate::i18n::Tr;
use crate::import_report;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::Actor;
use krousar_store::import_jobs::ImportJob;
use krousar_store::imports::Progress;
use krousar_store::{Backend, StoreError};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use uuid::Uuid;

/// Problems shown on the page; the downloaded report has them all.
const SHOWN: usize = 300;

/// (done, total) of the steps running in this process.
type Live = Arc<(AtomicUsize, AtomicUsize)>;
static LIVE: LazyLock<Mutex<HashMap<Uuid, Live>>> = LazyLock::new(Default::default);

fn live(job: Uuid) -> Option<Live> {
    LIVE.lock().expect("not poisoned").get(&job).cloned()
}

/// Run a step with its progress counted in memory and written to the job's row every second
/// (where the database can take it meanwhile).
async fn with_progress<T, F>(state: &AppState, job: Uuid, write_while: bool, step: impl FnOnce(Progress) -> F) -> T
where
    F: std::future::Future<Output = T>,
{
    let cell: Live = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
    LIVE.lock().expect("not poisoned").insert(job, cell.clone());
    let counter = cell.clone();
    let progress: Progress = Arc::new(move |done, total| {
        counter.0.store(done, Ordering::Relaxed);
        counter.1.store(total, Ordering::Relaxed);
    });
    let ticker = write_while.then(|| {
        let (store, cell) = (state.store.clone(), cell.clone());
        // The job's own ticker, stopped with it (not a job of its own).
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                let (d, t) = (cell.0.load(Ordering::Relaxed), cell.1.load(Ordering::Relaxed));
                let _ = store.import_progress(job, d as i64, t as i64).await;
            }
        })
    });
    let out = step(progress).await;
    if let Some(t) = ticker {
        t.abort();
    }
    LIVE.lock().expect("not poisoned").remove(&job);
    out
}

fn failure(e: &StoreError) -> String {
    match e {
        StoreError::Invalid(i) => i.errors.first().map_or("err-import-failed", |f| f.code).to_string(),
        StoreError::Duplicate(_) => "err-import-changed".into(),
        other => {
            tracing::warn!(error = %other, "import failed");
            "err-import-failed".into()
        }
    }
}

/// Checks and imports running at once in this server. Each holds a whole workbook's cells and
/// the plan made of them, so further jobs wait their turn (their page shows them running).
static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Wait for a turn, keeping the job's heartbeat so that a long wait is not taken for a stopped
/// server.
async fn turn(state: &AppState, job: Uuid) -> tokio::sync::SemaphorePermit<'static> {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(30), TURNS.acquire()).await {
            Ok(permit) => return permit.expect("the semaphore is never closed"),
            Err(_) => {
                let _ = state.store.import_progress(job, 0, 0).await;
            }
        }
    }
}

/// The check, in the background.
async fn check(state: AppState, actor: Actor, job: Uuid, name: String) {
    let _turn = turn(&state, job).await;
    let outcome = async {
        let bytes = Arc::new(state.store.import_upload(&actor, job).await?);
        let (_, report) = with_progress(&state, job, true, |p| state.store.check_workbook(&actor, &name, bytes, false, true, p)).await?;
        state.store.finish_import_check(job, &report).await
    }
    .await;
    if let Err(e) = outcome {
        let _ = state.store.fail_import_job(job, &failure(&e)).await;
    }
}

/// The import, in the background: the workbook is checked again (the organisation may have
/// changed since) and written in one transaction.
async fn apply(state: AppState, actor: Actor, job: Uuid, name: String, accept_fixes: bool) {
    // While SQLite's one transaction runs, nothing else may write: progress stays in memory.
    let write_while = state.store.backend == Backend::Postgres;
    let _turn = turn(&state, job).await;
    let outcome = async {
        let bytes = Arc::new(state.store.import_upload(&actor, job).await?);
        let (plan, report) =
            with_progress(&state, job, true, |p| state.store.check_workbook(&actor, &name, bytes, accept_fixes, false, p)).await?;
        if !report.importable(accept_fixes) {
            return Err(StoreError::invalid("file", "err-import-changed"));
        }
        let store = state.store.clone();
        let (actor, plan, report) = (&actor, &plan, &report);
        let id =
            with_progress(&state, job, write_while, |p| async move { store.import_plan(actor, plan, report, &mut |d, t| p(d, t)).await })
                .await?;
        state.store.finish_import_apply(job, id, report).await
    }
    .await;
    if let Err(e) = outcome {
        let _ = state.store.fail_import_job(job, &failure(&e)).await;
    }
}

pub struct ProblemRow {
    pub severity: String,
    pub class: &'static str,
    pub sheet: String,
    pub row: String,
    pub column: String,
    pub value: String,
    pub message: String,
    pub fix: String,
}

pub struct JobView {
    pub href: String,
    pub file_name: String,
    pub created: String,
    pub status: String,
    pub running: bool,
    pub done: i64,
    pub total: i64,
    pub progress: String,
}

fn job_view(tr: Tr, j: &ImportJob) -> JobView {
    let (mut done, mut total) = (j.done, j.total);
    if let Some(cell) = live(j.id) {
        (done, total) = (cell.0.load(Ordering::Relaxed) as i64, cell.1.load(Ordering::Relaxed) as i64);
    }
    let mut status = tr.t(&format!("msg-import-{}-{}", j.phase, j.state));
    if let Some(e) = &j.error {
        status = format!("{status} {}", tr.t(e));
    }
    JobView {
        href: format!("/admin/import/{}", j.id),
        file_name: j.file_name.clone(),
        created: crate::views::local_day(&j.created_at).map(|d| tr.date(d)).unwrap_or_default()
            + " "
            + j.created_at.get(11..16).unwrap_or(""),
        status,
        running: j.state == "running",
        done,
        total: total.max(1),
        progress: tr.t2("msg-export-progress", ("done", tr.num(done)), ("total", tr.num(total))),
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    l: Layout,
    jobs: Vec<JobView>,
    notice: String,
    refresh: bool,
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    l: Layout,
    job: JobView,
    id: Uuid,
    /// The check finished and its report is shown.
    checked: bool,
    imported: bool,
    summary: String,
    counts: Vec<(String, String)>,
    problems: Vec<ProblemRow>,
    more: String,
    /// The import may start: as written, or only with the fixes accepted.
    can_import: bool,
    needs_fixes: bool,
}

async fn list_page(state: &AppState, cur: &crate::auth::Current, notice: String) -> Result<Response, PageError> {
    let jobs: Vec<JobView> = state.store.import_jobs(&cur.actor).await?.iter().map(|j| job_view(cur.tr, j)).collect();
    let refresh = jobs.iter().any(|j| j.running);
    Ok(render(ImportsPage { l: Layout::new(cur, cur.tr.t("page-import"), "/admin/import"), jobs, notice, refresh }))
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    list_page(&state, &cur, String::new()).await
}

pub async fn upload(State(state): State<AppState>, PageUser(cur): PageUser, mp: axum::extract::Multipart) -> Result<Response, PageError> {
    let r = match crate::files::read_upload(mp).await {
        Ok(up) if up.bytes.is_empty() => Err(StoreError::invalid("file", "err-required")),
        Ok(up) if up.bytes.len() > krousar_import::workbook::MAX_FILE_BYTES => Err(StoreError::invalid("file", "import-read-too-large")),
        Ok(up) => state.store.start_import_job(&cur.actor, &up.file_name, up.bytes).await.map(|id| (id, up.file_name)),
        Err(e) => Err(e),
    };
    match r {
        Ok((id, name)) => {
            crate::jobs::start("import check", check(state.clone(), cur.actor.clone(), id, name));
            Ok(Redirect::to(&format!("/admin/import/{id}")).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let notice = crate::pages::notice_of(&cur, &e);
            Ok(crate::pages::unprocessable(list_page(&state, &cur, notice).await?))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let j = state.store.import_job(&cur.actor, id).await?;
    let tr = cur.tr;
    let job = job_view(tr, &j);
    let report = j.report.as_ref().filter(|_| j.state == "done");
    let checked = report.is_some() && j.phase == "check";
    let imported = report.is_some() && j.phase == "apply";
    let (mut summary, mut counts, mut problems, mut more) = (String::new(), Vec::new(), Vec::new(), String::new());
    let (mut can_import, mut needs_fixes) = (false, false);
    if let Some(r) = report {
        let c = &r.counts;
        counts = vec![
            (tr.t("imp-count-staff"), tr.count(c.staff as i64)),
            (tr.t("imp-count-households"), tr.count(c.households as i64)),
            (tr.t("imp-count-children"), tr.count(c.children as i64)),
            (tr.t("imp-count-cases"), tr.count(c.cases as i64)),
            (tr.t("imp-count-already"), tr.count(c.already_imported as i64)),
        ];
        summary = tr.t2("imp-summary", ("errors", tr.count(r.errors() as i64)), ("warnings", tr.count(r.warnings() as i64)));
        can_import = checked && r.importable(true) && c.staff + c.households + c.children > 0;
        needs_fixes = !r.importable(false);
        // Errors first: they are what stops the import; notes may run to a line per row.
        let mut by_severity: Vec<&krousar_import::Problem> = r.problems.iter().collect();
        by_severity.sort_by_key(|p| p.severity);
        problems = by_severity
            .into_iter()
            .take(SHOWN)
            .map(|p| ProblemRow {
                severity: import_report::severity(&tr, p.severity),
                class: match p.severity {
                    krousar_import::Severity::Error => "error",
                    krousar_import::Severity::Warning => "warning",
                    krousar_import::Severity::Note => "note",
                },
                sheet: p.sheet.clone(),
                row: if p.row == 0 { String::new() } else { tr.num(p.row) },
                column: p.column.clone(),
                value: p.value.chars().take(80).collect(),
                message: import_report::message(&tr, p),
                fix: p.fix.clone().unwrap_or_default(),
            })
            .collect();
        if r.problems.len() > SHOWN {
            more = tr.t1("imp-more-in-report", "count", tr.count((r.problems.len() - SHOWN) as i64));
        }
    }
    let title = format!("{}: {}", tr.t("page-import"), j.file_name);
    Ok(render(JobPage {
        l: Layout::new(&cur, title, "/admin/import"),
        job,
        id,
        checked,
        imported,
        summary,
        counts,
        problems,
        more,
        can_import,
        needs_fixes,
    }))
}

pub async fn report(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let j = state.store.import_job(&cur.actor, id).await?;
    let r = j.report.ok_or(PageError(AppError::NotFound))?;
    let stem = j.file_name.rsplit_once('.').map_or(j.file_name.as_str(), |(s, _)| s).to_string();
    Ok(download(&format!("{stem}-report.csv"), "text/csv; charset=utf-8", import_report::csv(&cur.tr, &r)))
}

#[derive(Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    accept_fixes: Option<String>,
}

pub async fn start_apply(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    axum::Form(f): axum::Form<ApplyForm>,
) -> Result<Response, PageError> {
    let accept = f.accept_fixes.is_some();
    let j = state.store.import_job(&cur.actor, id).await?;
    match state.store.start_import_apply(&cur.actor, id, accept).await {
        Ok(()) => {
            crate::jobs::start("import", apply(state.clone(), cur.actor.clone(), id, j.file_name, accept));
            Ok(Redirect::to(&format!("/admin/import/{id}")).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let notice = crate::pages::notice_of(&cur, &e);
            Ok(crate::pages::unprocessable(list_page(&state, &cur, notice).await?))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Pages that ask the store nothing (the template, starting an archive) ask the one policy here.
pub(super) fn may_import(cur: &crate::auth::Current) -> Result<(), PageError> {
    let target = krousar_domain::policy::Target::Organisation(cur.actor.org_id);
    if krousar_domain::policy::decide(&cur.actor, krousar_domain::Action::ImportRecords, target).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

pub async fn template(PageUser(cur): PageUser) -> Result<Response, PageError> {
    may_import(&cur)?;
    let bytes = crate::import_template::workbook(&cur.tr).map_err(|_| PageError(AppError::NotFound))?;
    Ok(download("krousar-import-template.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes))
}
