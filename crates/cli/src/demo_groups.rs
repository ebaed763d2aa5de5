//! The demo's community groups: a parenting club in a village of sokha's (caregivers of her
//! households, two of her children, a grandmother not in the records), its sessions over the
//! last three months, and an awareness campaign at the commune hall with people counted.

use anyhow::Result;
use chrono::NaiveDate;
use krousar_domain::choices::Sex;
use krousar_domain::community::{AgeGroup, Group, GroupKind, Link, Member, MemberRole, Session};
use krousar_domain::Actor;
use krousar_store::children::ChildFilter;
use krousar_store::Store;
use uuid::Uuid;

const TOPICS: [&str; 6] = [
    "ការលេង និងការរៀនរបស់កុមារតូច",
    "វិន័យវិជ្ជមាន ជំនួសការវាយ",
    "ការនិយាយជាមួយកូនជំទង់",
    "អាហារូបត្ថម្ភ និងសុខភាព",
    "ការការពារកុមារពីការរំលោភបំពាន",
    "ការគ្រប់គ្រងថវិកាគ្រួសារ",
];

pub async fn seed(store: &Store, sokha: &Actor, village: Option<String>, today: NaiveDate) -> Result<()> {
    let club = Group {
        name: "ក្លឹបឪពុកម្តាយ វត្តបូព៌".into(),
        kind: GroupKind::ParentingClub,
        organiser: Some("សុខា (បុគ្គលិកសង្គមកិច្ច)".into()),
        village_code: village.clone(),
        place: Some("សាលាឆាន់វត្ត".into()),
        started_on: Some(today - chrono::Days::new(120)),
        note: None,
    };
    let club = store.create_group(sokha, &club).await?;
    let mut members: Vec<Uuid> = Vec::new();
    let homes: Vec<Uuid> = store.list_households(sokha, None, None, None, None, 12).await?.items.iter().map(|h| h.id).collect();
    for (person, _, _, relationship) in store.household_people(sokha, &homes).await?.into_iter().take(10) {
        // The parents and grandparents come as caregivers; the household's children do not.
        if !matches!(relationship.as_str(), "mother" | "father" | "grandmother" | "grandfather" | "aunt" | "uncle") {
            continue;
        }
        let m = Member::Linked { link: Link::HouseholdMember(person), role: MemberRole::Caregiver };
        if let Ok(id) = store.add_group_member(sokha, club, &m).await {
            members.push(id);
        }
    }
    let filter = ChildFilter { worker: Some(sokha.user_id), ..Default::default() };
    for child in store.list_children(sokha, &filter, None, 2).await?.items {
        members.push(store.add_group_member(sokha, club, &Member::Linked { link: Link::Child(child.id), role: MemberRole::Child }).await?);
    }
    let yay = Member::Named {
        name: "យាយ ស៊ីណា".into(), sex: Sex::Female, age_group: AgeGroup::From60, role: MemberRole::Caregiver
    };
    members.push(store.add_group_member(sokha, club, &yay).await?);
    for (n, topic) in TOPICS.iter().enumerate() {
        let came: Vec<Uuid> = members.iter().enumerate().filter(|(i, _)| (i + n) % 4 != 0).map(|(_, m)| *m).collect();
        let s = Session {
            held_on: today - chrono::Days::new(14 * (TOPICS.len() - n) as u64 - 7),
            topic: (*topic).into(),
            note: None,
            attended: came,
            reached_female: 0,
            reached_male: 0,
        };
        store.save_group_session(sokha, club, None, &s).await?;
    }

    let campaign = Group {
        name: "យុទ្ធនាការ «កុមារគួររស់នៅក្នុងគ្រួសារ»".into(),
        kind: GroupKind::AwarenessCampaign,
        organiser: Some("គ.ក.ន.ក ឃុំ".into()),
        village_code: village,
        place: Some("សាលាឃុំ".into()),
        started_on: Some(today - chrono::Days::new(40)),
        note: None,
    };
    let campaign = store.create_group(sokha, &campaign).await?;
    let chief = Member::Named {
        name: "មេភូមិ សំណាង".into(), sex: Sex::Male, age_group: AgeGroup::From25To59, role: MemberRole::Community
    };
    let chief = store.add_group_member(sokha, campaign, &chief).await?;
    for (days, female, male) in [(35u64, 42, 27), (12, 31, 18)] {
        let s = Session {
            held_on: today - chrono::Days::new(days),
            topic: "ហេតុអ្វីកុមារគួររស់នៅជាមួយគ្រួសារ".into(),
            note: None,
            attended: vec![chief],
            reached_female: female,
            reached_male: male,
        };
        store.save_group_session(sokha, campaign, None, &s).await?;
    }
    Ok(())
}
