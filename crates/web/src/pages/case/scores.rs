//! A case's scored forms over time, as the CSI is compared: for each of the organisation's
//! forms with scores answered on the case, every assessment newest first with its total, its
//! change since the one before, and each section's total.

use crate::i18n::Tr;
use krousar_domain::entry_of;
use krousar_domain::forms::answers::Totals;
use krousar_store::cases::CaseFile;
use uuid::Uuid;

pub struct ScoreRow {
    pub date: String,
    pub total: String,
    /// "+3 since 2 March 2026" ("" for the first).
    pub change: String,
    /// "Health 5 · School 4".
    pub sections: String,
}

pub struct ScoredForm {
    pub name: String,
    pub rows: Vec<ScoreRow>,
}

fn sections(tr: Tr, t: &Totals) -> String {
    let km = tr.is_km();
    t.sections
        .iter()
        .map(|(s_km, s_en, n)| format!("{} {}", if km || s_en.is_empty() { s_km } else { s_en }, tr.num(n)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// An assessment's day and totals.
type Dated = (String, Totals);

pub fn scored_forms(tr: Tr, file: &CaseFile) -> Vec<ScoredForm> {
    // (form, its name as last answered, (day, totals) oldest first)
    let mut forms: Vec<(Uuid, String, Vec<Dated>)> = Vec::new();
    for (e, a) in file.all_of(entry_of!(CustomForm)) {
        let Some(t) = a.totals() else { continue };
        let name = if tr.is_km() || a.name_en.is_empty() { a.name_km.clone() } else { a.name_en.clone() };
        match forms.iter_mut().find(|(id, _, _)| *id == a.form_id) {
            Some(f) => {
                f.1 = name;
                f.2.push((e.occurred_on.clone(), t));
            }
            None => forms.push((a.form_id, name, vec![(e.occurred_on.clone(), t)])),
        }
    }
    forms
        .into_iter()
        .map(|(_, name, list)| {
            let mut rows: Vec<ScoreRow> = list
                .iter()
                .enumerate()
                .map(|(i, (day, t))| {
                    let change = match i.checked_sub(1).and_then(|j| list.get(j)) {
                        Some((before_day, before)) => {
                            let d = t.total - before.total;
                            let signed = if d > 0 {
                                format!("+{}", tr.num(d))
                            } else if d < 0 {
                                format!("−{}", tr.num(-d))
                            } else {
                                tr.num(0)
                            };
                            tr.t2("msg-form-score-since", ("change", signed), ("date", tr.day(before_day)))
                        }
                        None => String::new(),
                    };
                    ScoreRow { date: tr.day(day), total: tr.num(t.total), change, sections: sections(tr, t) }
                })
                .collect();
            rows.reverse();
            ScoredForm { name, rows }
        })
        .collect()
}
