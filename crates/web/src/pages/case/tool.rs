//! Filling in one of the organisation's own assessment tools for a child.

use super::super::form::FormData;
use super::super::render;
use crate::auth::{Current, PageUser};
use crate::error::PageError;
use crate::extract::Ids;
use crate::views::{Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::case::entries::past_date;
use krousar_domain::Invalid;
use krousar_store::cases::tools::Tool;
use krousar_store::StoreError;
use std::collections::BTreeMap;
use uuid::Uuid;

pub struct QuestionView {
    pub code: String,
    pub domain: String,
    pub text: String,
    pub levels: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "case_tool.html")]
struct ToolPage {
    l: Layout,
    id: String,
    tool: String,
    questions: Vec<QuestionView>,
    assessed_on: String,
    note: String,
    notice: String,
}

async fn render_tool(
    cur: &Current,
    child: Uuid,
    tool: &Tool,
    values: &BTreeMap<String, String>,
    notice: String,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let km = tr.is_km();
    let questions = tool
        .definition
        .questions
        .iter()
        .map(|q| QuestionView {
            code: q.code.clone(),
            domain: if km { q.domain_km.clone() } else { q.domain_en.clone() },
            text: if km { q.km.clone() } else { q.en.clone() },
            levels: tool
                .definition
                .levels
                .iter()
                .map(|l| Opt {
                    value: l.value.to_string(),
                    label: format!("{} — {}", tr.num(l.value), if km { &l.km } else { &l.en }),
                    selected: values.get(&q.code) == Some(&l.value.to_string()),
                })
                .collect(),
        })
        .collect();
    let name = if km { tool.definition.name_km.clone() } else { tool.definition.name_en.clone() };
    let page = render(ToolPage {
        l: Layout::new(cur, name.clone(), "/children"),
        id: child.to_string(),
        tool: tool.id.to_string(),
        questions,
        assessed_on: values.get("assessed_on").cloned().unwrap_or_else(|| cur.actor.today().to_string()),
        note: values.get("note").cloned().unwrap_or_default(),
        notice: notice.clone(),
    });
    Ok(if notice.is_empty() { page } else { crate::pages::unprocessable(page) })
}

async fn load(state: &AppState, cur: &Current, child: Uuid, tool: &str) -> Result<Tool, PageError> {
    // Reading the case checks that the user may see this child at all (and audits it).
    state.store.case_file(&cur.actor, child, "form").await?;
    let tool = uuid::Uuid::parse_str(tool).map_err(|_| PageError(crate::error::AppError::NotFound))?;
    let t = state.store.tool(tool).await?;
    if t.org_id != cur.actor.org_id {
        return Err(PageError::from(StoreError::NotFound));
    }
    Ok(t)
}

pub async fn form(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, tool)): Ids<(uuid::Uuid, String)>,
) -> Result<Response, PageError> {
    let t = load(&state, &cur, id, &tool).await?;
    render_tool(&cur, id, &t, &BTreeMap::new(), String::new()).await
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, tool)): Ids<(uuid::Uuid, String)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let t = load(&state, &cur, id, &tool).await?;
    let f = FormData(pairs);
    let values: BTreeMap<String, String> = f.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let mut e = Invalid::default();
    let date = past_date(&mut e, "assessed_on", f.get("assessed_on").as_deref(), cur.actor.today());
    let note = krousar_domain::text::paragraphs(&mut e, "note", f.get("note").as_deref(), krousar_domain::text::LONG);
    let Some(date) = date.filter(|_| e.errors.is_empty()) else {
        let msg = crate::pages::notice_of(&cur, &e);
        return render_tool(&cur, id, &t, &values, msg).await;
    };
    match state.store.record_tool_assessment(&cur.actor, id, t.id, date, &values, note).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/case")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let msg = crate::pages::notice_of(&cur, &e);
            render_tool(&cur, id, &t, &values, msg).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
