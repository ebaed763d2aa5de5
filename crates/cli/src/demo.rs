//! `krousar demo`: an embedded database with three organisations, a user for every role and
//! about 300 children with households; and `gen-data` for large synthetic datasets.

use crate::synth::Synth;
use anyhow::{Context, Result};
use krousar_domain::choices::{OrgKind, RciRegistration, RciType};
use krousar_domain::rci::{RciFields, ResidencePeriod};
use krousar_domain::Role;
use krousar_store::{Store, Who};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;

const DEMO_CHILDREN: usize = 300;

/// The demo's institutions: the province each is in, what it is called in Khmer and in English
/// before the province's name (from the gazetteer) is added, and its type. The first one goes
/// through a transition and cared for the child on government cash support.
const RCIS: &[(&str, &str, &str, RciType)] = &[
    ("02", "មណ្ឌលកុមារក្តីសង្ឃឹម", "Hope Children's Centre", RciType::Ngo),
    ("02", "ភូមិកុមារ", "Children's Village", RciType::FaithBased),
    ("17", "មណ្ឌលកុមារកំព្រាឈូកមាស", "Golden Lotus Orphanage", RciType::Private),
    ("12", "មជ្ឈមណ្ឌលថែទាំកុមារ", "Child Care Centre", RciType::Government),
];

/// The teams, named after the province they work in, Khmer first.
const BATTAMBANG: &str = "ក្រុមបាត់ដំបង (Battambang team)";
const PHNOM_PENH: &str = "ក្រុមភ្នំពេញ (Phnom Penh team)";
const SIEM_REAP: &str = "ក្រុមសៀមរាប (Siem Reap team)";

/// Where each team's children live (province codes): its province (and Kandal around Phnom Penh).
fn team_provinces(team: Option<&str>) -> &'static [&'static str] {
    match team {
        Some(BATTAMBANG) => &["02"],
        Some(PHNOM_PENH) => &["12", "08"],
        Some(SIEM_REAP) => &["17"],
        _ => &["02", "12", "03", "08"],
    }
}

struct DemoUser {
    username: &'static str,
    name: &'static str,
    role: Role,
    org: usize,
    team: Option<&'static str>,
}

const USERS: &[DemoUser] = &[
    DemoUser { username: "sokha", name: "Chan Sokha", role: Role::SocialWorker, org: 0, team: Some(BATTAMBANG) },
    DemoUser { username: "dara", name: "Ouch Dara", role: Role::SocialWorker, org: 0, team: Some(PHNOM_PENH) },
    DemoUser { username: "sreymom", name: "Keo Sreymom", role: Role::Supervisor, org: 0, team: Some(BATTAMBANG) },
    DemoUser { username: "vannak", name: "Heng Vannak", role: Role::Manager, org: 0, team: None },
    DemoUser { username: "admin", name: "Lim Bopha", role: Role::OrgAdmin, org: 0, team: None },
    DemoUser { username: "intake", name: "Sok Pisey", role: Role::Intake, org: 0, team: Some(PHNOM_PENH) },
    DemoUser { username: "rithy", name: "Meas Rithy", role: Role::SocialWorker, org: 1, team: Some(SIEM_REAP) },
    DemoUser { username: "chenda", name: "Ly Chenda", role: Role::Supervisor, org: 1, team: Some(SIEM_REAP) },
    DemoUser { username: "mosvy", name: "Ministry viewer", role: Role::Ministry, org: 2, team: None },
    DemoUser { username: "sysadmin", name: "System administrator", role: Role::SystemAdmin, org: 2, team: None },
];

const ORGS: &[(&str, OrgKind)] =
    &[("Family First Cambodia (demo)", OrgKind::Ngo), ("Siem Reap Children's Hope (demo)", OrgKind::Ngo), ("MoSVY", OrgKind::Ministry)];

