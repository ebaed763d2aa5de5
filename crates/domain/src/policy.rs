//! The one access policy. Every path that touches a record — pages, API, search, exports,
//! attachments — asks `decide` (for one record) or `list_scope` (for lists, searches and counts).
//! Nothing else in Krousar decides who may see what.

use crate::role::Role;
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
    ManageUsers,
    /// Bring an organisation's records in from workbooks, or take them all out (its archive).
    ImportRecords,
    ViewAudit,
    ManageOrgs,
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
}

impl Action {
    pub const ALL: [Action; 31] = [
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
        Action::ManageUsers,
        Action::ImportRecords,
        Action::ViewAudit,
        Action::ManageOrgs,
        Action::ViewAggregates,
        Action::OpenCase,
        Action::WorkCase,
        Action::ApproveCase,
        Action::ManageCaseSettings,
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
    /// The record was shared with the actor's organisation by a consented referral.
    pub shared_with_actor: bool,
    /// That referral's consent also covers the child's sensitive information.
    pub sensitive_shared_with_actor: bool,
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
        (Action::ListRcis | Action::ViewRci, _) => Decision::Allow,
        (Action::ViewChild, Target::Record(r)) => {
            // A ministry officer reads a case file only when it was referred to the ministry.
            let shared = r.shared_with_actor && matches!(role, SocialWorker | Supervisor | Manager | Ministry);
            allow(works_on(actor, r) || shared)
        }
        (Action::EditChild, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r)),
        (Action::OpenCase, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r)),
        (Action::WorkCase, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor) && works_on(actor, r)),
        (Action::RecordService, Target::Record(r)) => {
            allow(matches!(role, SocialWorker | Supervisor) && (works_on(actor, r) || r.shared_with_actor))
        }
        // Sensitive information: not the manager, the administrators or the ministry — only the
        // people working on the case, and a receiver the consent explicitly covers.
        (Action::ViewSensitive, Target::Record(r)) => allow(
            (matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r))
                || (matches!(role, SocialWorker | Supervisor) && r.sensitive_shared_with_actor),
        ),
        (Action::EditSensitive, Target::Record(r)) => allow(matches!(role, SocialWorker | Supervisor | Intake) && works_on(actor, r)),
        // A supervisor approves for their team; a manager for the whole organisation.
        (Action::ApproveCase, Target::Record(r)) => allow(matches!(role, Supervisor | Manager) && within(&case_file_scope(actor), r)),
        (Action::ManageCaseSettings, Target::Organisation(org)) => {
            allow(role == SystemAdmin || (matches!(role, OrgAdmin | Manager) && org == actor.org_id))
        }
        (Action::AssignChild, Target::Record(r)) => allow(role == Supervisor && within(&case_file_scope(actor), r)),
        (Action::CreateChild | Action::CreateHousehold, Target::Nothing) => allow(matches!(role, SocialWorker | Supervisor | Intake)),
        (Action::ViewHousehold, Target::Record(r)) => allow(within(&household_scope(actor), r)),
        (Action::EditHousehold, Target::Record(r)) => {
            allow(matches!(role, SocialWorker | Supervisor | Intake) && within(&household_scope(actor), r))
        }
        (Action::EditRci, _) => allow(matches!(role, Supervisor | Manager | Ministry | SystemAdmin)),
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
