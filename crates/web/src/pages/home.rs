//! The first screen: a worker's caseload; links to what other roles do.

use super::render;
use crate::auth::PageUser;
use crate::views::{ChildRow, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use krousar_domain::policy::{decide, Target};
use krousar_domain::Action;
use krousar_store::children::ChildFilter;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    greeting: String,
    show_caseload: bool,
    can_register: bool,
    caseload_count: String,
    rows: Vec<ChildRow>,
    links: Vec<(&'static str, String)>,
    /// "What must I do today?": overdue, today, the coming week.
    buckets: Vec<Bucket>,
    /// The same in one line, each part linking to its list ("3 overdue · 2 due today").
    summary: Vec<(&'static str, String)>,
    /// Requests waiting for this user's decision: the oldest few, and a link to them all.
    approvals: Option<Bucket>,
    /// Cases by stage, with counts per risk level ("high 2 · medium 5").
    stages: Vec<(String, String)>,
    show_work: bool,
    /// The user is the second worker of some cases (listed at /children?shared=1).
    shared: bool,
    /// Referrals and questions from other organisations waiting for a decision.
    waiting: String,
    /// Edits made offline that clashed with the server's, for this user to decide.
    conflicts: String,
}

/// Items shown per list on the home page.
const SHOWN: usize = 10;

/// One list of due work on the home page (and, whole, on the to-do page).
pub struct Bucket {
    /// Its name in links: `overdue`, `today`, `week`.
    pub when: &'static str,
    pub anchor: &'static str,
    pub label: String,
    pub items: Vec<DueView>,
    /// "… and 23 more", a link to the whole list; empty when all are shown.
    pub more: String,
    /// Open on arrival: the urgent lists.
    pub open: bool,
}

/// Which of the three lists (overdue, today, this week) an item due on `due_on` is in.
fn bucket_of(due_on: &str, today: &str) -> usize {
    match due_on.cmp(today) {
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Equal => 1,
        std::cmp::Ordering::Greater => 2,
    }
}

/// The worklist's due items in their three lists, in the reader's language: each list counts
/// all of its items and shows the first `shown` (all when `None`), with "… and N more".
pub fn buckets(tr: crate::i18n::Tr, due: &[krousar_store::cases::DueItem], today: chrono::NaiveDate, shown: Option<usize>) -> Vec<Bucket> {
    let today_s = today.to_string();
    let mut out: Vec<Bucket> = [("overdue", "msg-overdue"), ("today", "msg-due-today"), ("week", "msg-due-week")]
        .into_iter()
        .map(|(when, key)| Bucket {
            when,
            anchor: anchor_of(when),
            label: tr.t(key),
            items: Vec::new(),
            more: String::new(),
            open: when != "week",
        })
        .collect();
    let mut counts = [0usize; 3];
    for i in due {
        let b = bucket_of(&i.due_on, &today_s);
        counts[b] += 1;
        // Only the items shown are made into views (each a date in the reader's language).
        if shown.is_none_or(|n| counts[b] <= n) {
            out[b].items.push(due_view(tr, i));
        }
    }
    for (b, n) in out.iter_mut().zip(counts) {
        b.label = format!("{} ({})", b.label, tr.num(n));
        if n > b.items.len() {
            b.more = tr.t1("msg-and-more", "count", tr.num(n - b.items.len()));
        }
    }
    out
}

/// Requests waiting for a decision, oldest first: all of them counted, the first `shown` (all
/// when `None`) named, and a link to the whole list; `None` when nothing waits.
pub fn approvals_bucket(tr: crate::i18n::Tr, pending: &[krousar_store::cases::DueItem], shown: Option<usize>) -> Option<Bucket> {
    if pending.is_empty() {
        return None;
    }
    let items: Vec<DueView> = pending.iter().take(shown.unwrap_or(usize::MAX)).map(|i| due_view(tr, i)).collect();
    let more = match pending.len() - items.len() {
        0 => String::new(),
        n => tr.t1("msg-and-more", "count", tr.num(n)),
    };
    let label = format!("{} ({})", tr.t("page-approvals"), tr.num(pending.len()));
    Some(Bucket { when: "approvals", anchor: "approvals", label, items, more, open: true })
}

fn anchor_of(when: &str) -> &'static str {
    match when {
        "overdue" => "due-overdue",
        "today" => "due-today",
        _ => "due-week",
    }
}

pub struct DueView {
    href: String,
    child: String,
    what: String,
    due: String,
}

fn due_view(tr: crate::i18n::Tr, i: &krousar_store::cases::DueItem) -> DueView {
    let what = match (i.what.as_str(), &i.title) {
        ("task", Some(t)) => format!("{}: {t}", tr.t("due-task")),
        ("approval", Some(kind)) => krousar_domain::case::ApprovalKind::parse(kind).map(|k| tr.t(&k.label_key())).unwrap_or_default(),
        (w, _) => tr.t(&format!("due-{}", w.replace('_', "-"))),
    };
    let due = crate::views::local_day(&i.due_on).map(|d| tr.date(d)).unwrap_or_default();
    DueView { href: format!("/children/{}/case", i.child_id), child: format!("{} · {}", i.child_name, i.case_number), what, due }
}

pub async fn home(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, crate::error::PageError> {
    let tr = cur.tr;
    let a = &cur.actor;
    // Whoever reads the national figures and runs nothing (the ministry and provincial offices)
    // starts on the national dashboard.
    if decide(a, Action::ViewAggregates, Target::Nothing).allowed() && !decide(a, Action::ManageOrgs, Target::Nothing).allowed() {
        return super::dashboard::page(State(state), PageUser(cur), axum::extract::Query(Default::default())).await;
    }
    let show_caseload = a.role.has_caseload();
    let (mut rows, mut count) = (Vec::new(), 0);
    if show_caseload {
        // "My caseload": the children assigned to me, whatever my wider scope.
        let filter = ChildFilter { worker: Some(a.user_id), ..Default::default() };
        let page;
        (page, count) = state.store.children_page(a, &filter, None, 20).await?;
        let codes: Vec<String> = page.items.iter().filter_map(|c| c.fields.village_code.clone()).collect();
        let paths = state.store.location_paths(&codes).await?;
        let flags = state.store.active_flags(a, &page.items).await?;
        let ids: Vec<uuid::Uuid> = page.items.iter().map(|c| c.id).collect();
        let photos = state.store.with_photos("child", &ids).await?;
        rows = ChildRow::with_flags(tr, &page.items, &flags, &photos, &paths, cur.actor.today());
    }
    let mut work = state.store.worklist_unnamed(a).await?;
    // The heading counts everything; each list shows the first few, most urgent first (their
    // children named), and links to the whole list.
    let today_s = cur.actor.today().to_string();
    let mut per = [0usize; 3];
    let mut counts = [0i64; 3];
    let mut to_name: Vec<&mut krousar_store::cases::DueItem> = Vec::new();
    for i in work.due.iter_mut() {
        let b = bucket_of(&i.due_on, &today_s);
        counts[b] += 1;
        if per[b] < SHOWN {
            per[b] += 1;
            to_name.push(i);
        }
    }
    // Requests for a decision: the oldest few named, like the lists above.
    to_name.extend(work.pending_approvals.iter_mut().take(SHOWN));
    state.store.name_due_items(&mut to_name, tr.is_km()).await?;
    let shared = show_caseload && state.store.has_shared_cases(a.user_id).await?;
    let buckets = buckets(tr, &work.due, cur.actor.today(), Some(SHOWN));
    let mut summary: Vec<(&'static str, String)> =
        buckets.iter().zip(counts).map(|(b, n)| (b.anchor, tr.tn(&format!("msg-sum-{}", b.when), n))).collect();
    if !work.pending_approvals.is_empty() {
        summary.push(("approvals", tr.tn("msg-sum-approvals", work.pending_approvals.len() as i64)));
    }
    let approvals = approvals_bucket(tr, &work.pending_approvals, Some(SHOWN));
    let mut stages: Vec<(String, String)> = Vec::new();
    for stage in krousar_domain::case::Stage::ALL {
        let rows: Vec<_> = work.by_stage.iter().filter(|r| r.stage == stage.code()).collect();
        if rows.is_empty() {
            continue;
        }
        let total: i64 = rows.iter().map(|r| r.count).sum();
        let by_risk: Vec<String> = rows
            .iter()
            .map(|r| {
                let risk = r
                    .risk
                    .as_deref()
                    .and_then(krousar_domain::case::stage::RiskLevel::parse)
                    .map(|l| tr.t(&l.label_key()))
                    .unwrap_or_else(|| tr.t("msg-risk-not-assessed"));
                format!("{risk} {}", tr.num(r.count))
            })
            .collect();
        stages.push((format!("{} ({})", tr.t(&stage.label_key()), tr.num(total)), by_risk.join(" · ")));
    }
    let show_work = show_caseload || decide(a, Action::ViewTeam, Target::Organisation(a.org_id)).allowed();
    let mut links = Vec::new();
    let mut waiting = String::new();
    if decide(a, Action::ViewTeam, Target::Organisation(a.org_id)).allowed() {
        links.push(("/team", tr.t("nav-team")));
        let n = state.store.waiting_for_us(a).await?;
        if n > 0 {
            waiting = tr.tn("msg-referrals-waiting", n);
        }
    }
    if decide(a, Action::ListChildren, Target::Nothing).allowed() && !show_caseload {
        links.push(("/children", tr.t("nav-children")));
    }
    if decide(a, Action::ManageUsers, Target::Organisation(a.org_id)).allowed() {
        links.push(("/admin/users", tr.t("nav-users")));
    }
    if decide(a, Action::ViewAudit, Target::Organisation(a.org_id)).allowed() {
        links.push(("/admin/audit", tr.t("nav-audit")));
    }
    links.push(("/rcis", tr.t("nav-rcis")));
    // Workers and supervisors decide conflicts of offline edits (their own and their team's).
    let conflicts = if decide(a, Action::WorkOffline, Target::Organisation(a.org_id)).allowed() {
        let n = state.store.open_conflicts(a, None).await?.len();
        if n > 0 {
            tr.tn("msg-conflicts-waiting", n as i64)
        } else {
            String::new()
        }
    } else {
        String::new()
    };
    let page = HomePage {
        conflicts,
        l: Layout::new(&cur, tr.t("page-home"), "/"),
        greeting: tr.t1("msg-welcome", "name", &cur.user.display_name),
        show_caseload,
        can_register: decide(a, Action::CreateChild, Target::Nothing).allowed(),
        caseload_count: if count > krousar_store::children::COUNT_CAP {
            format!("{}+", tr.num(krousar_store::children::COUNT_CAP))
        } else {
            tr.num(count)
        },
        rows,
        links,
        buckets,
        summary,
        approvals,
        stages,
        show_work,
        shared,
        waiting,
    };
    Ok(render(page))
}

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoPage {
    l: Layout,
    buckets: Vec<Bucket>,
}

#[derive(serde::Deserialize)]
pub struct TodoQuery {
    when: Option<String>,
}

/// The whole of one list of due work ("… and 23 more" on the home page leads here), or of all
/// of them (the three by date, then requests waiting for a decision); the same worklist and the
/// same scope as the home page.
pub async fn todo(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    axum::extract::Query(q): axum::extract::Query<TodoQuery>,
) -> Result<Response, crate::error::PageError> {
    let tr = cur.tr;
    let work = state.store.worklist(&cur.actor, tr.is_km()).await?;
    let mut all = buckets(tr, &work.due, cur.actor.today(), None);
    all.extend(approvals_bucket(tr, &work.pending_approvals, None));
    match q.when.as_deref() {
        // The home page's link outlived the last request (someone decided it): an empty list,
        // not every other one.
        Some("approvals")
            if work.pending_approvals.is_empty()
                && decide(&cur.actor, Action::ViewTeam, Target::Organisation(cur.actor.org_id)).allowed() =>
        {
            let label = format!("{} ({})", tr.t("page-approvals"), tr.num(0));
            all = vec![Bucket { when: "approvals", anchor: "approvals", label, items: Vec::new(), more: String::new(), open: true }];
        }
        Some(when) if all.iter().any(|b| b.when == when) => all.retain(|b| b.when == when),
        _ => {}
    }
    for b in all.iter_mut() {
        b.open = true;
    }
    Ok(render(TodoPage { l: Layout::new(&cur, tr.t("page-todo"), "/"), buckets: all }))
}
