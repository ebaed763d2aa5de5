//! Counting a form's answers: for each question answered by a choice (yes/no, one choice,
//! several choices), how many children's latest answer in the period gave each choice, as
//! "N (nF)"; for the organisation's supervisors and managers.

use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::Ids;
use crate::pages::render;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use krousar_domain::forms::FieldKind;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
}

pub struct CountRow {
    pub label: String,
    pub count: String,
}

pub struct QuestionCounts {
    pub label: String,
    pub rows: Vec<CountRow>,
}

#[derive(Template)]
#[template(path = "form_report.html")]
struct ReportPage {
    l: Layout,
    id: String,
    from: String,
    to: String,
    answered: String,
    questions: Vec<QuestionCounts>,
}

/// `GET /admin/forms/{id}/report?from&to` (default: the year so far).
pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let today = cur.actor.today();
    let day = |s: &Option<String>| s.as_deref().and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    let from = day(&q.from).unwrap_or_else(|| krousar_domain::indicators::Period::year_of(today).from);
    let to = day(&q.to).unwrap_or(today);
    let form = state.store.custom_form(&cur.actor, id).await?;
    let answers = state.store.custom_form_answers(&cur.actor, id, from, to).await?;
    let km = tr.is_km();
    let count = |pred: &dyn Fn(&krousar_domain::forms::answers::FormAnswers) -> bool| {
        let hits: Vec<&(Uuid, String, _)> = answers.iter().filter(|(_, _, a)| pred(a)).collect();
        let girls = hits.iter().filter(|(_, sex, _)| sex == "female").count();
        tr.t2("msg-count-female", ("total", tr.num(hits.len())), ("female", tr.num(girls)))
    };
    let mut questions = Vec::new();
    if let Some(def) = &form.current {
        for f in def.questions().filter(|f| f.kind.countable()) {
            let values: Vec<(String, String)> = match f.kind {
                FieldKind::YesNo => vec![("yes".into(), tr.t("msg-yes")), ("no".into(), tr.t("msg-no"))],
                _ => f.choices.iter().map(|c| (c.code.clone(), if km || c.en.is_empty() { c.km.clone() } else { c.en.clone() })).collect(),
            };
            // Counted by the field's code, so answers given to earlier versions count too.
            let rows = values
                .into_iter()
                .map(|(code, label)| CountRow {
                    label,
                    count: count(&|a| a.answers.iter().any(|x| x.code == f.code && x.value.counted().contains(&code))),
                })
                .collect();
            questions.push(QuestionCounts { label: f.label(km).to_string(), rows });
        }
    }
    Ok(render(ReportPage {
        l: Layout::new(&cur, form.draft.name(km).to_string(), "/admin/case-settings"),
        id: id.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        answered: count(&|_| true),
        questions,
    }))
}
