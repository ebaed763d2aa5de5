//! Building, versioning and answering forms; a property test that no answer ever loses its
//! question, whatever is edited and published after it.

use super::answers::{validate, AnswerValue, Known};
use super::definition::{FieldInput, Move};
use super::{FieldKind, FormDef};
use chrono::NaiveDate;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn field(kind: &str, km: &str, choices: &str) -> FieldInput {
    FieldInput {
        kind: Some(kind.into()),
        label_km: Some(km.into()),
        label_en: Some(format!("{km} (en)")),
        choices_km: Some(choices.into()),
        ..Default::default()
    }
}

fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        m.entry(k.to_string()).or_default().push(v.to_string());
    }
    m
}

#[test]
fn a_form_is_built_field_by_field_and_checked() {
    let mut f = FormDef::named(Some("ការវាយតម្លៃផ្ទះ"), Some("Home check")).unwrap();
    assert!(f.check_publishable().is_err(), "nothing asked yet");
    assert_eq!(f.add_field(&field("section", "ផ្ទះ", "")).unwrap(), "f1");
    let mut water = field("one_choice", "ទឹកស្អាត", "មាន\nគ្មាន");
    water.required = Some("on".into());
    assert_eq!(f.add_field(&water).unwrap(), "f2");
    let mut age = field("number", "អាយុ", "");
    (age.min, age.max) = (Some("0".into()), Some("25".into()));
    f.add_field(&age).unwrap();
    f.check_publishable().unwrap();
    // Bad fields say why.
    assert!(f.add_field(&field("one_choice", "x", "only one")).unwrap_err().has("choices_km"));
    assert!(f.add_field(&field("colour", "x", "")).unwrap_err().has("kind"));
    let mut bad = field("number", "x", "");
    (bad.min, bad.max) = (Some("5".into()), Some("1".into()));
    assert!(f.add_field(&bad).unwrap_err().has("max"));
    assert!(f.add_field(&field("text", "", "")).unwrap_err().has("label_km"));
    // A code is never reused, even after a removal.
    assert!(f.remove_field("f3"));
    assert_eq!(f.add_field(&field("date", "ថ្ងៃ", "")).unwrap(), "f4");
    assert!(f.move_field("f4", Move::Up));
    assert_eq!(f.fields.iter().map(|x| x.code.as_str()).collect::<Vec<_>>(), ["f1", "f4", "f2"]);
    // Changing a choice's words elsewhere keeps the codes of those that stay.
    let mut water2 = field("one_choice", "ទឹកស្អាត", "គ្មាន\nមានខ្លះ\nមាន");
    water2.required = Some("on".into());
    f.change_field("f2", &water2).unwrap();
    let codes: Vec<(&str, &str)> = f.field("f2").unwrap().choices.iter().map(|c| (c.km.as_str(), c.code.as_str())).collect();
    assert_eq!(codes, [("គ្មាន", "c2"), ("មានខ្លះ", "c3"), ("មាន", "c1")]);
}

#[test]
fn answers_are_checked_like_the_built_in_forms_and_keep_their_words() {
    let mut f = FormDef::named(Some("ទម្រង់"), Some("Form")).unwrap();
    let mut water = field("one_choice", "ទឹកស្អាត", "មាន\nគ្មាន");
    water.choices_en = Some("Yes\nNo".into());
    water.required = Some("on".into());
    f.add_field(&water).unwrap();
    let mut n = field("number", "ចំនួនសមាជិក", "");
    n.max = Some("30".into());
    f.add_field(&n).unwrap();
    f.add_field(&field("several_choices", "ជំនួយ", "អាហារ\nសាលា\nសុខភាព")).unwrap();
    f.add_field(&field("yes_no", "ចុះឈ្មោះ", "")).unwrap();
    let today = d("2026-12-07");
    let e = validate(&f, Some("2026-12-07"), &raw(&[("f2", "99"), ("f4", "maybe")]), today, &Known::default()).unwrap_err();
    assert!(e.has("f1") && e.has("f2") && e.has("f4"), "{e:?}");
    assert!(validate(&f, Some("2027-01-01"), &raw(&[("f1", "c1")]), today, &Known::default()).unwrap_err().has("answered_on"));
    assert!(validate(&f, Some("2026-12-07"), &raw(&[("f1", "c9")]), today, &Known::default()).unwrap_err().has("f1"));
    let (on, a) = validate(
        &f,
        Some("២០២៦-១២-០១"),
        &raw(&[("f1", "c2"), ("f2", "៤"), ("f3", "c1"), ("f3", "c3"), ("f4", "yes")]),
        today,
        &Known::default(),
    )
    .unwrap();
    assert_eq!(on, d("2026-12-01"));
    assert_eq!(a[0].value, AnswerValue::One("c2".into()));
    assert_eq!((a[0].shown_km.as_str(), a[0].shown_en.as_str()), ("គ្មាន", "No"));
    assert_eq!(a[1].value, AnswerValue::Number(4));
    assert_eq!(a[2].value, AnswerValue::Several(vec!["c1".into(), "c3".into()]));
    assert_eq!(a[2].shown_km, "អាហារ, សុខភាព");
    assert_eq!(a[3].value.counted(), ["yes"]);
}

