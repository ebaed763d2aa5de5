//! Possible duplicates shown to a person: a record they may open is a link with its name; a
//! record they may not is only "a child known at organisation X".

use super::render;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::Ids;
use crate::i18n::Tr;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use krousar_store::duplicates::Candidate;

pub struct DupView {
    /// The other record's id when the person may resolve the pair (same organisation, visible).
    pub other: String,
    /// For a record of another organisation: that organisation, to ask about it.
    pub ask_org: String,
    pub href: String,
    pub label: String,
    pub score: String,
    pub agrees: String,
}

pub fn views(tr: Tr, found: &[Candidate]) -> Vec<DupView> {
    found
        .iter()
        .map(|c| {
            // Why a record was proposed: only for the organisation's own records.
            let (score, agrees) = match &c.agreements {
                Some(a) => {
                    let part = |k: &str, v: &str| format!("{} {}", tr.t(k), tr.t(&format!("msg-agree-{v}")));
                    let agrees = [
                        part("field-name", a.name),
                        part("field-sex", a.sex),
                        part("field-date-of-birth", a.birth),
                        part("field-address", a.place),
                    ]
                    .join(" · ");
                    (format!("{}%", tr.num((a.score * 100.0).round() as i64)), agrees)
                }
                None => (String::new(), String::new()),
            };
            match &c.child {
                Some(child) => DupView {
                    other: if c.same_org { child.id.to_string() } else { String::new() },
                    ask_org: String::new(),
                    href: format!("/children/{}", child.id),
                    label: format!("{} · {}", child.display_name(tr.is_km()), child.case_number),
                    score,
                    agrees,
                },
                None if c.same_org => DupView {
                    other: String::new(),
                    ask_org: String::new(),
                    href: String::new(),
                    label: tr.t("msg-dup-same-org-hidden"),
                    score,
                    agrees,
                },
                None => DupView {
                    other: String::new(),
                    ask_org: c.org_id.to_string(),
                    href: String::new(),
                    label: tr.t1("msg-dup-other-org", "org", &c.org_name),
                    score,
                    agrees,
                },
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
    can_resolve: bool,
    notice: String,
}

/// Possible duplicates of a registered child, on demand.
pub async fn of_child(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    show(&state, &cur, id, String::new()).await
}

async fn show(state: &AppState, cur: &crate::auth::Current, id: uuid::Uuid, notice: String) -> Result<Response, PageError> {
    let child = state.store.view_child(&cur.actor, id, "duplicates").await?;
    let found = state.store.possible_duplicates(&cur.actor, &child.fields, Some(id)).await?;
    let title = cur.tr.t1("page-duplicates-of", "name", child.display_name(cur.tr.is_km()));
    let can_resolve = child.merged_into.is_none()
        && krousar_domain::policy::decide(
            &cur.actor,
            krousar_domain::Action::EditChild,
            krousar_domain::policy::Target::Record(&child.owner(&cur.actor)),
        )
        .allowed();
    let page =
        DuplicatesPage { l: Layout::new(cur, title, "/children"), id: id.to_string(), dups: views(cur.tr, &found), can_resolve, notice };
    Ok(render(page))
}

/// Merge the other record into this one, or remember that they are different children.
pub async fn resolve(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, other, what)): Ids<(uuid::Uuid, uuid::Uuid, String)>,
) -> Result<Response, PageError> {
    let r = match what.as_str() {
        "merge" => state.store.merge_children(&cur.actor, id, other).await.map(|_| format!("/children/{id}")),
        "different" => state.store.mark_different(&cur.actor, id, other).await.map(|_| format!("/children/{id}/duplicates")),
        _ => return Err(PageError(crate::error::AppError::NotFound)),
    };
    settle(&state, &cur, id, r).await
}

/// Ask another organisation about a possible match (its supervisor sees which record is meant).
pub async fn ask(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = super::form::FormData(pairs);
    let Some(org) = f.get("to_org").as_deref().and_then(super::parse_id) else { return Err(PageError(crate::error::AppError::NotFound)) };
    let message = f
        .get("message")
        .map(|m| m.trim().chars().take(1000).collect::<String>())
        .filter(|m| !m.is_empty() && !m.chars().any(char::is_control));
    let r = state.store.ask_about_match(&cur.actor, id, org, message).await.map(|_| "/referrals".to_string());
    settle(&state, &cur, id, r).await
}

/// Done: go where `r` says; refused by the rules: the duplicates page again with why (422).
async fn settle(
    state: &AppState,
    cur: &crate::auth::Current,
    id: uuid::Uuid,
    r: Result<String, krousar_store::StoreError>,
) -> Result<Response, PageError> {
    match r {
        Ok(to) => Ok(axum::response::Redirect::to(&to).into_response()),
        Err(krousar_store::StoreError::Invalid(e)) => {
            let page = show(state, cur, id, crate::pages::notice_of(cur, &e)).await?;
            Ok(crate::pages::unprocessable(page))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
