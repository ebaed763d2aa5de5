//! Test support shared by the store's integration tests.

#![allow(dead_code)] // each test binary uses its own part of the support

use chrono::NaiveDate;
use krousar_domain::child::ChildFields;
use krousar_domain::choices::*;
use krousar_store::Store;

/// A fresh SQLite database, and a fresh PostgreSQL database too when
/// `KROUSAR_TEST_POSTGRES_URL` names a server: every test runs on every engine.
pub async fn stores(tag: &str) -> Vec<Store> {
    let dir = std::env::temp_dir().join(format!("krousar-{tag}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.join(format!("{tag}.db")).display())];
    if let Ok(pg) = std::env::var("KROUSAR_TEST_POSTGRES_URL") {
        let name = format!("krousar_{tag}_{}", uuid::Uuid::now_v7().simple());
        let admin = Store::connect(&pg).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await.unwrap();
        let (head, _) = pg.rsplit_once('/').unwrap();
        urls.push(format!("{head}/{name}"));
    }
    let mut out = Vec::new();
    for u in urls {
        out.push(Store::open(&u).await.unwrap());
    }
    out
}

/// The store with a key file of its own (device keys and sensitive information are sealed).
#[allow(dead_code)]
pub fn with_keys(store: Store) -> Store {
    let dir = std::env::temp_dir().join(format!("krousar-keys-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let (keys, _) = krousar_store::keyring::Keyring::open_or_create(&dir.join("krousar.keys")).unwrap();
    store.with_keys(keys)
}

/// A device's own secret, as the offline app makes one.
#[allow(dead_code)]
pub const SECRET: &str = "a-device-secret-of-forty-three-characters-x";

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `child()` living in the RCI `rci`.
#[allow(dead_code)]
pub fn child_in(rci: uuid::Uuid) -> ChildFields {
    ChildFields { rci_id: Some(rci), ..child() }
}

pub fn child() -> ChildFields {
    ChildFields {
        given_name_km: Some("ស្រីពៅ".into()),
        family_name_km: Some("សុខ".into()),
        given_name_latin: Some("Sreypov".into()),
        family_name_latin: Some("Sok".into()),
        nickname: None,
        sex: Sex::Female,
        date_of_birth: Some(d("2014-03-02")),
        estimated_birth_year: None,
        birth_registration: BirthRegistration::Registered,
        birth_certificate_number: None,
        id_poor: IdPoor::Level1,
        disability: Disability::None,
        protection: vec![],
        protection_note: None,
        village_code: Some("02020101".into()),
        living_arrangement: LivingArrangement::InRci,
        rci_id: None,
    }
}

/// The actor acting at noon in Cambodia on `day`: operations take their day from the actor.
pub fn acting_on(actor: &krousar_domain::Actor, day: NaiveDate) -> krousar_domain::Actor {
    actor.clone().at(day.and_hms_opt(5, 0, 0).expect("noon in Cambodia is 05:00 UTC").and_utc())
}