#[test]
fn a_place_is_a_village_of_the_gazetteer_kept_with_its_path() {
    let mut f = FormDef::named(Some("ទីកន្លែង"), None).unwrap();
    let mut place = field("place", "ភូមិកំណើត", "");
    place.required = Some("on".into());
    f.add_field(&place).unwrap();
    assert_eq!(f.fields[0].kind, FieldKind::Place);
    let today = d("2026-12-07");
    let given = raw(&[("f1", "02020101")]);
    assert_eq!(super::answers::place_codes(&f, &given), ["02020101"]);
    let mut places = Known::default();
    places.places.insert("02020101".into(), ("ភូមិ ក, ខេត្ត បាត់ដំបង".into(), "Village A, Battambang".into()));
    let (_, a) = validate(&f, Some("2026-12-07"), &given, today, &places).unwrap();
    assert_eq!(a[0].value, AnswerValue::Place("02020101".into()));
    assert_eq!(a[0].shown_en, "Village A, Battambang");
    assert!(a[0].value.counted().is_empty(), "places are not counted by value");
    // A code not found in the gazetteer, a province's code, words, or two villages: refused.
    for bad in [&[("f1", "99999999")][..], &[("f1", "02")], &[("f1", "Battambang")], &[("f1", "02020101"), ("f1", "02020101")]] {
        let r = raw(bad);
        assert!(super::answers::place_codes(&f, &r).iter().all(|c| c.len() == 8), "only village codes are looked up");
        assert!(validate(&f, Some("2026-12-07"), &r, today, &places).unwrap_err().has("f1"), "{bad:?}");
    }
}

#[test]
fn a_person_is_a_member_of_the_records_household() {
    use super::answers::{person_key, person_names};
    let mut f = FormDef::named(Some("អ្នកថែទាំ"), None).unwrap();
    f.add_field(&field("person", "អ្នកថែទាំចម្បង", "")).unwrap();
    let mother = person_key(Some("សុខ ចាន់ធី"), Some("Sok Chanthy"));
    let mut known = Known::default();
    known.people.insert(mother.clone(), person_names(Some("សុខ ចាន់ធី"), Some("Sok Chanthy")));
    let today = d("2026-12-07");
    let (_, a) = validate(&f, Some("2026-12-07"), &raw(&[("f1", &mother)]), today, &known).unwrap();
    assert_eq!(a[0].value, AnswerValue::Person(mother.clone()));
    assert_eq!((a[0].shown_km.as_str(), a[0].shown_en.as_str()), ("សុខ ចាន់ធី", "Sok Chanthy"));
    assert_eq!(person_names(None, Some("Dara")), ("Dara".to_string(), "Dara".to_string()), "one name serves both readers");
    // Someone not in the household, or two people: refused.
    let stranger = person_key(Some("គ"), None);
    assert!(validate(&f, Some("2026-12-07"), &raw(&[("f1", &stranger)]), today, &known).unwrap_err().has("f1"));
    assert!(validate(&f, Some("2026-12-07"), &raw(&[("f1", &mother), ("f1", &mother)]), today, &known).unwrap_err().has("f1"));
}

