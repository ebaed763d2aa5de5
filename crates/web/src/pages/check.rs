//! The system administrator's page of `krousar check` (issue 21): run the consistency check of
//! the whole database and read its report, in the page's language.

use super::render;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use krousar_domain::policy::{decide, Target};
use krousar_domain::Action;
use krousar_store::check::RULES;

/// One rule's line of the report.
struct RuleLine {
    name: String,
    checked: String,
    found: i64,
    found_text: String,
    findings: Vec<String>,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    l: Layout,
    ran: bool,
    ok: bool,
    lines: Vec<RuleLine>,
}

fn allowed(cur: &crate::auth::Current) -> Result<(), PageError> {
    if decide(&cur.actor, Action::ManageOrgs, Target::Nothing).allowed() {
        Ok(())
    } else {
        Err(PageError(crate::error::AppError::Forbidden))
    }
}

pub async fn show(PageUser(cur): PageUser) -> Result<Response, PageError> {
    allowed(&cur)?;
    let l = Layout::new(&cur, cur.tr.t("page-check"), "/admin/check");
    Ok(render(CheckPage { l, ran: false, ok: false, lines: Vec::new() }))
}

/// Runs on a POST (a walk of the whole database is not something a link or a crawler starts).
pub async fn run(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    allowed(&cur)?;
    let tr = cur.tr;
    let report = state.store.check_as(&cur.actor, cur.actor.today()).await?;
    let lines = RULES
        .iter()
        .map(|rule| {
            let found = report.counts.get(rule).copied().unwrap_or(0);
            RuleLine {
                name: tr.t(&format!("check-rule-{}", rule.replace('_', "-"))),
                checked: tr.num(report.checked.get(rule).copied().unwrap_or(0)),
                found,
                found_text: tr.num(found),
                // The page names the records only: the details (placements, dates, stages) are
                // case facts a system administrator may not read; `krousar check` run by the
                // operator on the server prints them.
                findings: report.findings.iter().filter(|f| f.rule == *rule).map(|f| f.record.clone()).collect(),
            }
        })
        .collect();
    let l = Layout::new(&cur, tr.t("page-check"), "/admin/check");
    Ok(render(CheckPage { l, ran: true, ok: report.ok(), lines }))
}
