//! Possible duplicates shown to a person: a record they may open is a link with its name; a
//! record they may not is only "a child known at organisation X".

use super::render;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use krousar_store::duplicates::Candidate;

pub struct DupView {
    pub href: String,
    pub label: String,
    pub score: String,
    pub agrees: String,
}

pub fn views(tr: Tr, found: &[Candidate]) -> Vec<DupView> {
    found
        .iter()
        .map(|c| {
            let part = |k: &str, v: &str| format!("{} {}", tr.t(k), tr.t(&format!("msg-agree-{v}")));
            let agrees = [
                part("field-name", c.name),
                part("field-sex", c.sex),
                part("field-date-of-birth", c.birth),
                part("field-address", c.place),
            ]
            .join(" · ");
            let score = format!("{}%", tr.num((c.score * 100.0).round() as i64));
            match &c.child {
                Some(child) => DupView {
                    href: format!("/children/{}", child.id),
                    label: format!("{} · {}", child.display_name(tr.is_km()), child.case_number),
                    score,
                    agrees,
                },
                None if c.same_org => DupView { href: String::new(), label: tr.t("msg-dup-same-org-hidden"), score, agrees },
                None => DupView { href: String::new(), label: tr.t1("msg-dup-other-org", "org", &c.org_name), score, agrees },
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    l: Layout,
    id: String,
    dups: Vec<DupView>,
}

/// Possible duplicates of a registered child, on demand.
pub async fn of_child(State(state): State<AppState>, PageUser(cur): PageUser, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = cur.record_id(&id)?;
    let child = state.store.view_child(&cur.actor, id, "duplicates").await.map_err(cur.page_err())?;
    let found = state.store.possible_duplicates(&cur.actor, &child.fields, Some(id)).await.map_err(cur.page_err())?;
    let title = cur.tr.t1("page-duplicates-of", "name", child.display_name(cur.tr.is_km()));
    Ok(render(DuplicatesPage { l: Layout::new(&cur, title, "/children"), id: id.to_string(), dups: views(cur.tr, &found) }))
}
