//! The audit log for the administrators who may read it (an organisation's, or every one for a
//! system administrator): in words, newest first, filtered by child, person, what was done and
//! dates; and a child's own history of who opened or changed the record, on the child's page.

use super::audit_words::{self, AuditLine, ACTIONS};
use super::render;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::views::{Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use krousar_domain::policy::list_scope;
use krousar_domain::{Action, ListScope};
use krousar_store::audit::{self, AuditFilter};
use serde::Deserialize;

/// Entries on one page.
const PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    user: Option<String>,
    action: Option<String>,
    /// A record's id (links from elsewhere); `child` takes a case number.
    record: Option<String>,
    child: Option<String>,
    since: Option<String>,
    until: Option<String>,
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    lines: Vec<AuditLine>,
    /// The organisation's people to pick from; empty for a system administrator (who types).
    users: Vec<Opt>,
    actions: Vec<Opt>,
    q_user: String,
    q_child: String,
    q_record: String,
    q_since: String,
    q_until: String,
    next: String,
}

/// The audit entries of `filter` in words, with the names their records are known by.
/// Records are named only within `names_in` (the reader's organisation; `None`: a system
/// administrator's whole log).
pub(crate) async fn lines(
    state: &AppState,
    cur: &Current,
    filter: &AuditFilter,
    names_in: Option<uuid::Uuid>,
) -> Result<Vec<AuditLine>, PageError> {
    let rows = audit::list(&state.store, filter).await?;
    let names = audit::record_names(&state.store, names_in, &rows).await?;
    Ok(rows.iter().map(|r| audit_words::line(cur.tr, r, &names)).collect())
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let org = match list_scope(&cur.actor, Action::ViewAudit) {
        ListScope::Org(o) => Some(o),
        ListScope::Everything => None,
        _ => return Err(PageError(AppError::Forbidden)),
    };
    let given = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    // A name or case number that finds nothing in the reader's reach finds no entries (never
    // every entry, and never a hint that it exists elsewhere).
    let nothing = uuid::Uuid::nil().to_string();
    let actor_id = match given(&q.user) {
        Some(name) => Some(match state.store.user_by_username(&name).await {
            Ok(u) if org.is_none_or(|o| o == u.org_id) => u.id,
            _ => uuid::Uuid::nil(),
        }),
        None => None,
    };
    let record_id = match (given(&q.child), given(&q.record)) {
        (Some(number), _) => Some(audit::child_by_case_number(&state.store, org, &number).await?.unwrap_or(nothing)),
        (None, record) => record,
    };
    let date = |s: &Option<String>| s.as_deref().and_then(krousar_domain::child::parse_date).map(|d| d.to_string());
    let filter = AuditFilter {
        org_id: org,
        actor_id,
        record_id,
        action: given(&q.action).filter(|a| ACTIONS.contains(&a.as_str())),
        since: date(&q.since),
        until: date(&q.until).map(|d| format!("{d}T99")),
        before_seq: q.before,
        limit: PAGE,
    };
    let lines = lines(&state, &cur, &filter, org).await?;
    let next = match lines.last() {
        Some(last) if lines.len() as i64 == PAGE => {
            let pairs = [
                ("user", q.user.clone().unwrap_or_default()),
                ("action", q.action.clone().unwrap_or_default()),
                ("record", q.record.clone().unwrap_or_default()),
                ("child", q.child.clone().unwrap_or_default()),
                ("since", q.since.clone().unwrap_or_default()),
                ("until", q.until.clone().unwrap_or_default()),
                ("before", last.seq_raw.to_string()),
            ];
            format!("/admin/audit?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
        }
        _ => String::new(),
    };
    let users = match org {
        Some(o) => {
            let mut out = vec![Opt { value: String::new(), label: tr.t("opt-all"), selected: given(&q.user).is_none() }];
            out.extend(state.store.users(Some(o)).await?.into_iter().map(|u| Opt {
                selected: q.user.as_deref() == Some(u.username.as_str()),
                label: format!("{} ({})", u.display_name, u.username),
                value: u.username,
            }));
            out
        }
        None => Vec::new(),
    };
    let mut actions = vec![Opt { value: String::new(), label: tr.t("opt-all"), selected: given(&q.action).is_none() }];
    // Each action by its sentence with blanks ("… opened the record of …"), in the reader's
    // language and order of reading.
    let mut named: Vec<Opt> = ACTIONS
        .iter()
        .map(|a| Opt {
            value: a.to_string(),
            label: tr.t2(&audit_words::message_key(a), ("who", "…".into()), ("what", "…".into())),
            selected: q.action.as_deref() == Some(a),
        })
        .collect();
    named.sort_by(|a, b| a.label.cmp(&b.label));
    actions.extend(named);
    Ok(render(AuditPage {
        l: Layout::new(&cur, tr.t("page-audit"), "/admin/audit"),
        lines,
        users,
        actions,
        q_user: q.user.unwrap_or_default(),
        q_child: q.child.unwrap_or_default(),
        q_record: q.record.unwrap_or_default(),
        q_since: q.since.unwrap_or_default(),
        q_until: q.until.unwrap_or_default(),
        next,
    }))
}