#[test]
fn scores_are_given_for_every_choice_or_none() {
    let mut f = FormDef::named(Some("ការវាយតម្លៃ"), None).unwrap();
    let mut q = field("one_choice", "សុខភាព", "ល្អ\nមធ្យម\nខ្សោយ");
    q.scores = Some("3\n2".into());
    assert!(f.add_field(&q).unwrap_err().has("scores"), "one score missing");
    q.scores = Some("3\n2\nbad".into());
    assert!(f.add_field(&q).unwrap_err().has("scores"));
    q.scores = Some("3\n2\n5000".into());
    assert!(f.add_field(&q).unwrap_err().has("scores"), "out of range");
    q.scores = Some("៣\n2\n-1".into());
    f.add_field(&q).unwrap();
    assert_eq!(f.fields[0].choices.iter().map(|c| c.score).collect::<Vec<_>>(), [Some(3), Some(2), Some(-1)]);
    // Back on the builder's form with its scores, and unchanged when saved again.
    let again = FieldInput::of(&f.fields[0]);
    assert_eq!(again.scores.as_deref(), Some("3\n2\n-1"));
    assert_eq!(again.validate("f1".into(), Some(&f.fields[0])).unwrap(), f.fields[0]);
}

/// One step of a random history of a form.
#[derive(Debug, Clone)]
enum Step {
    Add(u8),
    Change(usize, u8),
    Remove(usize),
    Move(usize, bool),
    Publish,
    Answer(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..8).prop_map(Step::Add),
        (0usize..20, 0u8..8).prop_map(|(i, k)| Step::Change(i, k)),
        (0usize..20).prop_map(Step::Remove),
        (0usize..20, any::<bool>()).prop_map(|(i, up)| Step::Move(i, up)),
        Just(Step::Publish),
        any::<u8>().prop_map(Step::Answer),
    ]
}

const KINDS: [&str; 8] = ["text", "long_text", "number", "date", "yes_no", "one_choice", "several_choices", "section"];

proptest! {
    /// Whatever is added, changed, removed, moved and published, in any order: a published
    /// version never changes; every answer names only questions of its own version, with that
    /// version's words; and a field code is never given to another question.
    #[test]
    fn no_answer_ever_loses_its_question(steps in proptest::collection::vec(step(), 1..40)) {
        let mut draft = FormDef::named(Some("ទម្រង់"), Some("Form")).unwrap();
        let mut versions: Vec<FormDef> = Vec::new();
        let mut frozen: Vec<String> = Vec::new();
        let mut answers = Vec::new();
        let mut labels_of_code: BTreeMap<String, FieldKind> = BTreeMap::new();
        for s in steps {
            match s {
                Step::Add(k) => {
                    if let Ok(code) = draft.add_field(&field(KINDS[k as usize], &format!("សំណួរ {k}"), "ក\nខ\nគ")) {
                        prop_assert!(!labels_of_code.contains_key(&code), "code {} given twice", code);
                        labels_of_code.insert(code, draft.fields.last().unwrap().kind);
                    }
                }
                Step::Change(i, k) => {
                    if let Some(code) = draft.fields.get(i).map(|f| f.code.clone()) {
                        let _ = draft.change_field(&code, &field(KINDS[k as usize], &format!("ប្ដូរ {k}"), "ខ\nគ\nឃ"));
                    }
                }
                Step::Remove(i) => {
                    if let Some(code) = draft.fields.get(i).map(|f| f.code.clone()) {
                        draft.remove_field(&code);
                    }
                }
                Step::Move(i, up) => {
                    if let Some(code) = draft.fields.get(i).map(|f| f.code.clone()) {
                        draft.move_field(&code, if up { Move::Up } else { Move::Down });
                    }
                }
                Step::Publish => {
                    if draft.check_publishable().is_ok() {
                        versions.push(draft.clone());
                        frozen.push(serde_json::to_string(&draft).unwrap());
                    }
                }
                Step::Answer(seed) => {
                    if let Some(v) = versions.last() {
                        // Answer every question with something of its kind (some answers wrong).
                        let mut r = BTreeMap::new();
                        for q in v.questions() {
                            let value = match q.kind {
                                FieldKind::Number => (seed % 50).to_string(),
                                FieldKind::Date => "2026-01-01".into(),
                                FieldKind::YesNo => if seed % 2 == 0 { "yes".into() } else { "no".into() },
                                FieldKind::OneChoice | FieldKind::SeveralChoices => q.choices[seed as usize % q.choices.len()].code.clone(),
                                _ => format!("ចម្លើយ {seed}"),
                            };
                            r.insert(q.code.clone(), vec![value]);
                        }
                        if let Ok((_, a)) = validate(v, Some("2026-12-01"), &r, d("2026-12-07"), &Known::default()) {
                            answers.push((versions.len() - 1, a));
                        }
                    }
                }
            }
        }
        for (v, json) in versions.iter().zip(&frozen) {
            prop_assert_eq!(&serde_json::to_string(v).unwrap(), json, "a published version changed");
        }
        for (v, a) in &answers {
            for ans in a {
                let q = versions[*v].field(&ans.code);
                prop_assert!(q.is_some(), "answer to {} has no question in its version", ans.code);
                let q = q.unwrap();
                prop_assert_eq!(&q.label_km, &ans.label_km, "the answer keeps its version's words");
                for c in ans.value.counted().iter().filter(|c| *c != "yes" && *c != "no") {
                    prop_assert!(q.choice(c).is_some(), "choice {} not in its version", c);
                }
            }
        }
    }
}

