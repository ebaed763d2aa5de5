//! The first screen: a worker's caseload; links to what other roles do.

use super::render;
use crate::auth::PageUser;
use crate::views::{today, ChildRow, Layout};
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
}

pub async fn home(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, crate::error::PageError> {
    let tr = cur.tr;
    let a = &cur.actor;
    let show_caseload = a.role.has_caseload();
    let (mut rows, mut count) = (Vec::new(), 0);
    if show_caseload {
        // "My caseload": the children assigned to me, whatever my wider scope.
        let filter = ChildFilter { worker: Some(a.user_id), ..Default::default() };
        let page = state.store.list_children(a, &filter, None, 20, today()).await.map_err(cur.page_err())?;
        count = state.store.count_children(a, &filter, today()).await.map_err(cur.page_err())?;
        let codes: Vec<String> = page.items.iter().filter_map(|c| c.fields.village_code.clone()).collect();
        let paths = state.store.location_paths(&codes).await.map_err(cur.page_err())?;
        rows = page.items.iter().map(|c| ChildRow::new(tr, c, &paths, today())).collect();
    }
    let mut links = Vec::new();
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
    let page = HomePage {
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
    };
    Ok(render(page))
}
