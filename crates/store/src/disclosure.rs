//! The one cut of what another organisation — or a reader who may not open the sensitive page —
//! reads of a child and its case. `view_child`, `case_file`, the lists and the attachments apply
//! it, and every path that carries case data reads through them: pages, the API, the ministry
//! forms and their PDFs, the offline copy, exports. The policy decides (`policy::disclosure`);
//! this module only applies the decision.

use crate::cases::{Case, CaseFile};
use crate::children::Child;
use crate::db::{RowExt, Tx};
use crate::error::StoreError;
use krousar_domain::case::CaseEntry;
use krousar_domain::child::ChildFields;
use krousar_domain::disclosure::{part, share_of, Disclosure, Outside};
use krousar_domain::policy::{decide, disclosure, referral_shares, Target};
use krousar_domain::referral::{Referral, Share};
use krousar_domain::{Action, Actor};
use uuid::Uuid;

/// How an organisation other than the child's own may read it.
#[derive(Debug, Clone)]
pub enum Grant {
    /// An accepted referral to `org`, with what its consent shares.
    Referral { org: Uuid, shares: Vec<Share> },
    /// An accepted transfer away from `org`: who of it worked on the case, when the transfer
    /// was accepted, and the child's record as it was then.
    Transfer { org: Uuid, readers: Vec<Uuid>, at: String, snapshot: Option<Box<ChildFields>> },
}

/// Every grant on a child (accepted referrals and transfers).
pub(crate) async fn grants(tx: &mut Tx, child: Uuid) -> Result<Vec<Grant>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.id, r.kind, r.from_org, r.to_org, r.body, r.decided_at, r.child_snapshot FROM referrals r \
         WHERE r.child_id = $1 AND r.state = 'accepted' ORDER BY r.sent_at",
    )
    .bind(child.to_string())
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if r.text("kind")? == "transfer" {
            let readers = sqlx::query("SELECT user_id FROM transfer_readers WHERE referral_id = $1")
                .bind(r.text("id")?)
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|u| u.uuid("user_id"))
                .collect::<Result<_, _>>()?;
            let snapshot = match r.opt_text("child_snapshot")? {
                Some(s) => Some(Box::new(serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("transfer snapshot: {e}")))?)),
                None => None,
            };
            out.push(Grant::Transfer { org: r.uuid("from_org")?, readers, at: r.opt_text("decided_at")?.unwrap_or_default(), snapshot });
        } else {
            let body: Referral = serde_json::from_str(&r.text("body")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let shares = referral_shares(body.consent.as_ref().map(|c| c.shares.as_slice()));
            out.push(Grant::Referral { org: r.uuid("to_org")?, shares });
        }
    }
    Ok(out)
}

/// How the actor's organisation may read the child from outside: the union of its referrals'
/// shares; otherwise, as a transfer's sender, whether the actor worked on the case.
pub(crate) fn outside_for(grants: &[Grant], actor: &Actor) -> Outside {
    let mut shares: Vec<Share> = Vec::new();
    for g in grants {
        if let Grant::Referral { org, shares: s } = g {
            if *org == actor.org_id {
                shares.extend(s.iter().filter(|x| !shares.contains(x)).copied().collect::<Vec<_>>());
            }
        }
    }
    if !shares.is_empty() {
        return Outside::Referral(shares);
    }
    let transfers = grants.iter().filter_map(|g| match g {
        Grant::Transfer { org, readers, .. } if *org == actor.org_id => Some(readers),
        _ => None,
    });
    let mut any = false;
    for readers in transfers {
        any = true;
        if readers.contains(&actor.user_id) {
            return Outside::Transferred { worked_on_case: true };
        }
    }
    if any {
        Outside::Transferred { worked_on_case: false }
    } else {
        Outside::None
    }
}

/// The last transfer away from the actor's organisation that the actor may read through.
fn transfer_of<'a>(grants: &'a [Grant], actor: &Actor) -> Option<(&'a str, Option<&'a ChildFields>)> {
    grants.iter().rev().find_map(|g| match g {
        Grant::Transfer { org, readers, at, snapshot } if *org == actor.org_id && readers.contains(&actor.user_id) => {
            Some((at.as_str(), snapshot.as_deref()))
        }
        _ => None,
    })
}

/// What the actor may read of this child (`None`: nothing; the caller refuses).
pub fn of(child: &Child, actor: &Actor) -> Option<Disclosure> {
    disclosure(actor, &child.owner(actor))
}

