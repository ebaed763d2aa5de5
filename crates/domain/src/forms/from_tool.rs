//! An assessment tool written as lines (`case::tool`) moved onto the form builder: each domain
//! a section, each question a required one-choice question whose choices are the tool's scale,
//! each scored with its level's value. Built through the builder's own checks, so the form is
//! one the administrator could have built by hand.

use super::definition::FieldInput;
use super::FormDef;
use crate::case::tool::ToolDefinition;
use crate::validation::Invalid;

impl FormDef {
    pub fn from_tool(tool: &ToolDefinition) -> Result<FormDef, Invalid> {
        let mut form = FormDef::named(Some(&tool.name_km), Some(&tool.name_en))?;
        let lines = |f: &dyn Fn(&crate::case::tool::Level) -> String| tool.levels.iter().map(f).collect::<Vec<_>>().join("\n");
        let (choices_km, choices_en, scores) = (lines(&|l| l.km.clone()), lines(&|l| l.en.clone()), lines(&|l| l.value.to_string()));
        let mut domain: Option<(&str, &str)> = None;
        for q in &tool.questions {
            if domain != Some((&q.domain_km, &q.domain_en)) {
                domain = Some((&q.domain_km, &q.domain_en));
                form.add_field(&FieldInput {
                    kind: Some("section".into()),
                    label_km: Some(q.domain_km.clone()),
                    label_en: Some(q.domain_en.clone()),
                    ..Default::default()
                })?;
            }
            form.add_field(&FieldInput {
                kind: Some("one_choice".into()),
                label_km: Some(q.km.clone()),
                label_en: Some(q.en.clone()),
                required: Some("on".into()),
                choices_km: Some(choices_km.clone()),
                choices_en: Some(choices_en.clone()),
                scores: Some(scores.clone()),
                ..Default::default()
            })?;
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::answers::{validate, Known};
    use crate::forms::FieldKind;
    use std::collections::BTreeMap;

    #[test]
    fn a_tool_becomes_a_scored_form_with_its_domains_as_sections() {
        let text = "1 | ខ្សោយ | Weak\n4 | ល្អ | Good\n---\nសុខភាព | Health | ញ៉ាំគ្រប់ | Eats enough\nសុខភាព | Health | គេង | Sleeps well\nសាលា | School | ទៅសាលា | Goes to school";
        let tool = crate::case::tool::parse(Some("ឧបករណ៍"), Some("Tool"), text).unwrap();
        let form = FormDef::from_tool(&tool).unwrap();
        let kinds: Vec<FieldKind> = form.fields.iter().map(|f| f.kind).collect();
        use FieldKind::{OneChoice as Q, Section as S};
        assert_eq!(kinds, [S, Q, Q, S, Q]);
        assert_eq!(form.fields[1].choices.iter().map(|c| c.score).collect::<Vec<_>>(), [Some(1), Some(4)]);
        assert!(form.check_publishable().is_ok());
        // Answered: scores add up by section and in all.
        let raw: BTreeMap<String, Vec<String>> =
            [("f2", "c2"), ("f3", "c1"), ("f5", "c2")].iter().map(|(k, v)| (k.to_string(), vec![v.to_string()])).collect();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let (_, answers) = validate(&form, Some("2026-12-07"), &raw, today, &Known::default()).unwrap();
        let kept = crate::forms::answers::FormAnswers {
            form_id: uuid::Uuid::nil(),
            version_id: uuid::Uuid::nil(),
            version: 1,
            name_km: form.name_km.clone(),
            name_en: form.name_en.clone(),
            answered_on: today,
            answers,
        };
        let totals = kept.totals().unwrap();
        assert_eq!(totals.total, 9);
        assert_eq!(totals.sections, [("សុខភាព".to_string(), "Health".to_string(), 5), ("សាលា".into(), "School".into(), 4)]);
    }
}
