//! The one access policy. Every path that touches a record — pages, API, search, exports,
//! attachments — asks `decide` (for one record) or `list_scope` (for lists, searches and counts).
//! Nothing else in Krousar decides who may see what.

use crate::context::Via;
use crate::disclosure::{Disclosure, Outside, OVERRIDE_SHARES};
use crate::referral::Share;
use crate::role::Role;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// The person acting, as established by their session or API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub team_id: Option<Uuid>,
    /// The actor's team and every team below it in the organisation's hierarchy (empty
    /// without a team): what a supervisor oversees.
    pub teams: Vec<Uuid>,
    pub role: Role,
    /// From where this request came: a page, the API, or a change made on a device.
    pub via: Via,
    /// When the request began: every operation of the request takes its time and its day from
    /// here (never from the clock), so that a test can set them.
    pub now: DateTime<Utc>,
}

impl Actor {
    /// Today in Cambodia, at the request's time.
    pub fn today(&self) -> NaiveDate {
        crate::context::cambodia_day(self.now)
    }

    /// The same person acting at another time (a test's clock, a job's start).
    pub fn at(self, now: DateTime<Utc>) -> Actor {
        Actor { now, ..self }
    }

    /// The same person acting through another channel.
    pub fn via(self, via: Via) -> Actor {
        Actor { via, ..self }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ListChildren,
    ViewChild,
    CreateChild,
    EditChild,
    AssignChild,
    ListHouseholds,
    ViewHousehold,
    CreateHousehold,
    EditHousehold,
    ListRcis,
    ViewRci,
    EditRci,
    /// How many children live in an institution (now or on a day): the ministry, and the
    /// organisation that works with it on its transition. Anyone else could learn, by asking
    /// for one day after another, when another organisation's child came or left.
    CountRciResidents,
    /// Name the organisation that works with an institution on its transition (and so changes
    /// its record and counts its children): the ministry.
    NameRciPartner,
    ManageUsers,
    /// Bring an organisation's records in from workbooks, or take them all out (its archive).
    ImportRecords,
    ViewAudit,
    ManageOrgs,
    /// The directory of organisations — ids, names and kinds, nothing of their cases — to pick
    /// the receiver of a referral: everyone signed in, as the RCI register.
    ListOrganisations,
    ViewAggregates,
    /// Open a case on a child (intake: every route).
    OpenCase,
    /// Record the work on a case: assessments, plans, placements, visits, notes, tasks, and
    /// asking a supervisor for approval.
    WorkCase,
    /// Approve or return what a worker asked to be approved; approve closures.
    ApproveCase,
    /// An organisation's case settings (deadlines, visit intervals, assessment tools).
    ManageCaseSettings,
    /// An organisation's notification defaults and quiet hours.
    ManageNotifications,
    /// The installation's outgoing mail server (its password, its test message).
    ManageMail,
    /// Record a service delivered to the child: the case's workers, and an organisation the
    /// case was referred to (it provides the service).
    RecordService,
    /// Read a child's sensitive information (abuse, HIV, disability, health): the case's
    /// workers and supervisor, and an organisation whose referral consent covers it.
    ViewSensitive,
    /// Record or change it: the case's workers and supervisor only.
    EditSensitive,
    /// Scan a whole organisation for children registered twice (its supervisors and manager).
    ScanDuplicates,
    /// The organisation's register of foster and kinship carers and its recruitment campaigns.
    ListCarers,
    /// Register enquiries and record the steps of a carer's pipeline.
    EditCarer,
    /// The panel's decision, suspension, reinstatement and de-registration of a carer.
    DecideCarer,
    /// The organisation's training register: people, courses, sessions, results, mentoring.
    ManageTraining,
    /// Enrol a phone or laptop to carry cases offline (the people who visit families).
    WorkOffline,
    /// See and revoke the devices of an organisation's people (a lost phone).
    ManageDevices,
    /// See the organisation's referrals and transfers, in and out (each child only as far as
    /// the reader may read it).
    ListReferrals,
    /// Accept or decline a referral or transfer sent to the actor's organisation.
    DecideReferral,
    /// Withdraw a referral the actor's organisation sent, while it waits.
    WithdrawReferral,
    /// Send a referral without the family's consent, with a recorded reason (an emergency).
    OverrideConsent,
    /// Ask another organisation whether a child of theirs matches a family's search, and see
    /// the questions asked by and of the organisation.
    AskMatch,
    /// Answer such a question for the organisation, and a family's inquiry that may concern
    /// one of its children.
    AnswerMatch,
    /// Record a family's search for a child (an inquiry) at the office they came to, and follow
    /// the office's inquiries: who meets families — workers, intake, supervisors, managers and
    /// the ministry's and provincial offices' officers.
    RecordInquiry,
    /// Plan and record support given to many households at once (a distribution), and read
    /// the organisation's distribution lists.
    ManageDistributions,
    /// Run the organisation's community groups (parenting clubs, youth groups, awareness
    /// events…): their members and sessions, and read them.
    ManageGroups,
    /// The team's caseloads, overdue work and approvals waiting (supervisors and managers).
    ViewTeam,
    /// Who opened or changed a child's record (its audit entries), on the child's page: the
    /// supervisors and managers over the child in its own organisation — not the worker whose
    /// colleagues' reading it would show, and not another organisation.
    ViewAccessHistory,
    /// See a child's flags (warnings such as "do not contact the father"): whoever reads the
    /// record in full, and a referral's receiver whose consent covers the case summary.
    ViewFlags,
    /// Raise or remove a flag: the people working on the child (intake included).
    FlagChild,
}

impl Action {
    pub const ALL: [Action; 49] = [
        Action::ListChildren,
        Action::ViewChild,
        Action::CreateChild,
        Action::EditChild,
        Action::AssignChild,
        Action::ListHouseholds,
        Action::ViewHousehold,
        Action::CreateHousehold,
        Action::EditHousehold,
        Action::ListRcis,
        Action::ViewRci,
        Action::EditRci,
        Action::CountRciResidents,
        Action::NameRciPartner,
        Action::ManageUsers,
        Action::ImportRecords,
        Action::ViewAudit,
        Action::ManageOrgs,
        Action::ListOrganisations,
        Action::ViewAggregates,
        Action::OpenCase,
        Action::WorkCase,
        Action::ApproveCase,
        Action::ManageCaseSettings,
        Action::ManageNotifications,
        Action::ManageMail,
        Action::RecordService,
        Action::ViewSensitive,
        Action::EditSensitive,
        Action::ScanDuplicates,
        Action::ListCarers,
        Action::EditCarer,
        Action::DecideCarer,
        Action::ManageTraining,
        Action::WorkOffline,
        Action::ManageDevices,
        Action::ListReferrals,
        Action::DecideReferral,
        Action::WithdrawReferral,
        Action::OverrideConsent,
        Action::AskMatch,
        Action::AnswerMatch,
        Action::RecordInquiry,
        Action::ManageDistributions,
        Action::ManageGroups,
        Action::ViewTeam,
        Action::ViewAccessHistory,
        Action::ViewFlags,
        Action::FlagChild,
    ];
}

/// What the policy needs to know about a record (a child, a household) to decide on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOwner {
    pub org_id: Uuid,
    pub assigned_worker: Option<Uuid>,
    /// A second worker sharing the case (a para social worker, a worker of another district).
    pub co_worker: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// How the actor's organisation may read the record if it is not its own: through a
    /// consented referral, or as the organisation that transferred the child away.
    pub outside: Outside,
}