fn built() -> FormDef {
    let mut f = FormDef::named(Some("ការវាយតម្លៃផ្ទះ"), Some("Home check")).unwrap();
    f.add_field(&field("section", "ផ្ទះ", "")).unwrap();
    f.add_field(&field("one_choice", "ទឹកស្អាត", "មាន\nគ្មាន")).unwrap();
    f.add_field(&field("several_choices", "ជំនួយ", "អាហារ\nសាលា\nសុខភាព")).unwrap();
    f.remove_field("f1");
    f
}

#[test]
fn a_definition_file_reads_back_as_the_same_form() {
    use super::file::{from_file, to_file};
    let f = built();
    assert_eq!(
        from_file(&to_file(&f, super::FormTarget::Child)).unwrap(),
        (f.clone(), super::FormTarget::Child),
        "codes, words, the next number and where it is filled in all kept"
    );
    // A wrong file says so, whatever it is.
    for bad in [&b""[..], b"{}", b"not json", br#"{"format":"other","format_version":1,"form":{"name_km":"x","name_en":"","fields":[]}}"#] {
        assert!(from_file(bad).unwrap_err().has("file"), "{:?}", String::from_utf8_lossy(bad));
    }
    // Fields pass the builder's own checks, and codes must be well formed and unique.
    let mutate = |edit: &dyn Fn(&mut FormDef)| {
        let mut g = built();
        edit(&mut g);
        from_file(&to_file(&g, super::FormTarget::Case)).map(|(d, _)| d)
    };
    assert!(mutate(&|g| g.fields[0].label_km.clear()).unwrap_err().has("label_km"));
    assert!(mutate(&|g| g.fields[0].choices.truncate(1)).unwrap_err().has("choices_km"));
    assert!(mutate(&|g| g.fields[1].code = "f2".into()).unwrap_err().has("file"), "a code twice");
    for code in ["", "f", "f0", "f01", "x2", "f501", "fខ", "f99999999999"] {
        assert!(mutate(&|g| g.fields[0].code = code.into()).is_err(), "field code {code:?}");
        let choice = if code == "f501" { "c1000".to_string() } else { code.replace('f', "c") };
        assert!(mutate(&|g| g.fields[0].choices[0].code = choice.clone()).is_err(), "choice code {choice:?}");
    }
    assert!(mutate(&|g| g.name_km.clear()).unwrap_err().has("name_km"));
    // The next number is past every code, whatever the file says.
    let g = mutate(&|g| g.next_field = 1).unwrap();
    assert_eq!(g.next_field, 4);
    assert!(from_file(&vec![b' '; super::file::MAX_BYTES + 1]).unwrap_err().has("file"));
}

proptest! {
    /// Any bytes, and any one-byte change to a good file, are either refused with a message or
    /// read as a form that passes the builder's checks: never a panic, never an unchecked form.
    #[test]
    fn a_hostile_definition_file_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300), at in any::<usize>(), to in any::<u8>()) {
        let _ = super::file::from_file(&bytes);
        let mut good = super::file::to_file(&built(), super::FormTarget::Case);
        let i = at % good.len();
        good[i] = to;
        if let Ok((f, _)) = super::file::from_file(&good) {
            prop_assert_eq!(f.checked().unwrap(), f.clone(), "what is read passes the checks again unchanged");
        }
    }
}
