//! An organisation's archive, on every engine: taken out of one installation and loaded into
//! another with nothing lost — every record of every table compared after a second export —
//! its sensitive information sealed again by the new installation's key, its files and search
//! working there, and an archive that was tampered with refused whole.

mod support;

use chrono::NaiveDate;
use krousar_domain::case::entries::IntakeInput;
use krousar_domain::child::ChildFields;
use krousar_domain::choices::*;
use krousar_domain::household::HouseholdInput;
use krousar_domain::sensitive::SensitiveInput;
use krousar_domain::{Actor, Role};
use krousar_store::{Store, Who};
use std::collections::BTreeMap;
use std::io::Read;

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
    0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60,
    0x82,
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
}

/// A store with its own files directory and key, as `serve` opens it.
fn equipped(store: Store, tag: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("krousar-archive-{tag}-{}", uuid::Uuid::now_v7()));
    let (keys, _) = krousar_store::keyring::Keyring::open_or_create(&dir.join("keys")).unwrap();
    let store = if store.backend == krousar_store::Backend::Sqlite { store.with_files(dir) } else { store };
    store.with_keys(keys)
}

fn child(given: &str, given_km: &str) -> ChildFields {
    ChildFields {
        given_name_km: Some(given_km.into()),
        family_name_km: Some("សុខ".into()),
        given_name_latin: Some(given.into()),
        family_name_latin: Some("Sok".into()),
        nickname: None,
        sex: Sex::Female,
        date_of_birth: NaiveDate::from_ymd_opt(2014, 3, 2),
        estimated_birth_year: None,
        birth_registration: BirthRegistration::Registered,
        birth_certificate_number: None,
        id_poor: IdPoor::Level1,
        disability: Disability::None,
        protection: vec![],
        protection_note: None,
        village_code: Some("02010102".into()),
        living_arrangement: LivingArrangement::WithFamily,
        rci_id: None,
    }
}

/// An organisation with a little of everything: teams in a hierarchy, staff, children, a
/// household with members, a case with a file attached, sensitive information, a referral to
/// another organisation.
async fn organisation(store: &Store) -> (Actor, Actor) {
    let org = store.create_org(Who::system(), "Archive NGO", OrgKind::Ngo).await.unwrap();
    let other = store.create_org(Who::system(), "Partner NGO", OrgKind::Ngo).await.unwrap();
    let north = store.create_team(Who::system(), org.id, "North").await.unwrap();
    let east = store.create_team(Who::system(), org.id, "East").await.unwrap();
    store.set_team_parent(Who::system(), org.id, east.id, Some(north.id)).await.unwrap();
    let admin = store.create_user(Who::system(), org.id, None, "archadmin", "Admin", Role::OrgAdmin, "x", "km").await.unwrap().actor();
    let worker = store
        .create_user(Who::system(), org.id, Some(east.id), "archworker", "Chan Sokha", Role::SocialWorker, "x", "km")
        .await
        .unwrap()
        .actor();
    store.create_user(Who::system(), other.id, None, "partnerworker", "Partner", Role::SocialWorker, "x", "km").await.unwrap();
    let partner =
        store.create_user(Who::system(), other.id, None, "partnerboss", "Meas Rithy", Role::Manager, "x", "km").await.unwrap().actor();
    let a = store.register_child(&worker, child("Sreypov", "ស្រីពៅ")).await.unwrap();
    store.register_child(&worker, child("Dara", "ដារ៉ា")).await.unwrap();
    let h = HouseholdInput {
        name: Some("Sok family".into()),
        members: vec![krousar_domain::household::MemberInput {
            name_km: Some("សុខ ចន្ថា".into()),
            relationship: Some("mother".into()),
            is_head: true,
            ..Default::default()
        }],
        ..Default::default()
    }
    .validate(today())
    .unwrap();
    let home = store.create_household(&worker, h, Some(a.id)).await.unwrap();
    // A parenting club: the child, her mother (a household's person) and a neighbour named
    // there, all at one session — members reached by different references, all carried.
    use krousar_domain::community::{AgeGroup, Group, GroupKind, Link, Member, MemberRole, Session};
    let club = Group {
        name: "ក្លឹបឪពុកម្តាយ".into(),
        kind: GroupKind::ParentingClub,
        organiser: None,
        village_code: None,
        place: None,
        started_on: None,
        note: None,
    };
    let club = store.create_group(&worker, &club).await.unwrap();
    let mother = store.household_people(&worker, &[home.id]).await.unwrap()[0].0;
    let mut came = Vec::new();
    for m in [
        Member::Linked { link: Link::Child(a.id), role: MemberRole::Child },
        Member::Linked { link: Link::HouseholdMember(mother), role: MemberRole::Caregiver },
        Member::Named {
            name: "Neighbour".into(),
            sex: krousar_domain::choices::Sex::Female,
            age_group: AgeGroup::From25To59,
            role: MemberRole::Community,
        },
    ] {
        came.push(store.add_group_member(&worker, club, &m).await.unwrap());
    }
    let session = Session { held_on: today(), topic: "Play".into(), note: None, attended: came, reached_female: 2, reached_male: 1 };
    store.save_group_session(&worker, club, None, &session).await.unwrap();
    let intake = IntakeInput { route: Some("prevention".into()), opened_on: Some("2026-11-01".into()), ..Default::default() }
        .validate(today())
        .unwrap();
    store.open_case(&worker, a.id, intake).await.unwrap();
    store.add_attachment(&worker, a.id, None, "photo.png", PNG).await.unwrap();
    let info = SensitiveInput { hiv_status: Some("positive".into()), health: Some("ARV every day".into()), ..Default::default() }
        .validate()
        .unwrap();
    store.update_sensitive(&worker, a.id, 0, info).await.unwrap();
    // A referral the partner accepted: the archive names the partner and who decided.
    let referral = krousar_domain::referral::ReferralInput {
        to_org: Some(other.id.to_string()),
        kind: Some("referral".into()),
        services: Some("School support".into()),
        reason: Some("Needs a school place".into()),
        urgency: Some("normal".into()),
        consent_by: Some("parent".into()),
        consent_on: Some("2026-11-20".into()),
        shares: Some("identity".into()),
        override_reason: None,
    }
    .validate(today(), org.id)
    .unwrap();
    let sent = store.send_referral(&worker, a.id, referral).await.unwrap();
    store.decide_referral(&partner, sent, "accept", None).await.unwrap();
    // A flag, a profile photo, and a form adopted from the partner's shared one, answered.
    let flag = krousar_domain::flag::NewFlag {
        kind: krousar_domain::flag::FlagKind::NoContact,
        reason: "Father threatened staff".into(),
        until: None,
    };
    store.raise_flag(&worker, a.id, flag).await.unwrap();
    let mut photo = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb([200, 120, 40]))
        .write_to(&mut std::io::Cursor::new(&mut photo), image::ImageFormat::Png)
        .unwrap();
    store.set_photo(&worker, krousar_store::photos::PhotoOf::Child(a.id), &photo).await.unwrap();
    use krousar_domain::forms::{definition::FieldInput, FormDef};
    let template = store.create_custom_form(&partner, FormDef::named(Some("សាលា"), Some("School")).unwrap()).await.unwrap();
    let question = FieldInput { kind: Some("text".into()), label_km: Some("សាលាណា".into()), ..Default::default() };
    store.edit_custom_form(&partner, template, "add", |d| d.add_field(&question).map(|_| ())).await.unwrap();
    store.publish_custom_form(&partner, template).await.unwrap();
    store.share_custom_form(&partner, template, true).await.unwrap();
    let ours = store.adopt_custom_form(&admin, template).await.unwrap();
    store.publish_custom_form(&admin, ours).await.unwrap();
    let answer: BTreeMap<String, Vec<String>> = [("f1".to_string(), vec!["Hun Sen Primary".to_string()])].into();
    store.answer_custom_form(&worker, a.id, ours, Some("2026-12-01"), &answer).await.unwrap();
    (admin, worker)
}

