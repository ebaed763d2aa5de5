//! The demo's support to many households and families searching: an emergency food package
//! given in a village of sokha's (most households signed for it), and a mother who came to the
//! intake office looking for a child the second organisation works with — waiting for its
//! supervisor's answer.

use anyhow::Result;
use chrono::NaiveDate;
use krousar_domain::choices::Relationship;
use krousar_domain::distribution::{Distribution, Item, Receipt, SupportKind};
use krousar_domain::inquiry::Inquiry;
use krousar_domain::Actor;
use krousar_store::distributions::Adding;
use krousar_store::Store;

pub async fn seed(store: &Store, sokha: &Actor, intake: &Actor, rithy: &Actor, village: Option<String>, today: NaiveDate) -> Result<()> {
    if let Some(village) = village {
        let d = Distribution {
            name: "កញ្ចប់ស្បៀងអាហារបន្ទាន់ ក្រោយទឹកជំនន់".into(),
            kind: SupportKind::Food,
            given_on: today - chrono::Days::new(10),
            place: Some("សាលាឃុំ".into()),
            note: None,
            items: vec![
                Item { name: "អង្ករ".into(), quantity: 25, unit: Some("គីឡូ".into()), value_riel: Some(100_000) },
                Item { name: "ត្រីខ".into(), quantity: 10, unit: Some("កំប៉ុង".into()), value_riel: Some(30_000) },
                Item { name: "ប្រេងឆា".into(), quantity: 2, unit: Some("លីត្រ".into()), value_riel: Some(16_000) },
            ],
        };
        let id = store.create_distribution(sokha, &d).await?;
        store.add_to_distribution(sokha, id, Adding::Village(village)).await?;
        let (_, lines) = store.distribution(sokha, id).await?;
        let n = lines.len();
        let receipts: Vec<_> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.household_id, if i + 1 == n && n > 1 { Receipt::NotReceived } else { Receipt::Received }, i % 5 != 3))
            .collect();
        store.record_receipts(sokha, id, &receipts, today - chrono::Days::new(9)).await?;
    }
    // A child of the second organisation, searched for by her mother at the first's office.
    let filter = krousar_store::children::ChildFilter { worker: Some(rithy.user_id), ..Default::default() };
    if let Some(child) = store.list_children(rithy, &filter, None, 1).await?.items.into_iter().next() {
        let mut sought = child.fields.clone();
        // The mother says the name as she knows it: no Latin letters, no exact birthday.
        sought.given_name_latin = None;
        sought.family_name_latin = None;
        sought.date_of_birth = None;
        sought.estimated_birth_year = child.fields.birth_date_for_age().map(|d| chrono::Datelike::year(&d));
        sought.village_code = None;
        let inquiry = Inquiry {
            searcher_name: "ម្តាយរបស់កុមារ".into(),
            searcher_relationship: Relationship::Mother,
            searcher_phone: Some("012 345 678".into()),
            sought,
            last_seen: Some("ឆ្នាំ២០១៩ ត្រូវបានគេយកទៅមណ្ឌលមួយនៅខេត្តសៀមរាប។".into()),
            notes: None,
        };
        store.record_inquiry(intake, inquiry).await?;
    }
    Ok(())
}