/// Cut the child's record to what the actor may read. Fields cut are named in `withheld`, so
/// that a page says "not shared" rather than showing an empty value as if it were the truth.
pub fn cut_child(child: &mut Child, actor: &Actor) {
    let owner = child.owner(actor);
    let d = disclosure(actor, &owner);
    if d == Some(Disclosure::RecordedBeforeTransfer) {
        let names_only = |f: &ChildFields| ChildFields {
            village_code: None,
            rci_id: None,
            birth_certificate_number: None,
            protection: Vec::new(),
            protection_note: None,
            ..f.clone()
        };
        // The record as it was when the transfer was accepted, never what the receiver wrote
        // since (a transfer accepted before snapshots were kept: the names and birth only).
        if let Some((at, _)) = transfer_of(&child.grants, actor) {
            // Not even when the receiver last changed it.
            child.updated_at = at.to_string();
        }
        match transfer_of(&child.grants, actor) {
            Some((_, Some(snapshot))) => child.fields = snapshot.clone(),
            _ => {
                child.fields = names_only(&child.fields);
                child.withheld.extend(["village_code", "rci_id", "birth_certificate_number"]);
            }
        }
        child.assigned_worker_name = None;
        child.co_worker_name = None;
        child.withheld.extend(["assigned_worker", "co_worker"]);
    }
    if !decide(actor, Action::ViewSensitive, Target::Record(&owner)).allowed() {
        // Protection categories ("abused", "HIV-affected") are sensitive information.
        child.fields.protection.clear();
        child.fields.protection_note = None;
        child.withheld.extend(["protection", "protection_note"]);
    }
}

/// Cut the case object to what a reader with disclosure `d` may read; returns the parts cut.
pub fn cut_case(case: &mut Case, d: &Disclosure) -> Vec<&'static str> {
    let mut withheld = Vec::new();
    if d.is_full() {
        return withheld;
    }
    case.supervisor_id = None;
    if !d.covers(part::SUMMARY) {
        case.summary = None;
        case.immediate_safety = None;
        case.referral_source = None;
        case.first_contact_due = None;
        case.first_contact_on = None;
        case.closure_reason = None;
        case.closed_on = None;
        withheld.push("summary");
    }
    if !d.covers(part::RISK) {
        case.risk_level = None;
        case.reassessment_due = None;
        withheld.push("risk");
    }
    if !d.covers(part::PLACEMENT) {
        case.placement_id = None;
        case.placement_kind = None;
        case.placement_started_on = None;
        case.follow_up_until = None;
        case.plan_review_due = None;
        withheld.push("placement");
    }
    withheld
}

impl crate::db::Store {
    /// A case as `actor` may read it: what a write answers must be cut like what a read
    /// answers (a receiver recording a service gets the case back).
    pub async fn case_as_read_by(&self, actor: &Actor, child_id: Uuid, mut case: Case) -> Result<Case, StoreError> {
        let mut tx = self.pool.begin().await?;
        let child = crate::children::load(&mut tx, child_id).await?;
        tx.rollback().await?;
        match of(&child, actor) {
            Some(d) => {
                cut_case(&mut case, &d);
                Ok(case)
            }
            None => Err(StoreError::NotFound),
        }
    }
}

/// Cut a case file to what the actor may read (`d`, the policy's disclosure for the child).
pub(crate) fn cut_case_file(file: &mut CaseFile, d: &Disclosure, child: &Child, actor: &Actor) {
    if d.is_full() {
        return;
    }
    let org = actor.org_id;
    let mut withheld = cut_case(&mut file.case, d);
    if !d.covers(part::VISIT_SCHEDULE) {
        file.visits.clear();
        withheld.push("visits");
    }
    if !d.covers(part::TASKS) {
        file.tasks.clear();
        withheld.push("tasks");
    }
    match d {
        Disclosure::Consented(shares) => {
            // What the consent covers, and what the receiver recorded itself (its services).
            let covered = |kind: &str, approval: Option<&str>| share_of(kind, approval).is_some_and(|s| shares.contains(&s));
            // An entry that is a file stays with the case's people even when the receiver wrote it.
            file.timeline.retain(|e| {
                let approval = e.entry.approval_kind().map(|k| k.code());
                (covered(e.kind(), approval) || e.author_org == Some(org)) && !matches!(e.entry, CaseEntry::Attachment(_))
            });
            file.approvals.retain(|a| covered(&a.kind, None));
        }
        _ => {
            let until = transfer_of(&child.grants, actor).map(|(at, _)| at.to_string()).unwrap_or_default();
            file.timeline.retain(|e| e.author_org == Some(org) && e.created_at <= until);
            file.approvals.clear();
            withheld.push("approvals");
        }
    }
    // Files stay with the people working on the case (by id too: `read_attachment`).
    file.attachments.clear();
    withheld.push("attachments");
    file.withheld = withheld;
}
