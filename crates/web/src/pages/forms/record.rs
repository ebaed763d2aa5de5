//! The organisation's own forms on a record's page (a child's, a household's, a carer
//! household's): each form filled in on the record,
//! what its latest answer says (with who and when, and how many earlier answers are kept), and
//! a button to fill it in again; answers to retired forms stay readable.

use crate::auth::Current;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::AppState;
use krousar_domain::forms::answers::{AnswerValue, FormAnswers};
use krousar_store::children::Child;
use krousar_store::custom_form_records::{Holder, RecordAnswer};
use uuid::Uuid;

/// One answered form as lines: "name · version N", then "question: answer" each.
pub fn answer_lines(tr: Tr, b: &FormAnswers) -> Vec<String> {
    let km = tr.is_km();
    let name = if km || b.name_en.is_empty() { &b.name_km } else { &b.name_en };
    let mut lines = vec![format!("{name} · {}", tr.t1("msg-form-version", "version", tr.num(b.version)))];
    for a in &b.answers {
        let label = if km || a.label_en.is_empty() { &a.label_km } else { &a.label_en };
        let shown = match &a.value {
            AnswerValue::Date(d) => tr.date(*d),
            AnswerValue::Number(n) => tr.num(n),
            _ if km => a.shown_km.clone(),
            _ => a.shown_en.clone(),
        };
        lines.push(format!("{label}: {shown}"));
    }
    if let Some(line) = totals_line(tr, b) {
        lines.push(line);
    }
    lines
}

/// A scored form's totals in words: "Total score: 9 (Health 5 · School 4)".
pub fn totals_line(tr: Tr, b: &FormAnswers) -> Option<String> {
    let t = b.totals()?;
    let km = tr.is_km();
    let parts: Vec<String> =
        t.sections.iter().map(|(s_km, s_en, n)| format!("{} {}", if km || s_en.is_empty() { s_km } else { s_en }, tr.num(n))).collect();
    let total = tr.t1("msg-form-total", "total", tr.num(t.total));
    Some(if parts.is_empty() { total } else { format!("{total} ({})", parts.join(" · ")) })
}

/// An answer as the values a form would post, to start an update from what the record says.
pub fn values_of(a: &FormAnswers) -> std::collections::BTreeMap<String, Vec<String>> {
    a.answers
        .iter()
        .map(|x| {
            let v = match &x.value {
                AnswerValue::Text(t) => vec![t.clone()],
                AnswerValue::Number(n) => vec![n.to_string()],
                AnswerValue::Date(d) => vec![d.to_string()],
                AnswerValue::YesNo(b) => vec![if *b { "yes" } else { "no" }.to_string()],
                AnswerValue::One(c) => vec![c.clone()],
                AnswerValue::Several(cs) => cs.clone(),
                AnswerValue::Place(code) | AnswerValue::Person(code) | AnswerValue::File(code) => vec![code.clone()],
            };
            (x.code.clone(), v)
        })
        .collect()
}

pub struct RecordForm {
    pub id: String,
    pub name: String,
    /// The page to fill it in ("" for a retired form or a reader who may not).
    pub fill: String,
    /// The latest answer's lines (without the first, the name).
    pub lines: Vec<String>,
    /// "30 November 2026 · Chan Sokha" of the latest answer ("" if none).
    pub when: String,
    /// Earlier answers, newest first (each kept as it was given).
    pub earlier: Vec<Earlier>,
}

pub struct Earlier {
    pub when: String,
    pub lines: Vec<String>,
}

/// A record's own forms for this reader (`answers`: what the record holds, `None` if they do not
/// read it in full): the forms in use of its kind, then any other form answered on it (retired
/// since); `can_fill`: whether they may fill them in.
pub async fn record_forms(
    state: &AppState,
    cur: &Current,
    holder: Holder,
    record_org: Uuid,
    answers: Option<Vec<RecordAnswer>>,
    can_fill: bool,
) -> Result<Option<Vec<RecordForm>>, PageError> {
    let tr = cur.tr;
    let Some(answers) = answers else { return Ok(None) };
    let own = record_org == cur.actor.org_id;
    let can_fill = can_fill && own;
    let forms: Vec<_> = if own {
        state.store.custom_forms(cur.actor.org_id, true).await?.into_iter().filter(|f| f.target == holder.target()).collect()
    } else {
        Vec::new()
    };
    let mut ids: Vec<Uuid> = forms.iter().map(|f| f.id).collect();
    for a in &answers {
        if !ids.contains(&a.answers.form_id) {
            ids.push(a.answers.form_id);
        }
    }
    let out = ids
        .into_iter()
        .map(|id| {
            let mine: Vec<_> = answers.iter().filter(|a| a.answers.form_id == id).collect();
            let form = forms.iter().find(|f| f.id == id);
            let name = match (form, mine.first()) {
                (Some(f), _) => f.current.as_ref().unwrap_or(&f.draft).name(tr.is_km()).to_string(),
                (None, Some(a)) => answer_lines(tr, &a.answers)[0].clone(),
                (None, None) => String::new(),
            };
            RecordForm {
                id: id.to_string(),
                name,
                fill: if form.is_some() && can_fill { format!("{}/forms/{id}", holder.path()) } else { String::new() },
                lines: mine.first().map(|a| answer_lines(tr, &a.answers).into_iter().skip(1).collect()).unwrap_or_default(),
                when: mine.first().map(|a| format!("{} · {}", tr.date(a.answers.answered_on), a.recorded_by)).unwrap_or_default(),
                earlier: mine
                    .iter()
                    .skip(1)
                    .map(|a| Earlier {
                        when: format!("{} · {}", tr.date(a.answers.answered_on), a.recorded_by),
                        lines: answer_lines(tr, &a.answers).into_iter().skip(1).collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Some(out))
}

/// The child's record's own forms.
pub async fn child_forms(state: &AppState, cur: &Current, child: &Child) -> Result<Option<Vec<RecordForm>>, PageError> {
    let answers = state.store.child_form_answers(&cur.actor, child).await?;
    let can_fill = krousar_store::custom_form_records::may_answer(&cur.actor, child);
    record_forms(state, cur, Holder::Child(child.id), child.org_id, answers, can_fill).await
}
