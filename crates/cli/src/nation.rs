//! `krousar gen-data --orgs N`: a synthetic nation. N organisations (each with five teams, a
//! manager, an administrator, five supervisors, forty social workers and three intake officers —
//! 10,000 users for 200 organisations), a ministry, RCIs across the provinces, and the children
//! shared out between the organisations' workers, one in ten living in an RCI with its stay
//! recorded. Children live where the country's children do (`Synth`'s province weights).

use crate::nation_cases::{make_case, pick_depth, Owner};
use crate::nation_registers::{OrgCast, Registers};
use crate::synth::Synth;
use anyhow::{Context, Result};
use krousar_domain::choices::{OrgKind, RciRegistration, RciType};
use krousar_domain::rci::RciFields;
use krousar_domain::{Actor, Role};
use krousar_store::{Store, Who};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

const TEAMS: usize = 5;
const WORKERS_PER_TEAM: usize = 8;
/// Organisations loaded per transaction (50,000 children at the default sizes): each commit
/// rewrites every index page it touched, so fewer, larger ones write far less.
const ORGS_PER_COMMIT: usize = 10;

struct Org {
    workers: Vec<Actor>,
    /// Each team's supervisor, who approves its cases.
    supervisors: std::collections::HashMap<uuid::Uuid, Actor>,
    manager: Actor,
    /// Children of the first worker living with their family, who are referred.
    at_home: Vec<uuid::Uuid>,
    /// A child of the first worker placed back with family, given government cash support.
    cash_child: Option<uuid::Uuid>,
}

impl Org {
    fn cast(&self) -> OrgCast<'_> {
        let boss = self.workers[0].team_id.and_then(|t| self.supervisors.get(&t)).expect("every team has a supervisor");
        OrgCast { worker: &self.workers[0], supervisor: boss, manager: &self.manager }
    }
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
    let mut supervisors = std::collections::HashMap::new();
    let manager = user(store, o.id, None, &format!("o{n:03}-manager"), Role::Manager, hash).await?;
    user(store, o.id, None, &format!("o{n:03}-admin"), Role::OrgAdmin, hash).await?;
    for t in 0..TEAMS {
        let team_name = format!("Team {}", t + 1);
        let team = match existing.iter().find(|x| x.name == team_name) {
            Some(x) => x.id,
            None => store.create_team(Who::system(), o.id, &team_name).await?.id,
        };
        let boss = user(store, o.id, Some(team), &format!("o{n:03}-t{t}-supervisor"), Role::Supervisor, hash).await?;
        supervisors.insert(team, boss);
        for w in 0..WORKERS_PER_TEAM {
            workers.push(user(store, o.id, Some(team), &format!("o{n:03}-t{t}-w{w}"), Role::SocialWorker, hash).await?);
        }
    }
    for i in 0..3 {
        user(store, o.id, workers[0].team_id, &format!("o{n:03}-intake{i}"), Role::Intake, hash).await?;
    }
    Ok((Org { workers, supervisors, manager: manager.clone(), at_home: Vec::new(), cash_child: None }, manager))
}

/// What to generate: organisations, children (shared out between them), RCIs, and how many of
/// the children have a case (at every stage, `nation_cases`).
pub struct Sizes {
    pub orgs: usize,
    pub children: usize,
    pub rcis: usize,
    pub cases: usize,
}