pub async fn run(
    listen: &str,
    data_dir: &Path,
    database_url: Option<String>,
    key_file: Option<std::path::PathBuf>,
    tls: crate::tls_args::TlsArgs,
) -> Result<()> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}", data_dir.join("krousar.db").display()));
    let key_file = key_file.unwrap_or_else(|| data_dir.join("krousar.keys"));
    let certs = tls.certificates(&crate::config::FileConfig::default(), &key_file)?;
    let scheme = if certs.is_some() { "https" } else { "http" };
    let store =
        crate::keys::attach(crate::files::attach(Store::open(&url).await?, &url, Some(data_dir.join("files"))).await?, &key_file).await?;
    let creds_file = data_dir.join("demo-credentials.txt");
    if store.list_orgs().await?.is_empty() {
        eprintln!("First start: creating demo data…");
        let password = seed(&store).await?;
        std::fs::write(&creds_file, &password)?;
    }
    let password = std::fs::read_to_string(&creds_file).unwrap_or_else(|_| "(see demo-credentials.txt)".into());
    println!("\nKrousar demo — {scheme}://{listen}\nEvery demo user has the password: {}\n", password.trim());
    println!("{:<10} {:<14} organisation", "username", "role");
    for u in USERS {
        println!("{:<10} {:<14} {}", u.username, u.role.as_str(), ORGS[u.org].0);
    }
    println!(
        "\nStart here: sign in as {} — a social worker with a day's work waiting (the home page says what is due).",
        USERS[0].username
    );
    println!("ចាប់ផ្តើមនៅទីនេះ៖ ចូលជា {} — បុគ្គលិកសង្គមកិច្ចដែលមានការងារត្រូវធ្វើថ្ងៃនេះ។\n", USERS[0].username);
    store.spawn_audit_checkpoints(crate::AUDIT_CHECKPOINT_EVERY);
    // The sign-in page names the demo's accounts, the social worker first.
    let config = krousar_web::Config { demo_users: USERS.iter().map(|u| (u.username.to_string(), u.role)).collect(), ..Default::default() };
    crate::tls_args::serve(store, config, listen, certs).await
}