/// The two organisations of a referral or transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralParties {
    pub from_org: Uuid,
    pub to_org: Uuid,
    pub transfer: bool,
}

/// A user account, as it is or as it would be (its organisation and role): what creating,
/// editing, resetting, disabling or revoking the tokens of an account is aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub org_id: Uuid,
    pub role: Role,
}

/// What an action is aimed at.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Creating something new in the actor's organisation, or an organisation-less action.
    Nothing,
    Record(&'a RecordOwner),
    Organisation(Uuid),
    Referral(ReferralParties),
    /// A residential care institution, with the organisation that works with it on its
    /// transition (if any).
    Rci {
        partner_org: Option<Uuid>,
    },
    Account(Account),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Which records a list, search or count may include. Storage turns this into a WHERE clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    Nothing,
    /// Records assigned to this user (their caseload).
    Own(Uuid),
    /// Records of these teams (a team and the teams below it) of this organisation. Team ids
    /// are unique, but the organisation is checked too: a team never reaches across.
    Teams {
        org: Uuid,
        teams: Vec<Uuid>,
    },
    /// Every record of this organisation.
    Org(Uuid),
    /// Every record (the shared RCI register; never identities of children across organisations).
    Everything,
}

/// The scope a role has over child case files (identities). Ministry and administrators have
/// none: they see figures, not children, unless a case is referred to them (later: shared).
fn case_file_scope(actor: &Actor) -> ListScope {
    match actor.role {
        Role::SocialWorker | Role::Intake => ListScope::Own(actor.user_id),
        Role::Supervisor => match (actor.team_id, actor.teams.is_empty()) {
            (Some(team), true) => ListScope::Teams { org: actor.org_id, teams: vec![team] },
            (Some(_), false) => ListScope::Teams { org: actor.org_id, teams: actor.teams.clone() },
            (None, _) => ListScope::Own(actor.user_id),
        },
        Role::Manager => ListScope::Org(actor.org_id),
        Role::OrgAdmin | Role::Ministry | Role::SystemAdmin => ListScope::Nothing,
    }
}

