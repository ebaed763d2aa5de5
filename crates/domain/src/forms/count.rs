//! Counting a form's answers, one definition for the report's figures and for the records
//! listed behind each: a cell holds the records whose latest answer gives a value to a
//! question (or every record that answered), within one column of a breakdown (or all).
//! Counted by the fields' and choices' codes, so answers given to earlier versions count too.

use super::answers::FormAnswers;

/// A question's code and one of its values (`yes`/`no`, a choice's code).
pub type Given = (String, String);

/// One cell of a form's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// The row: records answering this value (none: every record that answered).
    pub row: Option<Given>,
    /// The column of the breakdown: records answering this value (none: all).
    pub column: Option<Given>,
}

impl Cell {
    pub fn holds(&self, a: &FormAnswers) -> bool {
        [&self.row, &self.column].into_iter().all(|g| g.as_ref().is_none_or(|(code, value)| answered(a, code, value)))
    }
}

/// Whether the answers include `value` for the question `code`.
pub fn answered(a: &FormAnswers, code: &str, value: &str) -> bool {
    a.answers.iter().any(|x| x.code == code && x.value.counted().iter().any(|c| c == value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::answers::{Answer, AnswerValue};

    fn answers(values: &[(&str, AnswerValue)]) -> FormAnswers {
        FormAnswers {
            form_id: uuid::Uuid::nil(),
            version_id: uuid::Uuid::nil(),
            version: 1,
            name_km: "ក".into(),
            name_en: String::new(),
            answered_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            answers: values
                .iter()
                .map(|(code, value)| Answer {
                    code: code.to_string(),
                    label_km: String::new(),
                    label_en: String::new(),
                    value: value.clone(),
                    shown_km: String::new(),
                    shown_en: String::new(),
                    score: None,
                    section_km: String::new(),
                    section_en: String::new(),
                })
                .collect(),
        }
    }

    fn given(code: &str, value: &str) -> Option<Given> {
        Some((code.into(), value.into()))
    }

    #[test]
    fn a_cell_holds_answers_matching_its_row_and_its_column() {
        let a = answers(&[("f1", AnswerValue::YesNo(true)), ("f2", AnswerValue::Several(vec!["c1".into(), "c3".into()]))]);
        assert!(Cell::default().holds(&a), "every answer is in the 'answered, all' cell");
        assert!(Cell { row: given("f2", "c3"), column: given("f1", "yes") }.holds(&a));
        assert!(!Cell { row: given("f2", "c2"), column: None }.holds(&a));
        assert!(!Cell { row: given("f2", "c1"), column: given("f1", "no") }.holds(&a));
        assert!(!Cell { row: given("f9", "yes"), column: None }.holds(&a), "a question not answered holds nothing");
        let text = answers(&[("f1", AnswerValue::Text("yes".into()))]);
        assert!(!Cell { row: given("f1", "yes"), column: None }.holds(&text), "a text answer is not counted by value");
    }
}
