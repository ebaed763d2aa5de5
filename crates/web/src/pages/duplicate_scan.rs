//! Scanning the whole organisation for children registered twice (supervisors and managers):
//! start it, watch its progress, then resolve each pair from the child's duplicates page.

use super::render;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::views::{local_day, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

/// Pairs shown at once (best first); resolving them brings the next ones up.
pub const SHOWN: i64 = 100;

pub struct PairView {
    pub href: String,
    pub label: String,
    pub other_href: String,
    pub other_label: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "duplicate_scan.html")]
struct ScanPage {
    l: Layout,
    /// Empty when no scan was run yet.
    state: String,
    running: bool,
    status: String,
    checked: i64,
    total: i64,
    pairs: Vec<PairView>,
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let tr = cur.tr;
    let latest = state.store.latest_duplicate_scan(&cur.actor, SHOWN).await?;
    let km = tr.is_km();
    let (scan_state, running, status, checked, total, pairs) = match latest {
        None => (String::new(), false, tr.t("msg-scan-none"), 0, 0, Vec::new()),
        Some((scan, found)) => {
            let day = |t: &str| local_day(t).map(|d| tr.date(d)).unwrap_or_default();
            let status = match scan.state.as_str() {
                "running" => tr.t2("msg-scan-running", ("checked", tr.num(scan.checked)), ("total", tr.num(scan.total))),
                "done" => tr.t2(
                    "msg-scan-done",
                    ("when", day(scan.finished_at.as_deref().unwrap_or(&scan.started_at))),
                    ("who", scan.started_by.clone()),
                ),
                _ => tr.t("msg-scan-failed"),
            };
            let pairs = found
                .into_iter()
                .map(|p| PairView {
                    href: format!("/children/{}/duplicates", p.child.id),
                    label: format!("{} · {}", p.child.display_name(km), p.child.case_number),
                    other_href: p.other.as_ref().map(|o| format!("/children/{}", o.id)).unwrap_or_default(),
                    other_label: match (&p.other, &p.other_org) {
                        (Some(o), _) => format!("{} · {}", o.display_name(km), o.case_number),
                        (None, Some(org)) => tr.t1("msg-dup-other-org", "org", org),
                        _ => String::new(),
                    },
                    // Another organisation's match carries no score (issue 19): only where it is known.
                    score: if p.other_org.is_some() && p.other.is_none() {
                        String::new()
                    } else {
                        format!("{}%", tr.num((p.score * 100.0).round() as i64))
                    },
                })
                .collect();
            (scan.state.clone(), scan.state == "running", status, scan.checked, scan.total, pairs)
        }
    };
    Ok(render(ScanPage {
        l: Layout::new(&cur, tr.t("page-duplicate-scan"), "/team"),
        state: scan_state,
        running,
        status,
        checked,
        total,
        pairs,
    }))
}

/// Start a scan (or join the one running) and run it in the background on this server.
pub async fn start(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let id = state.store.start_duplicate_scan(&cur.actor).await?;
    crate::jobs::duplicate_scan(state.store.clone(), id);
    Ok(Redirect::to("/duplicates").into_response())
}
