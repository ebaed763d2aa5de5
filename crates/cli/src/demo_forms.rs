//! The demo's own forms and flags (issue 25): the first organisation's home check, published and
//! filled in on a few of Sokha's cases; its schooling form, filled in on a few of her children's
//! records; and flags on two of her children — so a newcomer sees them on the dashboard, the
//! case pages, the children's pages and the lists.

use anyhow::Result;
use chrono::NaiveDate;
use krousar_domain::flag::{FlagKind, NewFlag};
use krousar_domain::forms::definition::FieldInput;
use krousar_domain::forms::FormDef;
use krousar_domain::Actor;
use krousar_store::custom_form_records::Holder;
use krousar_store::Store;
use std::collections::BTreeMap;

fn field(kind: &str, km: &str, en: &str, choices: Option<(&str, &str)>, required: bool) -> FieldInput {
    FieldInput {
        kind: Some(kind.into()),
        label_km: Some(km.into()),
        label_en: Some(en.into()),
        choices_km: choices.map(|c| c.0.into()),
        choices_en: choices.map(|c| c.1.into()),
        required: required.then(|| "on".into()),
        ..Default::default()
    }
}

/// Add the fields to the new form's draft and publish it as its first version.
async fn publish_with(store: &Store, admin: &Actor, form: uuid::Uuid, fields: &[FieldInput]) -> Result<()> {
    store
        .edit_custom_form(admin, form, "add", |d| {
            for f in fields {
                d.add_field(f)?;
            }
            Ok(())
        })
        .await?;
    store.publish_custom_form(admin, form).await?;
    Ok(())
}

pub async fn seed(store: &Store, admin: &Actor, worker: &Actor, today: NaiveDate) -> Result<()> {
    let draft = FormDef::named(Some("ការពិនិត្យលំនៅដ្ឋាន"), Some("Home check")).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let form = store.create_custom_form(admin, draft).await?;
    let fields = [
        field("section", "ផ្ទះ និងទឹក", "Home and water", None, false),
        field("one_choice", "ប្រភពទឹកផឹក", "Drinking water", Some(("ទឹកម៉ាស៊ីន\nអណ្តូង\nទឹកភ្លៀង\nទិញ", "Piped\nWell\nRain\nBought")), true),
        field("yes_no", "មានបង្គន់នៅផ្ទះ", "A toilet at home", None, true),
        field("number", "ចំនួនអ្នករស់នៅក្នុងផ្ទះ", "People living in the home", None, false),
        field("long_text", "អ្វីដែលត្រូវជួសជុល", "What needs repair", None, false),
    ];
    publish_with(store, admin, form, &fields).await?;
    let filter = krousar_store::children::ChildFilter { worker: Some(worker.user_id), ..Default::default() };
    let mine = store.list_children(worker, &filter, None, 12).await?.items;
    let mut answered = 0;
    for (i, child) in mine.iter().enumerate() {
        let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
        raw.insert("f2".into(), vec![["c1", "c2", "c2", "c3"][i % 4].into()]);
        raw.insert("f3".into(), vec![if i % 3 == 0 { "no" } else { "yes" }.into()]);
        raw.insert("f4".into(), vec![(3 + i % 5).to_string()]);
        if i % 3 == 0 {
            raw.insert("f5".into(), vec!["ដំបូលលេចទឹក".into()]);
        }
        // Only open cases take answers; the others are left as they are.
        if store.answer_custom_form(worker, child.id, form, Some(&today.to_string()), &raw).await.is_ok() {
            answered += 1;
        }
        if answered == 5 {
            break;
        }
    }
    schooling(store, admin, worker, &mine, today).await?;
    water(store, admin, worker, &mine, today).await?;
    if let Some(child) = mine.get(1) {
        let court =
            NewFlag {
                kind: FlagKind::Court, reason: "សវនាការអំពីសិទ្ធិថែរក្សាកុមារ".into(), until: today.checked_add_days(chrono::Days::new(30))
            };
        store.raise_flag(worker, child.id, court).await?;
    }
    if let Some(child) = mine.get(3) {
        let no_contact = NewFlag {
            kind: FlagKind::NoContact, reason: "កុំទាក់ទងឪពុក៖ ដីកាតុលាការ".into(), until: None
        };
        store.raise_flag(worker, child.id, no_contact).await?;
    }
    Ok(())
}