fn household_scope(actor: &Actor) -> ListScope {
    match actor.role {
        Role::SocialWorker | Role::Intake | Role::Supervisor | Role::Manager => ListScope::Org(actor.org_id),
        Role::OrgAdmin | Role::Ministry | Role::SystemAdmin => ListScope::Nothing,
    }
}

/// The record is in the actor's caseload scope, or the actor is its second worker. A second
/// worker's cases are listed apart ("shared with me"), so that "my caseload" stays one index
/// range; opening and working on them is the same.
fn works_on(actor: &Actor, record: &RecordOwner) -> bool {
    within(&case_file_scope(actor), record) || (record.co_worker == Some(actor.user_id) && actor.role.has_caseload())
}

/// What the actor may read of a record, if anything: everything for the people working on it
/// and their organisation's readers in scope; what the consent covers for a referral's receiver;
/// what it recorded itself, before the transfer, for a transfer's sender who worked on the case.
pub fn disclosure(actor: &Actor, record: &RecordOwner) -> Option<Disclosure> {
    use Role::*;
    if works_on(actor, record) || (actor.role == Manager && within(&case_file_scope(actor), record)) {
        return Some(Disclosure::Full);
    }
    if record.org_id == actor.org_id {
        return None;
    }
    match &record.outside {
        Outside::None => None,
        // A ministry officer reads a case file only when it was referred to the ministry.
        Outside::Referral(shares)
            if shares.contains(&Share::Identity) && matches!(actor.role, SocialWorker | Supervisor | Manager | Ministry) =>
        {
            Some(Disclosure::Consented(shares.clone()))
        }
        Outside::Referral(_) => None,
        Outside::Transferred { worked_on_case: true } if matches!(actor.role, SocialWorker | Supervisor | Manager | Intake) => {
            Some(Disclosure::RecordedBeforeTransfer)
        }
        Outside::Transferred { .. } => None,
    }
}

fn referred_to_actor(actor: &Actor, record: &RecordOwner) -> bool {
    record.org_id != actor.org_id && matches!(record.outside, Outside::Referral(_))
}

/// Who oversees the teams below their own (their `Actor::teams` hold the whole subtree, which
/// widens what `case_file_scope` lets them read): a supervisor only.
pub fn oversees_team_tree(role: Role) -> bool {
    role == Role::Supervisor
}

/// Who may be given a task on a case: the people with a caseload, and the manager.
pub fn holds_tasks(role: Role) -> bool {
    role.has_caseload() || role == Role::Manager
}

/// The organisation that works with an institution its actor registers: an organisation's
/// people register the institutions they work with; the ministry's register names no partner.
pub fn rci_partner_on_registration(actor: &Actor) -> Option<Uuid> {
    (!matches!(actor.role, Role::Ministry | Role::SystemAdmin)).then_some(actor.org_id)
}

/// The shares a referral gives: what its consent names, or (a supervisor's override) all but
/// sensitive information.
pub fn referral_shares(consent: Option<&[Share]>) -> Vec<Share> {
    consent.map_or_else(|| OVERRIDE_SHARES.to_vec(), <[Share]>::to_vec)
}

fn within(scope: &ListScope, record: &RecordOwner) -> bool {
    match scope {
        ListScope::Nothing => false,
        ListScope::Own(user) => record.assigned_worker == Some(*user),
        ListScope::Teams { org, teams } => record.org_id == *org && record.team_id.is_some_and(|t| teams.contains(&t)),
        ListScope::Org(org) => record.org_id == *org,
        ListScope::Everything => true,
    }
}

