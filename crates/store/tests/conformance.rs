//! Store operations run against every engine: SQLite always, PostgreSQL when
//! `KROUSAR_TEST_POSTGRES_URL` is set (CI). The same assertions must hold on both.

use chrono::NaiveDate;
use krousar_domain::age::{age_on, band_of, AgeBand};
use krousar_domain::child::ChildFields;
use krousar_domain::choices::*;
use krousar_domain::Role;
use krousar_store::children::ChildFilter;
use krousar_store::gazetteer::{embedded, Level};
use krousar_store::{Store, Who};

/// Each engine's database URL, freshly created.
async fn urls() -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("krousar-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = vec![format!("sqlite://{}", dir.join("s.db").display())];
    if let Ok(pg) = std::env::var("KROUSAR_TEST_POSTGRES_URL") {
        let name = format!("krousar_s_{}", uuid::Uuid::now_v7().simple());
        let admin = Store::connect(&pg).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await.unwrap();
        let (head, _) = pg.rsplit_once('/').unwrap();
        out.push(format!("{head}/{name}"));
    }
    out
}

#[tokio::test]
async fn a_gazetteer_import_on_one_server_reaches_the_others() {
    for url in urls().await {
        let (one, other) = (Store::open(&url).await.unwrap(), Store::open(&url).await.unwrap());
        other.set_gazetteer_recheck(std::time::Duration::ZERO);
        assert_eq!(other.location_path("01020101").await.unwrap().parts[3].name_latin, "Ou Thum");
        let mut places = embedded();
        places.iter_mut().find(|p| p.code == "01020101").unwrap().name_latin = "Ou Thom".into();
        one.import_places(Who::system(), "ncdd-2026", &places).await.unwrap();
        assert_eq!(other.location_path("01020101").await.unwrap().parts[3].name_latin, "Ou Thom");
        let found = other.search_locations("ou thom", Some(Level::Village), Some("0102"), 5).await.unwrap();
        assert!(found.iter().any(|p| p.code == "01020101"));
    }
}

async fn stores() -> Vec<Store> {
    let mut out = Vec::new();
    for url in urls().await {
        out.push(Store::open(&url).await.unwrap());
    }
    out
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn child(i: usize) -> ChildFields {
    let villages = ["02020101", "12010101", "17010101"];
    ChildFields {
        given_name_km: Some("សុខា".into()),
        family_name_km: Some("ចាន់".into()),
        given_name_latin: Some(format!("Sokha{i}")),
        family_name_latin: Some("Chan".into()),
        nickname: None,
        sex: if i.is_multiple_of(3) { Sex::Female } else { Sex::Male },
        date_of_birth: NaiveDate::from_ymd_opt(2008 + (i % 18) as i32, 1 + (i % 12) as u32, 1),
        estimated_birth_year: None,
        birth_registration: BirthRegistration::Unknown,
        birth_certificate_number: None,
        id_poor: IdPoor::Unknown,
        disability: Disability::None,
        protection: vec![],
        protection_note: None,
        village_code: Some(villages[i % 3].into()),
        living_arrangement: LivingArrangement::WithFamily,
        rci_id: None,
    }
}

#[tokio::test]
async fn keyset_pages_and_filters_agree_with_the_data() {
    for store in stores().await {
        let org = store.create_org(Who::system(), "Bulk NGO", OrgKind::Ngo).await.unwrap();
        let user = store.create_user(Who::system(), org.id, None, "bulk", "Bulk", Role::SocialWorker, "x", "en").await.unwrap();
        let actor = user.actor();
        let kids: Vec<ChildFields> = (0..130).map(child).collect();
        let ids = store.bulk_insert_children(&actor, &kids).await.unwrap();
        assert_eq!(ids.len(), 130);
        // Three pages of 50, 50, 30: every child once, newest first.
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list_children(&actor, &ChildFilter::default(), cursor, 50).await.unwrap();
            seen.extend(page.items.iter().map(|c| c.id));
            match page.next {
                Some(n) => cursor = Some(n.parse().unwrap()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 130);
        let mut sorted = seen.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted);
        // Filters and counts agree with a count made here.
        let girls = kids.iter().filter(|k| k.sex == Sex::Female).count() as i64;
        let f = ChildFilter { sex: Some(Sex::Female), ..Default::default() };
        assert_eq!(store.count_children(&actor, &f).await.unwrap(), girls);
        let pp = ChildFilter { province: Some("12".into()), ..Default::default() };
        assert_eq!(store.count_children(&actor, &pp).await.unwrap(), 43);
        for band in AgeBand::ALL {
            let want = kids.iter().filter(|k| band_of(age_on(k.date_of_birth.unwrap(), today())) == band).count() as i64;
            let f = ChildFilter { age_band: Some(band), ..Default::default() };
            assert_eq!(store.count_children(&actor, &f).await.unwrap(), want, "{band:?}");
        }
        let q = ChildFilter { q: Some("sokha12".into()), ..Default::default() };
        let found = store.list_children(&actor, &q, None, 50).await.unwrap();
        assert!(found.items.iter().all(|c| c.fields.given_name_latin.as_deref().unwrap().starts_with("Sokha12")));
        assert_eq!(found.items.len(), 1 + 10, "Sokha12 and Sokha120..129");
        assert!(krousar_store::audit::verify(&store).await.unwrap().broken_at.is_none());
    }
}

#[tokio::test]
async fn a_new_gazetteer_release_renames_and_retires_without_breaking_addresses() {
    for store in stores().await {
        let mut places = embedded();
        let renamed = places.iter_mut().find(|p| p.code == "01020101").unwrap();
        renamed.name_latin = "Ou Thom".into();
        renamed.name_km = "អូរធំថ្មី".into();
        places.retain(|p| p.code != "01020102");
        let summary = store.import_places(Who::system(), "ncdd-2026", &places).await.unwrap();
        assert_eq!((summary.added, summary.renamed, summary.retired), (0, 1, 1));
        // The new name and the former name both find the village.
        for q in ["Ou Thom", "Ou Thum", "អូរធំថ្មី"] {
            let found = store.search_locations(q, Some(Level::Village), Some("0102"), 10).await.unwrap();
            assert!(found.iter().any(|p| p.code == "01020101"), "{q}");
        }
        // A retired village is no longer offered but recorded addresses still resolve.
        assert!(store.child_locations(Some("010201")).await.unwrap().iter().all(|l| l.code != "01020102"));
        assert_eq!(store.location_path("01020102").await.unwrap().parts.len(), 4);
        // Importing the same release again changes nothing.
        let again = store.import_places(Who::system(), "ncdd-2026", &places).await.unwrap();
        assert_eq!((again.added, again.renamed), (0, 0));
    }
}