/// A form on the child's record: school and grade, filled in for four children (one of them
/// twice, a grade later), so the record shows an answer and an earlier one.
async fn schooling(store: &Store, admin: &Actor, worker: &Actor, mine: &[krousar_store::children::Child], today: NaiveDate) -> Result<()> {
    let draft = FormDef::named(Some("ការសិក្សា"), Some("Schooling")).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let form = store.create_custom_form_for(admin, draft, krousar_domain::forms::FormTarget::Child).await?;
    let fields = [
        field("yes_no", "កំពុងទៅសាលា", "Goes to school", None, true),
        field("text", "ឈ្មោះសាលា", "School", None, false),
        field("number", "ថ្នាក់ទី", "Grade", None, false),
        field("one_choice", "ការចូលរៀន", "Attendance", Some(("ទៀងទាត់\nម្ដងម្កាល\nកម្រ", "Regular\nSometimes\nRarely")), false),
    ];
    publish_with(store, admin, form, &fields).await?;
    let earlier = today.checked_sub_days(chrono::Days::new(120)).unwrap_or(today);
    for (i, child) in mine.iter().take(4).enumerate() {
        let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
        raw.insert("f1".into(), vec![if i == 3 { "no" } else { "yes" }.into()]);
        if i != 3 {
            raw.insert("f2".into(), vec![["សាលាបឋមសិក្សាស្វាយប៉ោ", "សាលាបឋមសិក្សាអូរចារ", "អនុវិទ្យាល័យព្រែកព្រះស្ដេច"][i % 3].into()]);
            raw.insert("f3".into(), vec![(3 + i).to_string()]);
            raw.insert("f4".into(), vec![["c1", "c2", "c1"][i % 3].into()]);
        }
        if i == 0 {
            let mut before = raw.clone();
            before.insert("f3".into(), vec!["2".into()]);
            before.insert("f4".into(), vec!["c2".into()]);
            store.answer_record_form(worker, Holder::Child(child.id), form, Some(&earlier.to_string()), &before).await?;
        }
        store.answer_record_form(worker, Holder::Child(child.id), form, Some(&today.to_string()), &raw).await?;
    }
    Ok(())
}

/// A form on a household's record: water and sanitation, filled in for the households of the
/// first children, so a household page shows its own form answered.
async fn water(store: &Store, admin: &Actor, worker: &Actor, mine: &[krousar_store::children::Child], today: NaiveDate) -> Result<()> {
    let draft = FormDef::named(Some("ទឹក និងអនាម័យ"), Some("Water and sanitation")).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let form = store.create_custom_form_for(admin, draft, krousar_domain::forms::FormTarget::Household).await?;
    let fields = [
        field("yes_no", "មានទឹកស្អាតប្រើប្រាស់", "Clean drinking water", None, true),
        field("one_choice", "បង្គន់", "Toilet", Some(("មាន\nប្រើរួមជាមួយអ្នកជិតខាង\nគ្មាន", "Own\nShared with neighbours\nNone")), true),
    ];
    publish_with(store, admin, form, &fields).await?;
    let mut done = Vec::new();
    for child in mine.iter().take(6) {
        for (household, _) in store.households_of_child(child.id).await? {
            if done.contains(&household) {
                continue;
            }
            let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
            raw.insert("f1".into(), vec![if done.len() % 3 == 2 { "no" } else { "yes" }.into()]);
            raw.insert("f2".into(), vec![["c1", "c2", "c3"][done.len() % 3].into()]);
            store.answer_record_form(worker, Holder::Household(household), form, Some(&today.to_string()), &raw).await?;
            done.push(household);
        }
    }
    Ok(())
}