async fn seed(store: &Store) -> Result<String> {
    let mut rng = StdRng::seed_from_u64(42);
    // The data is reproducible (seeded); the password is not: it comes from the OS.
    let mut os_rng = rand::rng();
    let password: String = format!("demo-{}", (0..12).map(|_| char::from(b'a' + os_rng.random_range(0..26))).collect::<String>());
    let hash = krousar_web::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
    let mut orgs = Vec::new();
    for (name, kind) in ORGS {
        orgs.push(store.create_org(Who::system(), name, *kind).await?);
    }
    let mut users = Vec::new();
    for u in USERS {
        let org = &orgs[u.org];
        let team = match u.team {
            None => None,
            Some(t) => Some(match store.teams(org.id).await?.into_iter().find(|x| x.name == t) {
                Some(x) => x.id,
                None => store.create_team(Who::system(), org.id, t).await?.id,
            }),
        };
        users.push(store.create_user(Who::system(), org.id, team, u.username, u.name, u.role, &hash, "km").await?);
    }
    let places = krousar_store::gazetteer::embedded();
    let today = krousar_domain::today();
    // Institutions: the two in Battambang registered by the first organisation's supervisor (it
    // works with them on their transition, and so counts their children), the others by the
    // ministry's system administrator.
    let sys = users.iter().find(|u| u.role == Role::SystemAdmin).expect("sysadmin").actor();
    let partner = users.iter().find(|u| u.role == Role::Supervisor).expect("supervisor").actor();
    // Each institution in a village of the province its name says.
    let mut rcis = Vec::new();
    for &(province, km, en, kind) in RCIS {
        let (_, latin) = crate::synth::province_names(&places, province);
        let f = RciFields {
            name: format!("{km} {} ({latin} {en})", crate::synth::province_km(&places, province)),
            rci_type: kind,
            village_code: Some(Synth::new(&places, Some(&[province])).village(&mut rng)),
            capacity: Some(rng.random_range(20..120)),
            registration_status: RciRegistration::Registered,
            note: None,
        };
        rcis.push(store.create_rci(if province == "02" { &partner } else { &sys }, f).await?);
    }
    // Children: caseloads of the three social workers and the intake officer.
    let workers: Vec<_> = users.iter().filter(|u| matches!(u.role, Role::SocialWorker | Role::Intake)).collect();
    // Cases are worked by the first organisation's social workers; its supervisor approves for
    // her team and the manager for the others.
    let supervisor = users.iter().find(|u| u.role == Role::Supervisor).expect("supervisor").actor();
    let manager = users.iter().find(|u| u.role == Role::Manager).expect("manager").actor();
    let local_today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    // For the registers' demo: a village where sokha works, and a child of hers in follow-up
    // who never lived in an institution here (she will have, for the cash support).
    let (mut carer_village, mut cash_child) = (None, None);
    // Each worker's children live in her team's province(s).
    let synths: Vec<Synth> = workers
        .iter()
        .map(|w| {
            let team = USERS.iter().find(|u| u.username == w.username).and_then(|u| u.team);
            Synth::new(&places, Some(team_provinces(team)))
        })
        .collect();
    for i in 0..DEMO_CHILDREN {
        let w = workers[i % workers.len()];
        let synth = &synths[i % workers.len()];
        let in_rci = rng.random_ratio(1, 6).then(|| rcis[rng.random_range(0..rcis.len())].id);
        let (mut fields, family) = synth.child(&mut rng, today, in_rci);
        let village = fields.village_code.clone();
        let actor = w.actor();
        // A child in an institution: registered, then her stay there from a day in the past, then
        // her record names the institution (if the store has not already followed the stay).
        let in_rci_fields = in_rci.map(|_| fields.clone());
        if in_rci.is_some() {
            fields.living_arrangement = krousar_domain::choices::LivingArrangement::WithFamily;
            fields.rci_id = None;
        }
        let mut child = store.register_child(&actor, fields).await?;
        let household = synth.household(&mut rng, &family, village, today);
        store.create_household(&actor, household, Some(child.id)).await?;
        let born = crate::synth::born_by(&child.fields, today);
        if let Some(rci) = in_rci {
            // Never before the child was born.
            let entered = (today - chrono::Duration::days(rng.random_range(60..2000))).max(born);
            store.add_residence(&actor, child.id, rci, ResidencePeriod { entered, left: None, reason_left: None }).await?;
            child = store.view_child(&actor, child.id, "demo").await?;
            if let Some(f) = in_rci_fields.filter(|f| child.fields.rci_id != f.rci_id) {
                child = store.update_child(&actor, child.id, child.version, f).await?;
            }
        }
        // Each worker's n-th child: every stage in turn, and some children without a case yet.
        let nth = i / workers.len();
        if w.role == Role::SocialWorker && w.org_id == orgs[0].id && nth % 7 != 6 {
            let boss = if w.team_id == supervisor.team_id { &supervisor } else { &manager };
            crate::demo_cases::seed_case(store, &mut rng, &actor, boss, child.id, born, (nth % 7) as u8, local_today).await?;
            if w.username == "sokha" {
                carer_village = carer_village.or(child.fields.village_code.clone());
                if nth % 7 == 4 && in_rci.is_none() {
                    cash_child = cash_child.or(Some(child.id));
                }
            }
        }
    }
    between_organisations(store, &users, &orgs, local_today).await?;
    let by_name = |n: &str| users.iter().find(|u| u.username == n).expect("demo user").actor();
    let (sokha, vannak) = (by_name("sokha"), by_name("vannak"));
    let cast = crate::demo_registers::Cast { worker: &sokha, supervisor: &supervisor, manager: &vannak, sysadmin: &sys };
    crate::demo_registers::seed(store, &cast, carer_village.clone(), rcis[0].id, cash_child, local_today).await?;
    crate::demo_forms::seed(store, &by_name("admin"), &sokha, local_today).await?;
    crate::demo_groups::seed(store, &sokha, carer_village.clone(), local_today).await?;
    crate::demo_support::seed(store, &sokha, &by_name("intake"), &by_name("rithy"), carer_village, local_today).await?;
    Ok(password)
}

