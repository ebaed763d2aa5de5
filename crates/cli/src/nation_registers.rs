//! The registers around the nation's cases, organisation by organisation, through the same
//! store operations as the pages (they are thousands, not millions): the carers, campaign,
//! RCI transition, training and cash support of the demo (`demo_registers`), and referrals to
//! the next organisation — some accepted, some declined, some waiting.

use crate::demo_registers::{seed, Cast};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use krousar_domain::referral::{Consent, ConsentBy, Referral, ReferralKind, Share, Urgency};
use krousar_domain::Actor;
use krousar_store::Store;
use uuid::Uuid;

/// Who acts for one organisation.
pub struct OrgCast<'a> {
    pub worker: &'a Actor,
    pub supervisor: &'a Actor,
    pub manager: &'a Actor,
}

/// Referrals sent by each organisation to the next one.
const REFERRALS: usize = 6;

pub struct Registers<'a> {
    pub sysadmin: &'a Actor,
    pub today: NaiveDate,
}

impl Registers<'_> {
    /// The demo's registers for one organisation: `rci` goes through its transition, `village`
    /// is where its carers live, `cash_child` (living with family) gets government cash support.
    pub async fn seed_org(
        &self,
        store: &Store,
        o: &OrgCast<'_>,
        rci: Uuid,
        village: Option<String>,
        cash_child: Option<Uuid>,
    ) -> Result<()> {
        let cast = Cast { worker: o.worker, supervisor: o.supervisor, manager: o.manager, sysadmin: self.sysadmin };
        seed(store, &cast, village, rci, cash_child, self.today).await
    }

    /// `children` of the sender's worker referred to the receiving organisation, whose
    /// supervisor accepts the first half, declines one and leaves the rest waiting.
    pub async fn refer(&self, store: &Store, from: &Actor, to: &OrgCast<'_>, children: &[Uuid]) -> Result<usize> {
        let mut sent = 0;
        for (i, child) in children.iter().take(REFERRALS).enumerate() {
            let r = Referral {
                to_org: to.supervisor.org_id,
                kind: ReferralKind::Referral,
                services: "Vocational training and school support".into(),
                reason: "The family moved to the other organisation's province for work.".into(),
                urgency: Urgency::Normal,
                consent: Some(Consent { by: ConsentBy::Parent, given_on: self.today, shares: vec![Share::Identity, Share::CaseSummary] }),
                override_reason: None,
            };
            let id = store.send_referral(from, *child, r).await.with_context(|| format!("referring {child}"))?;
            sent += 1;
            let decision = match i {
                0..3 => Some(("accept", None)),
                3 => Some(("decline", Some("No capacity in that district this quarter."))),
                _ => None,
            };
            if let Some((action, reason)) = decision {
                store.decide_referral(to.supervisor, id, action, reason).await.with_context(|| format!("deciding referral {id}"))?;
            }
        }
        Ok(sent)
    }
}
