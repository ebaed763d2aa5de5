//! Reading answers to an organisation's own form from a workbook: the template's headings (or
//! the questions' own words) find the columns; choices by their words in either language or
//! by code; every problem named by row and column; hostile sheets never panic.

use chrono::NaiveDate;
use krousar_domain::forms::answers::{AnswerValue, Known};
use krousar_domain::forms::definition::FieldInput;
use krousar_domain::forms::FormDef;
use krousar_import::form_answers::{headings, read_answers};
use krousar_import::workbook::{Cell, Row, Sheet, Workbook};
use proptest::prelude::*;

fn form() -> FormDef {
    let mut f = FormDef::named(Some("ការពិនិត្យផ្ទះ"), Some("Home check")).unwrap();
    let field = |kind: &str, km: &str, en: &str, ckm: &str, cen: &str, required: bool| FieldInput {
        kind: Some(kind.into()),
        label_km: Some(km.into()),
        label_en: Some(en.into()),
        choices_km: Some(ckm.into()),
        choices_en: Some(cen.into()),
        required: required.then(|| "on".into()),
        ..Default::default()
    };
    f.add_field(&field("one_choice", "ទឹកស្អាត", "Clean water", "មាន\nគ្មាន", "Yes\nNo", true)).unwrap();
    f.add_field(&field("several_choices", "ជំនួយ", "Support", "អាហារ\nសាលា\nសុខភាព", "Food\nSchool\nHealth", false)).unwrap();
    f.add_field(&field("number", "សមាជិក", "Members", "", "", false)).unwrap();
    f.add_field(&field("yes_no", "មានប័ណ្ណសមធម៌", "ID Poor card", "", "", false)).unwrap();
    f
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn sheet(rows: Vec<Vec<Cell>>) -> Workbook {
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, cells)| Row { number: i as u32 + 1, cells: cells.into_iter().enumerate().map(|(c, v)| (c as u32, v)).collect() })
        .collect();
    Workbook { sheets: vec![Sheet { name: "Answers".into(), hidden: false, rows, formulas: vec![], merged: vec![] }] }
}

#[test]
fn the_template_reads_back_with_words_in_either_language() {
    let def = form();
    let head: Vec<Cell> = headings(&def, "Case number", "Date filled in", false).iter().map(|h| text(h)).collect();
    assert_eq!(head.len(), 6);
    let wb = sheet(vec![
        head,
        vec![
            text("KR-000012"),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
            text("គ្មាន"),
            text("Food; health"),
            Cell::Number(5.0),
            text("yes"),
        ],
        vec![text("KR-000013"), text("2026-12-01"), text("c1"), text(""), text("៣"), Cell::Bool(false)],
    ]);
    let lines = read_answers(&def, &wb, today(), false, &Known::default()).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].case_number, "KR-000012");
    assert_eq!(lines[0].answered_on.to_string(), "2026-11-30");
    let values: Vec<&AnswerValue> = lines[0].answers.iter().map(|a| &a.value).collect();
    assert_eq!(
        values,
        [
            &AnswerValue::One("c2".into()),
            &AnswerValue::Several(vec!["c1".into(), "c3".into()]),
            &AnswerValue::Number(5),
            &AnswerValue::YesNo(true)
        ]
    );
    assert_eq!(lines[1].answers.len(), 3, "an empty cell is no answer");
    assert_eq!(lines[1].answers[2].value, AnswerValue::YesNo(false));
}

#[test]
fn a_sheet_headed_by_the_questions_words_is_read_too_and_problems_name_row_and_column() {
    let def = form();
    let wb = sheet(vec![
        vec![text("Case number [case_number]"), text("Date filled in [answered_on]"), text("ទឹកស្អាត"), text("members")],
        vec![text("KR-1"), text("2026-12-01"), text("Maybe"), text("7")],
        vec![text(""), text("2026-12-01"), text("Yes"), text("7")],
        vec![text("KR-3"), text("2099-01-01"), text("Yes"), text("lots")],
        vec![text("KR-4"), text("2026-12-01"), text(""), text("")],
    ]);
    let problems = read_answers(&def, &wb, today(), false, &Known::default()).unwrap_err();
    let seen: Vec<(u32, &str, &str)> = problems.iter().map(|p| (p.line, p.column.as_str(), p.key)).collect();
    assert!(seen.contains(&(2, "ទឹកស្អាត", "err-invalid-choice")), "{seen:?}");
    assert!(seen.contains(&(3, "Case number [case_number]", "err-required")), "{seen:?}");
    assert!(seen.contains(&(4, "Date filled in [answered_on]", "err-date-future")), "{seen:?}");
    assert!(seen.iter().any(|(l, c, _)| *l == 4 && *c == "members"), "an English heading in other case: {seen:?}");
    assert!(seen.contains(&(5, "ទឹកស្អាត", "err-required")), "a required question left empty: {seen:?}");
    // No case number column at all.
    let wb = sheet(vec![vec![text("ទឹកស្អាត")], vec![text("មាន")]]);
    assert_eq!(read_answers(&def, &wb, today(), true, &Known::default()).unwrap_err()[0].key, "err-form-import-no-case-column");
    assert_eq!(read_answers(&def, &Workbook::default(), today(), true, &Known::default()).unwrap_err()[0].key, "err-form-import-empty");
}

fn any_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        ".{0,12}".prop_map(Cell::Text),
        any::<f64>().prop_map(Cell::Number),
        any::<bool>().prop_map(Cell::Bool),
        (-200_000i32..200_000).prop_map(|d| Cell::Date(NaiveDate::from_num_days_from_ce_opt(730_000 + d).unwrap())),
        prop::sample::select(vec!["c1", "c2", "c9", "មាន", "Food;School", "[f1]", "[case_number]", "2026-02-30", "١٢"])
            .prop_map(|s| Cell::Text(s.into())),
    ]
}

proptest! {
    /// Any cells under any headings: rows come back checked or with problems, never a panic,
    /// and a row read is one the page would have accepted.
    #[test]
    fn a_hostile_sheet_never_panics(head in prop::collection::vec(any_cell(), 0..7), rows in prop::collection::vec(prop::collection::vec(any_cell(), 0..8), 0..6)) {
        let def = form();
        let mut all = vec![head];
        all.extend(rows);
        if let Ok(lines) = read_answers(&def, &sheet(all), today(), true, &Known::default()) {
            for l in lines {
                prop_assert!(!l.case_number.is_empty());
                prop_assert!(l.answered_on <= today());
                prop_assert!(l.answers.iter().any(|a| a.code == "f1"), "the required question is answered");
            }
        }
    }
}
