//! `krousar gen-data --orgs N`: a synthetic nation. N organisations (each with five teams, a
//! manager, an administrator, five supervisors, forty social workers and three intake officers —
//! 10,000 users for 200 organisations), a ministry, RCIs across the provinces, and the children
//! shared out between the organisations' workers, one in ten living in an RCI with its stay
//! recorded. Children live where the country's children do (`Synth`'s province weights).

use crate::synth::Synth;
use anyhow::Result;
use krousar_domain::choices::{OrgKind, RciRegistration, RciType};
use krousar_domain::rci::RciFields;
use krousar_domain::{Actor, Role};
use krousar_store::{Store, Who};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

const TEAMS: usize = 5;
const WORKERS_PER_TEAM: usize = 8;

struct Org {
    workers: Vec<Actor>,
}

async fn user(store: &Store, org: uuid::Uuid, team: Option<uuid::Uuid>, name: &str, role: Role, hash: &str) -> Result<Actor> {
    let u = match store.user_by_username(name).await {
        Ok(u) => u,
        Err(_) => store.create_user(Who::system(), org, team, name, name, role, hash, "km").await?,
    };
    Ok(u.actor())
}

async fn org(store: &Store, n: usize, hash: &str) -> Result<(Org, Actor)> {
    let name = format!("Synthetic NGO {n:03}");
    let o = match store.org_by_name(&name).await {
        Ok(o) => o,
        Err(_) => store.create_org(Who::system(), &name, OrgKind::Ngo).await?,
    };
    let existing = store.teams(o.id).await?;
    let mut workers = Vec::new();
    let manager = user(store, o.id, None, &format!("o{n:03}-manager"), Role::Manager, hash).await?;
    user(store, o.id, None, &format!("o{n:03}-admin"), Role::OrgAdmin, hash).await?;
    for t in 0..TEAMS {
        let team_name = format!("Team {}", t + 1);
        let team = match existing.iter().find(|x| x.name == team_name) {
            Some(x) => x.id,
            None => store.create_team(Who::system(), o.id, &team_name).await?.id,
        };
        user(store, o.id, Some(team), &format!("o{n:03}-t{t}-supervisor"), Role::Supervisor, hash).await?;
        for w in 0..WORKERS_PER_TEAM {
            workers.push(user(store, o.id, Some(team), &format!("o{n:03}-t{t}-w{w}"), Role::SocialWorker, hash).await?);
        }
    }
    for i in 0..3 {
        user(store, o.id, workers[0].team_id, &format!("o{n:03}-intake{i}"), Role::Intake, hash).await?;
    }
    Ok((Org { workers }, manager))
}

pub async fn generate(store: &Store, orgs: usize, children: usize, rcis: usize, rng: &mut StdRng) -> Result<()> {
    let started = std::time::Instant::now();
    let hash = krousar_web::auth::hash_password("synthetic-password").map_err(anyhow::Error::msg)?;
    let ministry = match store.org_by_name("Synthetic ministry").await {
        Ok(o) => o,
        Err(_) => store.create_org(Who::system(), "Synthetic ministry", OrgKind::Ministry).await?,
    };
    user(store, ministry.id, None, "synthetic-ministry", Role::Ministry, &hash).await?;
    let mut all = Vec::new();
    let mut manager = None;
    for n in 1..=orgs {
        let (o, m) = org(store, n, &hash).await?;
        manager.get_or_insert(m);
        all.push(o);
        eprint!("\r{n}/{orgs} organisations and their users");
    }
    eprintln!(" ({:.1} s)", started.elapsed().as_secs_f64());
    let synth = Synth::new(&krousar_store::gazetteer::embedded(), None);
    let manager = manager.expect("at least one organisation");
    let mut homes = Vec::new();
    for i in 0..rcis {
        let f = RciFields {
            name: format!("Synthetic children's centre {:03}", i + 1),
            rci_type: *[RciType::Ngo, RciType::FaithBased, RciType::Private, RciType::Government].choose(rng).expect("list"),
            village_code: Some(synth.village(rng)),
            capacity: Some(rng.random_range(10..120)),
            registration_status: if rng.random_ratio(4, 5) { RciRegistration::Registered } else { RciRegistration::Unregistered },
            note: None,
        };
        homes.push(store.create_rci(&manager, f).await?.id);
    }
    let today = chrono::Utc::now().date_naive();
    let per_worker = children / (orgs * TEAMS * WORKERS_PER_TEAM).max(1);
    let mut extra = children - per_worker * orgs * TEAMS * WORKERS_PER_TEAM;
    let mut done = 0;
    for o in &all {
        // One organisation's children in one batch, shared out between its workers.
        let mut made = Vec::new();
        let mut assigned = Vec::new();
        for w in &o.workers {
            let n = per_worker + usize::from(extra > 0);
            extra = extra.saturating_sub(1);
            for _ in 0..n {
                let rci = (!homes.is_empty() && rng.random_ratio(1, 10)).then(|| *homes.choose(rng).expect("homes"));
                made.push(synth.child(rng, today, rci));
                assigned.push(w);
            }
        }
        let batch: Vec<_> = made.iter().map(|(c, _)| c.clone()).collect();
        let ids = store.bulk_insert_children_assigned(&o.workers[0], &batch, &assigned).await?;
        let households: Vec<_> =
            made.iter().zip(&ids).map(|((c, family), id)| (synth.household(rng, family, c.village_code.clone(), today), *id)).collect();
        store.bulk_insert_households(&o.workers[0], &households).await?;
        let stays: Vec<_> = made
            .iter()
            .zip(&ids)
            .filter_map(|((c, _), id)| c.rci_id.map(|r| (*id, r, today - chrono::Duration::days(rng.random_range(30..3000)))))
            .collect();
        store.bulk_insert_stays(&stays).await?;
        done += made.len();
        eprint!("\r{done}/{children} children");
    }
    eprintln!(
        "\ngenerated {orgs} organisations, {} users, {rcis} RCIs and {children} children in {:.1} s (password synthetic-password; ministry: synthetic-ministry)",
        orgs * (TEAMS * (WORKERS_PER_TEAM + 1) + 5) + 1,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
