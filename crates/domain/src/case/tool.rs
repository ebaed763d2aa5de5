//! Assessment tools an administrator defines as data, without code: a scale and questions
//! grouped in domains, each in Khmer and English. Written as plain lines, so a tool can be
//! typed into a form or pasted from a spreadsheet:
//!
//! ```text
//! 1 | ខ្សោយ | Weak              ← scale levels: value | Khmer | English
//! 4 | ល្អ | Good
//! ---                            ← then questions: domain km | domain en | question km | question en
//! សុខភាព | Health | កុមារញ៉ាំគ្រប់គ្រាន់ | The child eats enough
//! ```

use crate::text;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

pub const MAX_LEVELS: usize = 10;
pub const MAX_QUESTIONS: usize = 80;
const MAX_TEXT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Level {
    pub value: i32,
    pub km: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Question {
    /// Stable within the tool: `q1`, `q2`, … in the order written.
    pub code: String,
    pub domain_km: String,
    pub domain_en: String,
    pub km: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ToolDefinition {
    pub name_km: String,
    pub name_en: String,
    pub levels: Vec<Level>,
    pub questions: Vec<Question>,
}

fn cell(e: &mut Invalid, raw: &str) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() || v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
        e.push("definition", "err-tool-line");
        return None;
    }
    Some(v.to_string())
}

/// Parse and check a tool written as lines (see the module comment).
pub fn parse(name_km: Option<&str>, name_en: Option<&str>, definition: &str) -> Result<ToolDefinition, Invalid> {
    let mut e = Invalid::default();
    let name_km = text::required(&mut e, "name_km", name_km, 120);
    let name_en = text::required(&mut e, "name_en", name_en, 120);
    let mut levels: Vec<Level> = Vec::new();
    let mut questions = Vec::new();
    let mut in_questions = false;
    for line in definition.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if line.chars().all(|c| c == '-') {
            in_questions = true;
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        if !in_questions {
            let value = parts.first().and_then(|v| crate::child::parse_number::<i32>(v));
            match (parts.len(), value) {
                (3, Some(value)) if (0..=100).contains(&value) => {
                    if let (Some(km), Some(en)) = (cell(&mut e, parts[1]), cell(&mut e, parts[2])) {
                        levels.push(Level { value, km, en });
                    }
                }
                _ => e.push("definition", "err-tool-level"),
            }
        } else if parts.len() == 4 {
            let cells: Vec<Option<String>> = parts.iter().map(|p| cell(&mut e, p)).collect();
            if let [Some(dk), Some(de), Some(qk), Some(qe)] = &cells[..] {
                questions.push(Question {
                    code: format!("q{}", questions.len() + 1),
                    domain_km: dk.clone(),
                    domain_en: de.clone(),
                    km: qk.clone(),
                    en: qe.clone(),
                });
            }
        } else {
            e.push("definition", "err-tool-question");
        }
    }
    levels.sort_by_key(|l| l.value);
    if levels.len() < 2 || levels.len() > MAX_LEVELS || levels.windows(2).any(|w| w[0].value == w[1].value) {
        e.push("definition", "err-tool-scale");
    }
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        e.push("definition", "err-tool-questions");
    }
    e.errors.dedup();
    e.into_result(ToolDefinition { name_km, name_en, levels, questions })
}

impl ToolDefinition {
    /// The definition written back as lines, for editing a copy.
    pub fn to_lines(&self) -> String {
        let mut out: Vec<String> = self.levels.iter().map(|l| format!("{} | {} | {}", l.value, l.km, l.en)).collect();
        out.push("---".into());
        out.extend(self.questions.iter().map(|q| format!("{} | {} | {} | {}", q.domain_km, q.domain_en, q.km, q.en)));
        out.join("\n")
    }

    /// Answers from a form (`<question code>` → level value): every question answered with a
    /// value of the scale.
    pub fn answers(&self, raw: &std::collections::BTreeMap<String, String>) -> Result<Vec<(String, i32)>, Invalid> {
        let mut e = Invalid::default();
        let mut out = Vec::new();
        for q in &self.questions {
            match raw.get(&q.code).and_then(|v| crate::child::parse_number::<i32>(v)) {
                Some(v) if self.levels.iter().any(|l| l.value == v) => out.push((q.code.clone(), v)),
                _ => e.push("answers", "err-tool-answer"),
            }
        }
        e.errors.dedup();
        e.into_result(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOOL: &str = "1 | ខ្សោយ | Weak\n4 | ល្អ | Good\n---\nសុខភាព | Health | កុមារញ៉ាំគ្រប់គ្រាន់ | The child eats enough\nសាលា | School | ទៅរៀន | Goes to school\n";

    #[test]
    fn a_tool_is_parsed_from_lines_and_round_trips() {
        let t = parse(Some("ឧបករណ៍"), Some("Tool"), TOOL).unwrap();
        assert_eq!(t.levels.len(), 2);
        assert_eq!(t.questions[1].code, "q2");
        assert_eq!(t.questions[1].en, "Goes to school");
        assert_eq!(parse(Some("ឧបករណ៍"), Some("Tool"), &t.to_lines()).unwrap(), t);
    }

    #[test]
    fn broken_tools_are_refused_with_reasons() {
        assert_eq!(
            parse(Some("a"), Some("b"), "1 | x | y\n---\nd | d | q | q").unwrap_err().for_field("definition"),
            Some("err-tool-scale")
        );
        assert_eq!(
            parse(Some("a"), Some("b"), "1 | x | y\n2 | x | y\n---\n").unwrap_err().for_field("definition"),
            Some("err-tool-questions")
        );
        assert_eq!(
            parse(Some("a"), Some("b"), "one | x | y\n2 | x | y\n---\nd|d|q|q").unwrap_err().for_field("definition"),
            Some("err-tool-level")
        );
        assert_eq!(
            parse(Some("a"), Some("b"), "1 | x | y\n2 | x | y\n---\nd|d|q").unwrap_err().for_field("definition"),
            Some("err-tool-question")
        );
        assert_eq!(parse(None, Some("b"), TOOL).unwrap_err().for_field("name_km"), Some("err-required"));
    }

    #[test]
    fn answers_must_be_on_the_scale() {
        let t = parse(Some("ឧបករណ៍"), Some("Tool"), TOOL).unwrap();
        let mut raw = std::collections::BTreeMap::new();
        raw.insert("q1".to_string(), "4".to_string());
        raw.insert("q2".to_string(), "3".to_string());
        assert_eq!(t.answers(&raw).unwrap_err().for_field("answers"), Some("err-tool-answer"));
        raw.insert("q2".to_string(), "១".to_string());
        assert_eq!(t.answers(&raw).unwrap(), vec![("q1".to_string(), 4), ("q2".to_string(), 1)]);
    }
}