/// A referral waiting for the second organisation's supervisor, and a child the second
/// organisation registers again (a possible duplicate it is told about, without seeing it).
async fn between_organisations(
    store: &Store,
    users: &[krousar_store::accounts::User],
    orgs: &[krousar_store::accounts::Org],
    today: chrono::NaiveDate,
) -> Result<()> {
    use krousar_domain::referral::{Consent, ConsentBy, Referral, ReferralKind, Share, Urgency};
    let sokha = users.iter().find(|u| u.username == "sokha").expect("sokha").actor();
    let rithy = users.iter().find(|u| u.username == "rithy").expect("rithy").actor();
    let filter = krousar_store::children::ChildFilter { worker: Some(sokha.user_id), ..Default::default() };
    let mine = store.list_children(&sokha, &filter, None, 2).await?.items;
    if let Some(child) = mine.first() {
        let r = Referral {
            to_org: orgs[1].id,
            kind: ReferralKind::Referral,
            services: "បណ្តុះបណ្តាលវិជ្ជាជីវៈនៅខេត្តសៀមរាប".into(),
            reason: "គ្រួសារបានផ្លាស់ទៅធ្វើការនៅខេត្តសៀមរាប។".into(),
            urgency: Urgency::Normal,
            consent: Some(Consent {
                by: ConsentBy::Parent,
                given_on: today,
                shares: vec![Share::Identity, Share::CaseSummary, Share::Plan],
            }),
            override_reason: None,
        };
        store.send_referral(&sokha, child.id, r).await?;
        // Sensitive information, sealed: sokha and her supervisor can open it, the manager cannot.
        let info = krousar_domain::sensitive::SensitiveInfo {
            hiv_status: krousar_domain::sensitive::HivStatus::NotTested,
            health: Some("ជំងឺហឺត។ ជីដូនជាអ្នករក្សាទុកថ្នាំបាញ់។".into()),
            ..Default::default()
        };
        store.update_sensitive(&sokha, child.id, 0, info).await?;
    }
    if let Some(child) = mine.get(1) {
        let mut again = child.fields.clone();
        again.given_name_latin = again.given_name_latin.map(|g| format!("{g}h"));
        again.rci_id = None;
        again.living_arrangement = krousar_domain::choices::LivingArrangement::WithFamily;
        store.register_child(&rithy, again).await?;
    }
    Ok(())
}

/// Synthetic data in bulk: one organisation, one worker, N children each with a household.
pub async fn gen_data(url: &str, children: usize, seed: u64, cases: usize) -> Result<()> {
    // A bulk load wants a large page cache: 256 MB.
    let store = Store::open_with(url, 256).await?;
    let started = std::time::Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let org = match store.org_by_name("Synthetic NGO").await {
        Ok(o) => o,
        Err(_) => store.create_org(Who::system(), "Synthetic NGO", OrgKind::Ngo).await?,
    };
    let hash = krousar_web::auth::hash_password("synthetic-password").map_err(anyhow::Error::msg)?;
    let user = match store.user_by_username("synthetic-worker").await {
        Ok(u) => u,
        Err(_) => {
            store.create_user(Who::system(), org.id, None, "synthetic-worker", "Synthetic worker", Role::SocialWorker, &hash, "en").await?
        }
    };
    let actor = user.actor();
    let synth = Synth::new(&krousar_store::gazetteer::embedded(), None);
    let today = krousar_domain::today();
    let mut done = 0;
    while done < children {
        let n = (children - done).min(5000);
        let made: Vec<_> = (0..n).map(|_| synth.child(&mut rng, today, None)).collect();
        let batch: Vec<_> = made.iter().map(|(c, _)| c.clone()).collect();
        let ids = store.bulk_insert_children(&actor, &batch).await?;
        let households: Vec<_> = made
            .iter()
            .zip(&ids)
            .map(|((c, family), id)| (synth.household(&mut rng, family, c.village_code.clone(), today), *id))
            .collect();
        store.bulk_insert_households(&actor, &households).await?;
        done += n;
        eprint!("\r{done}/{children} children");
    }
    eprintln!(
        "\ngenerated {children} children in {:.1} s (user synthetic-worker, password synthetic-password)",
        started.elapsed().as_secs_f64()
    );
    if cases > 0 {
        let started = std::time::Instant::now();
        let manager = match store.user_by_username("synthetic-manager").await {
            Ok(u) => u,
            Err(_) => {
                store.create_user(Who::system(), org.id, None, "synthetic-manager", "Synthetic manager", Role::Manager, &hash, "en").await?
            }
        };
        // The newest children, a list page at a time (lists stop at 200).
        let mut ids = Vec::new();
        let mut cursor = None;
        while ids.len() < cases {
            let page = store.list_children(&actor, &Default::default(), cursor, 200).await?;
            ids.extend(page.items.iter().map(|c| (c.id, crate::synth::born_by(&c.fields, today))));
            match page.next.and_then(|n| n.parse().ok()) {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        ids.truncate(cases);
        let local_today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
        for (i, (id, born)) in ids.iter().enumerate() {
            crate::demo_cases::seed_case(&store, &mut rng, &actor, &manager.actor(), *id, *born, (i % 6) as u8, local_today).await?;
            eprint!("\r{}/{} cases", i + 1, ids.len());
        }
        eprintln!("\nopened {} cases in {:.1} s (manager: synthetic-manager)", ids.len(), started.elapsed().as_secs_f64());
    }
    Ok(())
}