pub async fn generate(store: &Store, sizes: Sizes, rng: &mut StdRng) -> Result<()> {
    let Sizes { orgs, children, rcis, cases } = sizes;
    let started = std::time::Instant::now();
    let hash = krousar_web::auth::hash_password("synthetic-password").map_err(anyhow::Error::msg)?;
    let ministry = match store.org_by_name("Synthetic ministry").await {
        Ok(o) => o,
        Err(_) => store.create_org(Who::system(), "Synthetic ministry", OrgKind::Ministry).await?,
    };
    user(store, ministry.id, None, "synthetic-ministry", Role::Ministry, &hash).await?;
    let sysadmin = user(store, ministry.id, None, "synthetic-sysadmin", Role::SystemAdmin, &hash).await?;
    let mut all = Vec::new();
    let mut manager = None;
    for n in 1..=orgs {
        let (o, m) = org(store, n, &hash).await?;
        manager.get_or_insert(m);
        all.push(o);
        eprint!("\r{n}/{orgs} organisations and their users");
    }
    eprintln!(" ({:.1} s)", started.elapsed().as_secs_f64());
    let places = krousar_store::gazetteer::embedded();
    let synth = Synth::new(&places, None);
    let manager = manager.expect("at least one organisation");
    let mut homes = Vec::new();
    for i in 0..rcis {
        let village = synth.village(rng);
        let f = RciFields {
            name: crate::synth::rci_name(&places, &village, i + 1),
            rci_type: *[RciType::Ngo, RciType::FaithBased, RciType::Private, RciType::Government].choose(rng).expect("list"),
            village_code: Some(village),
            capacity: Some(rng.random_range(10..120)),
            registration_status: if rng.random_ratio(4, 5) { RciRegistration::Registered } else { RciRegistration::Unregistered },
            note: None,
        };
        homes.push(store.create_rci(&manager, f).await?.id);
    }
    let today = krousar_domain::today();
    let per_worker = children / (orgs * TEAMS * WORKERS_PER_TEAM).max(1);
    let mut extra = children - per_worker * orgs * TEAMS * WORKERS_PER_TEAM;
    let mut done = 0;
    let mut totals = (0, 0, 0);
    let mut load = store.bulk_load().await?;
    if load.trust_references().await? {
        eprintln!("PostgreSQL as a superuser: foreign keys not re-checked row by row while loading (the data is built consistent; `cargo test -p krousar --test nation_cases` reads it back)");
    }
    for (n, o) in all.iter_mut().enumerate() {
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
        let ids = load.children_assigned(&o.workers[0], &batch, &assigned).await?;
        let households: Vec<_> =
            made.iter().zip(&ids).map(|((c, family), id)| (synth.household(rng, family, c.village_code.clone(), today), *id)).collect();
        let household_ids = load.households(&o.workers[0], &households).await?;
        let stays: Vec<_> = made
            .iter()
            .zip(&ids)
            .filter_map(|((c, _), id)| {
                c.rci_id
                    .map(|r| (*id, r, (today - chrono::Duration::days(rng.random_range(30..3000))).max(crate::synth::born_by(c, today))))
            })
            .collect();
        load.stays(&stays).await?;
        // This organisation's share of the cases, spread over its workers' children.
        let want = cases * made.len() / children.max(1);
        let step = (made.len() / want.max(1)).max(1);
        let with_case = || (0..made.len()).step_by(step).take(want);
        let cash = with_case().find(|&i| assigned[i].user_id == o.workers[0].user_id && made[i].0.rci_id.is_none());
        o.cash_child = cash.map(|i| ids[i]);
        let histories: Vec<_> = with_case()
            .map(|i| {
                let worker = assigned[i];
                let owner = Owner {
                    child: ids[i],
                    org: worker.org_id,
                    worker: worker.user_id,
                    supervisor: worker.team_id.and_then(|t| o.supervisors.get(&t)).map(|a| a.user_id),
                    household: household_ids.get(i).copied(),
                    in_rci: made[i].0.rci_id.is_some(),
                };
                // The cash child's case is in follow-up: the registers give it cash support.
                let depth = if Some(i) == cash { 4 } else { pick_depth(rng) };
                make_case(rng, &owner, depth, today)
            })
            .collect();
        let counts = load.cases(&o.workers[0], &histories).await?;
        o.at_home = (0..made.len())
            .filter(|i| assigned[*i].user_id == o.workers[0].user_id && made[*i].0.rci_id.is_none())
            .map(|i| ids[i])
            .collect();
        totals.0 += counts.cases;
        totals.1 += counts.entries;
        totals.2 += counts.visits;
        if (n + 1) % ORGS_PER_COMMIT == 0 {
            load.commit().await?;
            load = store.bulk_load().await?;
            load.trust_references().await?;
        }
        done += made.len();
        eprint!("\r{done}/{children} children, {} cases, {} case entries, {} follow-up visits due", totals.0, totals.1, totals.2);
    }
    // Children placed in a family left their RCI on the day (issue 21: one story).
    load.placements_end_stays().await?;
    load.commit().await?;
    eprintln!(" ({:.1} s)", started.elapsed().as_secs_f64());
    // Carers, campaigns, RCI transitions, training, cash support and referrals between neighbours.
    let registers = Registers { sysadmin: &sysadmin, today };
    let mut referred = 0;
    for (i, o) in all.iter().enumerate() {
        if let Some(rci) = homes.get(i) {
            registers
                .seed_org(store, &o.cast(), *rci, Some(synth.village(rng)), o.cash_child)
                .await
                .with_context(|| format!("registers of organisation {}", i + 1))?;
        }
        if all.len() > 1 {
            let next = &all[(i + 1) % all.len()];
            referred += registers
                .refer(store, &o.workers[0], &next.cast(), &o.at_home)
                .await
                .with_context(|| format!("referrals of organisation {}", i + 1))?;
        }
        eprint!("\r{}/{orgs} organisations' carers, trainings and referrals ({referred} referrals)", i + 1);
    }
    eprintln!(
        "\ngenerated {orgs} organisations, {} users, {rcis} RCIs, {children} children and {} cases ({} entries, {} visits due) in {:.1} s (password synthetic-password; ministry: synthetic-ministry)",
        orgs * (TEAMS * (WORKERS_PER_TEAM + 1) + 5) + 2,
        totals.0,
        totals.1,
        totals.2,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
