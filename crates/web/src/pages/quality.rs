//! The data-quality report: the records that need attention, within what the user may see.

use super::render;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

pub struct SectionView {
    pub title: String,
    pub count: String,
    pub children: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    l: Layout,
    sections: Vec<SectionView>,
}

pub async fn page(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let tr = cur.tr;
    let sections = state
        .store
        .data_quality(&cur.actor)
        .await?
        .into_iter()
        .map(|s| SectionView {
            title: tr.t(s.key),
            count: tr.num(s.count),
            children: s.children.into_iter().map(|(id, num, name)| (format!("/children/{id}"), format!("{num} · {name}"))).collect(),
        })
        .collect();
    Ok(render(QualityPage { l: Layout::new(&cur, tr.t("page-quality"), "/children"), sections }))
}