/// The archive's files, by path.
fn files(path: &std::path::Path) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

/// A records file's rows, sorted, for comparison.
fn rows(text: &str) -> Vec<String> {
    let mut r: Vec<String> = text.lines().map(str::to_string).collect();
    r.sort();
    r
}

#[tokio::test]
async fn an_organisation_moves_to_another_installation_with_nothing_lost() {
    let here = support::stores("archivea").await;
    let there = support::stores("archiveb").await;
    for (a, b) in here.into_iter().zip(there) {
        let (a, b) = (equipped(a, "a"), equipped(b, "b"));
        let (admin, worker) = organisation(&a).await;
        assert!(matches!(
            a.export_archive(&worker, std::path::Path::new("/tmp/never.zip")).await,
            Err(krousar_store::StoreError::Forbidden)
        ));
        let dir = std::env::temp_dir().join(format!("krousar-archives-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = dir.join("first.zip");
        let manifest = a.export_archive(&admin, &first).await.unwrap();
        let one = files(&first);
        assert!(one.contains_key("manifest.json") && one.contains_key("schema.json") && one.contains_key("README.txt"));
        assert!(one["records/child_sensitive.jsonl"].contains("ARV every day"), "sensitive information travels unsealed");
        assert!(one.keys().any(|k| k.starts_with("attachments/")), "the attached photo travels");
        assert!(one["records/child_flags.jsonl"].contains("Father threatened staff"), "flags travel");
        assert_eq!(rows(&one["records/profile_photos.jsonl"]).len(), 1, "the profile photo travels");
        assert_eq!(one.keys().filter(|k| k.starts_with("photos/")).count(), 2, "in its two sizes");
        assert_eq!(rows(&one["records/custom_forms.jsonl"]).len(), 1, "the adopted form, not the partner's template");
        assert_eq!(rows(&one["records/community_members.jsonl"]).len(), 3, "every member of the club, whatever it links to");
        assert_eq!(rows(&one["records/community_attendance.jsonl"]).len(), 3, "and who came");
        assert!(one["records/case_entries.jsonl"].contains("Hun Sen Primary"), "its answer");
        assert!(!one.values().any(|v| v.contains("partnerworker")), "another organisation's accounts stay behind");
        assert!(one["references/organisations.jsonl"].contains("Partner NGO"));
        assert!(one["references/users.jsonl"].contains("Meas Rithy") && !one["references/users.jsonl"].contains("password"));
        // The organisation's own people travel without their sign-in secrets.
        for secret in ["password_hash", "totp_secret", "failed_logins", "locked_until"] {
            assert!(!one["records/users.jsonl"].contains(secret), "{secret} in the archive");
        }
        assert!(manifest.files.iter().all(|f| f.sha256.len() == 64));

        // Loaded into the other installation, and taken out again: every record the same.
        let org = b.import_archive(&first).await.unwrap();
        assert_eq!(org, admin.org_id);
        let again = dir.join("again.zip");
        let admin_b = b.user_by_username("archadmin").await.unwrap().actor();
        b.export_archive(&admin_b, &again).await.unwrap();
        let two = files(&again);
        let records = |f: &BTreeMap<String, String>| -> Vec<String> {
            f.keys().filter(|k| k.starts_with("records/") && !k.contains("audit")).cloned().collect()
        };
        assert_eq!(records(&one), records(&two), "the same tables");
        for path in records(&one) {
            assert_eq!(rows(&one[&path]), rows(&two[&path]), "{path}");
        }
        for path in one.keys().filter(|k| k.starts_with("attachments/") || k.starts_with("photos/")) {
            assert_eq!(one[path], two[path], "{path}");
        }
        // Its audit history is kept apart from the new installation's own chain.
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM archived_audit WHERE org_id = $1")
            .bind(org.to_string())
            .fetch_one(b.pool())
            .await
            .unwrap();
        assert_eq!(kept, rows(&one["records/audit_log.jsonl"]).len() as i64);
        assert!(krousar_store::audit::verify(&b).await.unwrap().broken_at.is_none());
        // It works there: the worker finds the child by name and reads the sensitive information.
        let worker_b = b.user_by_username("archworker").await.unwrap().actor();
        let filter = krousar_store::children::ChildFilter { q: Some("Sreypov".into()), ..Default::default() };
        let found = b.list_children(&worker_b, &filter, None, 20).await.unwrap().items;
        assert_eq!(found.len(), 1);
        let s = b.view_sensitive(&worker_b, found[0].id, "test").await.unwrap();
        assert_eq!(s.info.health.as_deref(), Some("ARV every day"));

        // Loaded twice: refused. Tampered with: refused, nothing written.
        assert!(b.import_archive(&first).await.is_err());
        let (c, _) = (equipped(support::stores("archivec").await.remove(0), "c"), ());
        let mut zip = zip::ZipWriter::new(std::fs::File::create(dir.join("bad.zip")).unwrap());
        for (path, text) in &one {
            zip.start_file(path.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
            let text = if path == "records/children.jsonl" { text.replace("Sreypov", "Someone") } else { text.clone() };
            std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        let err = c.import_archive(&dir.join("bad.zip")).await.unwrap_err();
        assert!(format!("{err:?}").contains("checksum"), "{err:?}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM children").fetch_one(c.pool()).await.unwrap();
        assert_eq!(n, 0);

        // An attached file swapped for other bytes, the manifest rewritten to match: the archive
        // is whole, but the file is not the one its record names. Refused, nothing written.
        let mut raw = zip::ZipArchive::new(std::fs::File::open(&first).unwrap()).unwrap();
        let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for i in 0..raw.len() {
            let mut f = raw.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            parts.insert(f.name().unwrap().to_string(), bytes);
        }
        let swapped = parts.keys().find(|k| k.starts_with("attachments/")).unwrap().clone();
        let other = parts[parts.keys().find(|k| k.starts_with("photos/")).unwrap()].clone();
        parts.insert(swapped.clone(), other.clone());
        let mut manifest: serde_json::Value = serde_json::from_slice(&parts["manifest.json"]).unwrap();
        for f in manifest["files"].as_array_mut().unwrap() {
            if f["path"] == swapped.as_str() {
                f["sha256"] = serde_json::Value::String(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&other)));
            }
        }
        parts.insert("manifest.json".into(), serde_json::to_vec(&manifest).unwrap());
        let mut zip = zip::ZipWriter::new(std::fs::File::create(dir.join("swapped.zip")).unwrap());
        for (path, bytes) in &parts {
            zip.start_file(path.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut zip, bytes).unwrap();
        }
        zip.finish().unwrap();
        let err = c.import_archive(&dir.join("swapped.zip")).await.unwrap_err();
        assert!(format!("{err:?}").contains("not the file its record names"), "{err:?}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM children").fetch_one(c.pool()).await.unwrap();
        assert_eq!(n, 0);
        let _ = worker;
    }
}