/// The scope of a list/search/count action; `Nothing` means the list is refused.
pub fn list_scope(actor: &Actor, action: Action) -> ListScope {
    match action {
        Action::ListChildren => case_file_scope(actor),
        Action::ListHouseholds => household_scope(actor),
        Action::ListRcis => ListScope::Everything,
        Action::ViewAudit => match actor.role {
            Role::OrgAdmin => ListScope::Org(actor.org_id),
            Role::SystemAdmin => ListScope::Everything,
            _ => ListScope::Nothing,
        },
        Action::ManageUsers => match actor.role {
            Role::OrgAdmin => ListScope::Org(actor.org_id),
            Role::SystemAdmin => ListScope::Everything,
            _ => ListScope::Nothing,
        },
        _ => ListScope::Nothing,
    }
}

fn allow(yes: bool) -> Decision {
    if yes {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

/// The single access decision.
pub fn decide(actor: &Actor, action: Action, target: Target<'_>) -> Decision {
    use Role::*;
    let role = actor.role;
    match (action, target) {
        (Action::ListChildren | Action::ListHouseholds | Action::ViewAudit, Target::Nothing) => {
            allow(list_scope(actor, action) != ListScope::Nothing)
        }
        (Action::ListRcis | Action::ViewRci | Action::ListOrganisations, _) => Decision::Allow,
        (Action::ViewChild, Target::Record(r)) => allow(disclosure(actor, r).is_some()),
        (Action::EditChild, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r)),
        (Action::OpenCase, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r)),
        (Action::WorkCase, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor) && works_on(actor, r)),
        (Action::RecordService, Target::Record(r)) => {
            allow(matches!(role, SocialWorker | Supervisor) && (works_on(actor, r) || referred_to_actor(actor, r)))
        }
        // Sensitive information: not the manager, the administrators or the ministry — only the
        // people working on the case, and a receiver the consent explicitly covers.
        (Action::ViewSensitive, Target::Record(r)) => allow(
            (matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r))
                || (matches!(role, SocialWorker | Supervisor)
                    && referred_to_actor(actor, r)
                    && disclosure(actor, r).is_some_and(|d| d.covers(Share::Sensitive))),
        ),
        (Action::EditSensitive, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r)),
        // A supervisor approves for their team; a manager for the whole organisation.
        (Action::ApproveCase, Target::Record(r)) => allow(matches!(role, Supervisor | Manager) && within(&case_file_scope(actor), r)),
        (Action::ManageCaseSettings, Target::Organisation(org)) => {
            allow(role == SystemAdmin || (matches!(role, OrgAdmin | Manager) && org == actor.org_id))
        }
        (Action::ManageNotifications, Target::Organisation(org)) => {
            allow(role == SystemAdmin || (matches!(role, OrgAdmin | Manager) && org == actor.org_id))
        }
        (Action::ManageMail, Target::Nothing) => allow(role == SystemAdmin),
        (Action::AssignChild, Target::Record(r)) => allow(role == Supervisor && within(&case_file_scope(actor), r)),
        (Action::CreateChild | Action::CreateHousehold, Target::Nothing) => allow(matches!(role, SocialWorker | Supervisor | Intake)),
        (Action::ViewHousehold, Target::Record(r)) => allow(within(&household_scope(actor), r)),
        (Action::EditHousehold, Target::Record(r)) => {
            allow(matches!(role, SocialWorker | Supervisor | Intake) && within(&household_scope(actor), r))
        }
        // Registering an institution: the organisations' supervisors and managers, the ministry.
        (Action::EditRci, Target::Nothing) => allow(matches!(role, Supervisor | Manager | Ministry | SystemAdmin)),
        // Changing one (its details, its transition): the organisation that works with it, or
        // the ministry.
        (Action::EditRci, Target::Rci { partner_org }) => {
            allow(matches!(role, Ministry | SystemAdmin) || (matches!(role, Supervisor | Manager) && partner_org == Some(actor.org_id)))
        }
        (Action::CountRciResidents, Target::Rci { partner_org }) => {
            allow(matches!(role, Ministry | SystemAdmin) || partner_org == Some(actor.org_id))
        }
        (Action::NameRciPartner, Target::Nothing) => allow(matches!(role, Ministry | SystemAdmin)),
        (Action::ListReferrals, Target::Organisation(org)) => {
            allow(matches!(role, SocialWorker | Supervisor | Manager | Ministry) && org == actor.org_id)
        }
        // The receiver's supervisor or manager decides; at the ministry or a provincial office,
        // a ministry officer decides a referral (not a transfer: a ministry officer holds no
        // caseload to take the case into).
        (Action::DecideReferral, Target::Referral(p)) => {
            allow(p.to_org == actor.org_id && (matches!(role, Supervisor | Manager) || (role == Ministry && !p.transfer)))
        }
        (Action::WithdrawReferral, Target::Referral(p)) => {
            allow(p.from_org == actor.org_id && matches!(role, SocialWorker | Supervisor | Manager | Intake))
        }
        (Action::OverrideConsent, Target::Organisation(org)) => allow(matches!(role, Supervisor | Manager) && org == actor.org_id),
        (Action::AskMatch, Target::Organisation(org)) => {
            allow(matches!(role, SocialWorker | Supervisor | Manager | Ministry) && org == actor.org_id)
        }
        (Action::ManageDistributions | Action::ManageGroups, Target::Organisation(org)) => {
            allow(matches!(role, SocialWorker | Supervisor | Manager | Intake) && org == actor.org_id)
        }
        (Action::RecordInquiry, Target::Organisation(org)) => {
            allow(matches!(role, SocialWorker | Supervisor | Manager | Intake | Ministry) && org == actor.org_id)
        }
        (Action::AnswerMatch, Target::Organisation(org)) => allow(matches!(role, Supervisor | Manager) && org == actor.org_id),
        (Action::ViewAccessHistory, Target::Record(r)) => {
            allow(matches!(role, Supervisor | Manager) && r.org_id == actor.org_id && within(&case_file_scope(actor), r))
        }
        (Action::ViewFlags, Target::Record(r)) => allow(disclosure(actor, r).is_some_and(|d| d.covers(Share::CaseSummary))),
        (Action::FlagChild, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r)),
        (Action::ViewTeam, Target::Organisation(org)) => allow(matches!(role, Supervisor | Manager) && org == actor.org_id),
        (Action::ManageUsers | Action::ViewAudit, Target::Organisation(org)) => {
            allow(role == SystemAdmin || (role == OrgAdmin && org == actor.org_id))
        }
        // An account (to create, edit, reset, disable, or revoke its tokens): managed in that
        // organisation, and reaching no further than the actor — so only a system administrator
        // makes ministry accounts or touches system administrators. Changing an account's role
        // asks twice: for the account as it is and as it would be.
        (Action::ManageUsers, Target::Account(a)) => {
            allow(decide(actor, Action::ManageUsers, Target::Organisation(a.org_id)).allowed() && a.role.reach() <= role.reach())
        }
        (Action::ImportRecords, Target::Organisation(org)) => allow(role == OrgAdmin && org == actor.org_id),
        (Action::WorkOffline, Target::Organisation(org)) => {
            allow(matches!(role, SocialWorker | Supervisor | Intake) && org == actor.org_id)
        }
        (Action::ManageDevices, Target::Organisation(org)) => allow(role == SystemAdmin || (role == OrgAdmin && org == actor.org_id)),
        (Action::ManageOrgs, _) => allow(role == SystemAdmin),
        (Action::ListCarers, Target::Organisation(org)) => {
            allow(matches!(role, SocialWorker | Supervisor | Manager | Intake) && org == actor.org_id)
        }
        (Action::EditCarer, Target::Organisation(org)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && org == actor.org_id),
        (Action::DecideCarer, Target::Organisation(org)) => allow(matches!(role, Supervisor | Manager) && org == actor.org_id),
        (Action::ManageTraining, Target::Organisation(org)) => {
            allow(matches!(role, Supervisor | Manager | OrgAdmin | Ministry) && org == actor.org_id)
        }
        (Action::ScanDuplicates, Target::Organisation(org)) => allow(matches!(role, Supervisor | Manager) && org == actor.org_id),
        (Action::ViewAggregates, Target::Organisation(org)) => {
            allow(matches!(role, Ministry | SystemAdmin) || (role == Manager && org == actor.org_id))
        }
        (Action::ViewAggregates, Target::Nothing) => allow(matches!(role, Ministry | SystemAdmin)),
        _ => Decision::Deny,
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
