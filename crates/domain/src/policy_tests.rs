//! Every role × action × scope, as a table. A row reads: role, action, then the expected decision
//! for a record that is own / team / same-org / other-org / shared-with-us ('A' allow, '-' deny).

use super::*;
use crate::disclosure::{Disclosure, Outside};
use crate::referral::Share;

const ORG: Uuid = Uuid::from_u128(1);
const OTHER_ORG: Uuid = Uuid::from_u128(2);
const ME: Uuid = Uuid::from_u128(10);
const TEAMMATE: Uuid = Uuid::from_u128(11);
const STRANGER: Uuid = Uuid::from_u128(12);
const TEAM: Uuid = Uuid::from_u128(20);
const OTHER_TEAM: Uuid = Uuid::from_u128(21);

fn actor(role: Role) -> Actor {
    Actor { user_id: ME, org_id: ORG, team_id: Some(TEAM), teams: vec![TEAM], role, via: Default::default(), now: chrono::Utc::now() }
}

fn records() -> [RecordOwner; 5] {
    let rec = |org, worker, team, shared| RecordOwner {
        org_id: org,
        assigned_worker: Some(worker),
        co_worker: None,
        team_id: Some(team),
        outside: if shared { Outside::Referral(vec![Share::Identity, Share::CaseSummary]) } else { Outside::None },
    };
    [
        rec(ORG, ME, TEAM, false),                   // own caseload
        rec(ORG, TEAMMATE, TEAM, false),             // team
        rec(ORG, STRANGER, OTHER_TEAM, false),       // same organisation, other team
        rec(OTHER_ORG, STRANGER, OTHER_TEAM, false), // other organisation
        rec(OTHER_ORG, STRANGER, OTHER_TEAM, true),  // other organisation, shared with us
    ]
}

const RECORD_TABLE: &[(&str, Action, &str)] = &[
    // Flags: whoever reads the record in full, and a receiver whose consent covers the case
    // summary (the fifth record); raised and removed by the people working on the child.
    ("social-worker", Action::ViewFlags, "A---A"),
    ("social-worker", Action::FlagChild, "A----"),
    ("supervisor", Action::ViewFlags, "AA--A"),
    ("supervisor", Action::FlagChild, "AA---"),
    ("manager", Action::ViewFlags, "AAA-A"),
    ("manager", Action::FlagChild, "-----"),
    ("intake", Action::ViewFlags, "A----"),
    ("intake", Action::FlagChild, "A----"),
    ("org-admin", Action::ViewFlags, "-----"),
    ("org-admin", Action::FlagChild, "-----"),
    ("ministry", Action::ViewFlags, "----A"),
    ("ministry", Action::FlagChild, "-----"),
    ("system-admin", Action::ViewFlags, "-----"),
    ("system-admin", Action::FlagChild, "-----"),
    // A child's access history: who oversees the child in its own organisation; never the
    // worker (it would show the colleagues' reading) nor another organisation, shared or not.
    ("social-worker", Action::ViewAccessHistory, "-----"),
    ("supervisor", Action::ViewAccessHistory, "AA---"),
    ("manager", Action::ViewAccessHistory, "AAA--"),
    ("intake", Action::ViewAccessHistory, "-----"),
    ("org-admin", Action::ViewAccessHistory, "-----"),
    ("ministry", Action::ViewAccessHistory, "-----"),
    ("system-admin", Action::ViewAccessHistory, "-----"),
    // Sensitive information: the case's people only; a referral without sensitive consent
    // (the fifth record) does not open it.
    ("social-worker", Action::ViewSensitive, "A----"),
    ("social-worker", Action::EditSensitive, "A----"),
    ("supervisor", Action::ViewSensitive, "AA---"),
    ("supervisor", Action::EditSensitive, "AA---"),
    ("intake", Action::ViewSensitive, "A----"),
    ("intake", Action::EditSensitive, "A----"),
    ("manager", Action::ViewSensitive, "-----"),
    ("manager", Action::EditSensitive, "-----"),
    ("org-admin", Action::ViewSensitive, "-----"),
    ("ministry", Action::ViewSensitive, "-----"),
    ("system-admin", Action::ViewSensitive, "-----"),
    ("social-worker", Action::RecordService, "A---A"),
    ("supervisor", Action::RecordService, "AA--A"),
    ("manager", Action::RecordService, "-----"),
    ("intake", Action::RecordService, "-----"),
    ("org-admin", Action::RecordService, "-----"),
    ("ministry", Action::RecordService, "-----"),
    ("system-admin", Action::RecordService, "-----"),
    ("social-worker", Action::OpenCase, "A----"),
    ("social-worker", Action::WorkCase, "A----"),
    ("social-worker", Action::ApproveCase, "-----"),
    ("supervisor", Action::OpenCase, "AA---"),
    ("supervisor", Action::WorkCase, "AA---"),
    ("supervisor", Action::ApproveCase, "AA---"),
    ("manager", Action::OpenCase, "-----"),
    ("manager", Action::WorkCase, "-----"),
    ("manager", Action::ApproveCase, "AAA--"),
    ("intake", Action::OpenCase, "A----"),
    ("intake", Action::WorkCase, "-----"),
    ("intake", Action::ApproveCase, "-----"),
    ("org-admin", Action::OpenCase, "-----"),
    ("org-admin", Action::WorkCase, "-----"),
    ("org-admin", Action::ApproveCase, "-----"),
    ("ministry", Action::OpenCase, "-----"),
    ("ministry", Action::WorkCase, "-----"),
    ("ministry", Action::ApproveCase, "-----"),
    ("system-admin", Action::OpenCase, "-----"),
    ("system-admin", Action::WorkCase, "-----"),
    ("system-admin", Action::ApproveCase, "-----"),
    ("social-worker", Action::ViewChild, "A---A"),
    ("social-worker", Action::EditChild, "A----"),
    ("social-worker", Action::AssignChild, "-----"),
    ("social-worker", Action::ViewHousehold, "AAA--"),
    ("social-worker", Action::EditHousehold, "AAA--"),
    ("supervisor", Action::ViewChild, "AA--A"),
    ("supervisor", Action::EditChild, "AA---"),
    ("supervisor", Action::AssignChild, "AA---"),
    ("supervisor", Action::ViewHousehold, "AAA--"),
    ("supervisor", Action::EditHousehold, "AAA--"),
    ("manager", Action::ViewChild, "AAA-A"),
    ("manager", Action::EditChild, "-----"),
    ("manager", Action::AssignChild, "-----"),
    ("manager", Action::ViewHousehold, "AAA--"),
    ("manager", Action::EditHousehold, "-----"),
    ("intake", Action::ViewChild, "A----"),
    ("intake", Action::EditChild, "A----"),
    ("intake", Action::AssignChild, "-----"),
    ("intake", Action::ViewHousehold, "AAA--"),
    ("intake", Action::EditHousehold, "AAA--"),
    ("org-admin", Action::ViewChild, "-----"),
    ("org-admin", Action::EditChild, "-----"),
    ("org-admin", Action::AssignChild, "-----"),
    ("org-admin", Action::ViewHousehold, "-----"),
    ("org-admin", Action::EditHousehold, "-----"),
    ("ministry", Action::ViewChild, "----A"), // only a case referred to the ministry
    ("ministry", Action::EditChild, "-----"),
    ("ministry", Action::AssignChild, "-----"),
    ("ministry", Action::ViewHousehold, "-----"),
    ("ministry", Action::EditHousehold, "-----"),
    ("system-admin", Action::ViewChild, "-----"),
    ("system-admin", Action::EditChild, "-----"),
    ("system-admin", Action::AssignChild, "-----"),
    ("system-admin", Action::ViewHousehold, "-----"),
    ("system-admin", Action::EditHousehold, "-----"),
];

#[test]
fn record_actions_by_role_and_scope() {
    for (role, action, expected) in RECORD_TABLE {
        let actor = actor(Role::parse(role).unwrap());
        for (rec, want) in records().iter().zip(expected.chars()) {
            let got = decide(&actor, *action, Target::Record(rec));
            assert_eq!(got.allowed(), want == 'A', "{role} {action:?} on {rec:?}");
        }
    }
}

#[test]
fn table_covers_every_role_and_record_action() {
    let record_actions = [
        Action::ViewChild,
        Action::EditChild,
        Action::AssignChild,
        Action::ViewHousehold,
        Action::EditHousehold,
        Action::OpenCase,
        Action::WorkCase,
        Action::ApproveCase,
        Action::RecordService,
        Action::ViewAccessHistory,
        Action::ViewFlags,
        Action::FlagChild,
    ];
    for role in Role::ALL {
        for action in record_actions {
            assert!(RECORD_TABLE.iter().any(|(r, a, _)| *r == role.as_str() && *a == action), "missing row {role} {action:?}");
        }
    }
}

/// Organisation-level and creation actions: role, then allow for own org / other org.
const ORG_TABLE: &[(&str, Action, &str)] = &[
    ("social-worker", Action::ManageUsers, "--"),
    ("supervisor", Action::ManageUsers, "--"),
    ("manager", Action::ManageUsers, "--"),
    ("intake", Action::ManageUsers, "--"),
    ("org-admin", Action::ManageUsers, "A-"),
    ("ministry", Action::ManageUsers, "--"),
    ("system-admin", Action::ManageUsers, "AA"),
    ("social-worker", Action::ImportRecords, "--"),
    ("supervisor", Action::ImportRecords, "--"),
    ("manager", Action::ImportRecords, "--"),
    ("intake", Action::ImportRecords, "--"),
    ("org-admin", Action::ImportRecords, "A-"),
    ("ministry", Action::ImportRecords, "--"),
    ("system-admin", Action::ImportRecords, "--"),
    ("social-worker", Action::ViewAudit, "--"),
    ("supervisor", Action::ViewAudit, "--"),
    ("manager", Action::ViewAudit, "--"),
    ("intake", Action::ViewAudit, "--"),
    ("org-admin", Action::ViewAudit, "A-"),
    ("ministry", Action::ViewAudit, "--"),
    ("system-admin", Action::ViewAudit, "AA"),
    ("social-worker", Action::ViewAggregates, "--"),
    ("supervisor", Action::ViewAggregates, "--"),
    ("manager", Action::ViewAggregates, "A-"),
    ("intake", Action::ViewAggregates, "--"),
    ("org-admin", Action::ViewAggregates, "--"),
    ("ministry", Action::ViewAggregates, "AA"),
    ("system-admin", Action::ViewAggregates, "AA"),
    ("social-worker", Action::ManageCaseSettings, "--"),
    ("supervisor", Action::ManageCaseSettings, "--"),
    ("manager", Action::ManageCaseSettings, "A-"),
    ("intake", Action::ManageCaseSettings, "--"),
    ("org-admin", Action::ManageCaseSettings, "A-"),
    ("ministry", Action::ManageCaseSettings, "--"),
    ("system-admin", Action::ManageCaseSettings, "AA"),
    ("social-worker", Action::ManageDistributions, "A-"),
    ("supervisor", Action::ManageDistributions, "A-"),
    ("manager", Action::ManageDistributions, "A-"),
    ("intake", Action::ManageDistributions, "A-"),
    ("org-admin", Action::ManageDistributions, "--"),
    ("ministry", Action::ManageDistributions, "--"),
    ("system-admin", Action::ManageDistributions, "--"),
    ("social-worker", Action::ManageGroups, "A-"),
    ("supervisor", Action::ManageGroups, "A-"),
    ("manager", Action::ManageGroups, "A-"),
    ("intake", Action::ManageGroups, "A-"),
    ("org-admin", Action::ManageGroups, "--"),
    ("ministry", Action::ManageGroups, "--"),
    ("system-admin", Action::ManageGroups, "--"),
    ("social-worker", Action::RecordInquiry, "A-"),
    ("supervisor", Action::RecordInquiry, "A-"),
    ("manager", Action::RecordInquiry, "A-"),
    ("intake", Action::RecordInquiry, "A-"),
    ("org-admin", Action::RecordInquiry, "--"),
    ("ministry", Action::RecordInquiry, "A-"),
    ("system-admin", Action::RecordInquiry, "--"),
    ("social-worker", Action::ManageNotifications, "--"),
    ("supervisor", Action::ManageNotifications, "--"),
    ("manager", Action::ManageNotifications, "A-"),
    ("intake", Action::ManageNotifications, "--"),
    ("org-admin", Action::ManageNotifications, "A-"),
    ("ministry", Action::ManageNotifications, "--"),
    ("system-admin", Action::ManageNotifications, "AA"),
    // Carrying cases offline: the people who visit families, in their own organisation.
    ("social-worker", Action::WorkOffline, "A-"),
    ("supervisor", Action::WorkOffline, "A-"),
    ("manager", Action::WorkOffline, "--"),
    ("intake", Action::WorkOffline, "A-"),
    ("org-admin", Action::WorkOffline, "--"),
    ("ministry", Action::WorkOffline, "--"),
    ("system-admin", Action::WorkOffline, "--"),
    ("social-worker", Action::ManageDevices, "--"),
    ("supervisor", Action::ManageDevices, "--"),
    ("manager", Action::ManageDevices, "--"),
    ("intake", Action::ManageDevices, "--"),
    ("org-admin", Action::ManageDevices, "A-"),
    ("ministry", Action::ManageDevices, "--"),
    ("system-admin", Action::ManageDevices, "AA"),
];

#[test]
fn organisation_actions_by_role() {
    for (role, action, expected) in ORG_TABLE {
        let actor = actor(Role::parse(role).unwrap());
        for (org, want) in [ORG, OTHER_ORG].into_iter().zip(expected.chars()) {
            let got = decide(&actor, *action, Target::Organisation(org));
            assert_eq!(got.allowed(), want == 'A', "{role} {action:?} on {org}");
        }
    }
}

#[test]
fn creation_and_register_actions() {
    let creators = [Role::SocialWorker, Role::Supervisor, Role::Intake];
    let rci_editors = [Role::Supervisor, Role::Manager, Role::Ministry, Role::SystemAdmin];
    for role in Role::ALL {
        let a = actor(role);
        assert_eq!(decide(&a, Action::CreateChild, Target::Nothing).allowed(), creators.contains(&role), "{role}");
        assert_eq!(decide(&a, Action::CreateHousehold, Target::Nothing).allowed(), creators.contains(&role), "{role}");
        assert_eq!(decide(&a, Action::EditRci, Target::Nothing).allowed(), rci_editors.contains(&role), "{role}");
        assert!(decide(&a, Action::ListRcis, Target::Nothing).allowed());
        assert!(decide(&a, Action::ListOrganisations, Target::Nothing).allowed(), "who a referral can go to: {role}");
        assert_eq!(decide(&a, Action::ManageOrgs, Target::Nothing).allowed(), role == Role::SystemAdmin);
        assert_eq!(decide(&a, Action::ManageMail, Target::Nothing).allowed(), role == Role::SystemAdmin, "the mail server: {role}");
    }
}

#[test]
fn list_scopes_match_record_decisions() {
    // A list must never include a record the same actor could not open.
    for role in Role::ALL {
        let a = actor(role);
        let scope = list_scope(&a, Action::ListChildren);
        for rec in records().iter().filter(|r| r.outside == Outside::None) {
            let listed = within(&scope, rec);
            let viewable = decide(&a, Action::ViewChild, Target::Record(rec)).allowed();
            assert!(!listed || viewable, "{role} lists a record it cannot view: {rec:?}");
            assert!(!viewable || listed, "{role} can view a record its list hides: {rec:?}");
        }
        assert_eq!(decide(&a, Action::ListChildren, Target::Nothing).allowed(), scope != ListScope::Nothing);
    }
}

#[test]
fn supervisor_without_team_sees_own_caseload_only() {
    let a = Actor { team_id: None, ..actor(Role::Supervisor) };
    assert_eq!(list_scope(&a, Action::ListChildren), ListScope::Own(ME));
    let [own, team, ..] = records();
    assert!(decide(&a, Action::ViewChild, Target::Record(&own)).allowed());
    assert!(!decide(&a, Action::ViewChild, Target::Record(&team)).allowed());
}

#[test]
fn unknown_target_shapes_are_denied() {
    for role in Role::ALL {
        let a = actor(role);
        assert!(!decide(&a, Action::ViewChild, Target::Nothing).allowed());
        assert!(!decide(&a, Action::EditChild, Target::Organisation(ORG)).allowed());
    }
}

#[test]
fn a_co_worker_works_on_the_case_like_its_worker() {
    let rec = RecordOwner {
        org_id: ORG,
        assigned_worker: Some(TEAMMATE),
        co_worker: Some(ME),
        team_id: Some(OTHER_TEAM),
        outside: Outside::None,
    };
    let worker = actor(Role::SocialWorker);
    for action in [Action::ViewChild, Action::EditChild, Action::WorkCase] {
        assert!(decide(&worker, action, Target::Record(&rec)).allowed(), "{action:?}");
    }
    assert!(!within(&list_scope(&worker, Action::ListChildren), &rec), "listed apart, as shared with me");
    assert!(!decide(&worker, Action::AssignChild, Target::Record(&rec)).allowed());
    let stranger = Actor { user_id: STRANGER, ..actor(Role::SocialWorker) };
    assert!(!decide(&stranger, Action::ViewChild, Target::Record(&rec)).allowed());
}

#[test]
fn sensitive_information_follows_the_consent_not_the_referral() {
    let mut rec = records()[4].clone();
    rec.outside = Outside::Referral(vec![Share::Identity, Share::Sensitive]);
    for role in Role::ALL {
        let a = actor(role);
        let reads = matches!(role, Role::SocialWorker | Role::Supervisor);
        assert_eq!(decide(&a, Action::ViewSensitive, Target::Record(&rec)).allowed(), reads, "{role:?}");
        assert!(!decide(&a, Action::EditSensitive, Target::Record(&rec)).allowed(), "{role:?} may not change it");
    }
}

#[test]
fn a_supervisor_above_other_teams_oversees_them() {
    let sub = records()[2].clone(); // same organisation, other team
    let own_team_only = actor(Role::Supervisor);
    assert!(!decide(&own_team_only, Action::ViewChild, Target::Record(&sub)).allowed());
    let above = Actor { teams: vec![TEAM, OTHER_TEAM], ..actor(Role::Supervisor) };
    for action in [Action::ViewChild, Action::AssignChild, Action::ApproveCase, Action::ViewSensitive] {
        assert!(decide(&above, action, Target::Record(&sub)).allowed(), "{action:?}");
    }
    assert!(within(&list_scope(&above, Action::ListChildren), &sub));
    // The other organisation's team of the same id-less shape stays out.
    assert!(!decide(&above, Action::ViewChild, Target::Record(&records()[3])).allowed());
}

#[test]
fn only_supervisors_and_managers_scan_their_own_organisation() {
    for role in Role::ALL {
        let a = actor(role);
        let may = matches!(role, Role::Supervisor | Role::Manager);
        assert_eq!(decide(&a, Action::ScanDuplicates, Target::Organisation(ORG)).allowed(), may, "{role:?}");
        assert!(!decide(&a, Action::ScanDuplicates, Target::Organisation(OTHER_ORG)).allowed(), "{role:?}");
    }
}

#[test]
fn the_carer_register_is_the_organisations_and_the_panel_is_a_supervisors() {
    for role in Role::ALL {
        let a = actor(role);
        let list = matches!(role, Role::SocialWorker | Role::Supervisor | Role::Manager | Role::Intake);
        let edit = matches!(role, Role::SocialWorker | Role::Supervisor | Role::Intake);
        let decide_ = matches!(role, Role::Supervisor | Role::Manager);
        assert_eq!(decide(&a, Action::ListCarers, Target::Organisation(ORG)).allowed(), list, "{role:?}");
        assert_eq!(decide(&a, Action::EditCarer, Target::Organisation(ORG)).allowed(), edit, "{role:?}");
        assert_eq!(decide(&a, Action::DecideCarer, Target::Organisation(ORG)).allowed(), decide_, "{role:?}");
        for action in [Action::ListCarers, Action::EditCarer, Action::DecideCarer] {
            assert!(!decide(&a, action, Target::Organisation(OTHER_ORG)).allowed(), "{role:?} {action:?}");
        }
    }
}

#[test]
fn a_referral_without_identity_opens_nothing() {
    let mut rec = records()[4].clone();
    rec.outside = Outside::Referral(vec![Share::CaseSummary, Share::Plan]);
    for role in Role::ALL {
        assert_eq!(disclosure(&actor(role), &rec), None, "{role:?}");
        assert!(!decide(&actor(role), Action::ViewChild, Target::Record(&rec)).allowed(), "{role:?}");
    }
}

#[test]
fn what_each_reader_may_read_of_a_record() {
    let [own, team, same_org, other, shared] = records();
    let worker = actor(Role::SocialWorker);
    assert_eq!(disclosure(&worker, &own), Some(Disclosure::Full));
    assert_eq!(disclosure(&worker, &team), None);
    assert_eq!(disclosure(&worker, &other), None);
    assert_eq!(disclosure(&worker, &shared), Some(Disclosure::Consented(vec![Share::Identity, Share::CaseSummary])));
    let manager = actor(Role::Manager);
    assert_eq!(disclosure(&manager, &same_org), Some(Disclosure::Full));
    // A referral's consent never widens what the organisation's own people see.
    let mut own_referred = own.clone();
    own_referred.outside = Outside::Referral(vec![Share::Identity]);
    assert_eq!(disclosure(&worker, &own_referred), Some(Disclosure::Full));
}

#[test]
fn after_a_transfer_only_the_senders_people_who_worked_on_the_case_read_what_they_recorded() {
    let mut rec = records()[3].clone();
    rec.outside = Outside::Transferred { worked_on_case: true };
    let mut stranger_rec = rec.clone();
    stranger_rec.outside = Outside::Transferred { worked_on_case: false };
    for role in Role::ALL {
        let a = actor(role);
        let reads = matches!(role, Role::SocialWorker | Role::Supervisor | Role::Manager | Role::Intake);
        assert_eq!(disclosure(&a, &rec) == Some(Disclosure::RecordedBeforeTransfer), reads, "{role:?}");
        assert_eq!(disclosure(&a, &stranger_rec), None, "{role:?}: did not work on the case");
        for action in [Action::ViewSensitive, Action::EditChild, Action::WorkCase, Action::RecordService, Action::ApproveCase] {
            assert!(!decide(&a, action, Target::Record(&rec)).allowed(), "{role:?} {action:?}");
        }
    }
}

/// Referral decisions, as a table: role, then allow for (a referral to us, a transfer to us,
/// a referral from us, a referral between two other organisations).
const REFERRAL_TABLE: &[(&str, Action, &str)] = &[
    ("social-worker", Action::DecideReferral, "----"),
    ("supervisor", Action::DecideReferral, "AA--"),
    ("manager", Action::DecideReferral, "AA--"),
    ("intake", Action::DecideReferral, "----"),
    ("org-admin", Action::DecideReferral, "----"),
    ("ministry", Action::DecideReferral, "A---"), // a ministry officer holds no caseload to take a transfer into
    ("system-admin", Action::DecideReferral, "----"),
    ("social-worker", Action::WithdrawReferral, "--A-"),
    ("supervisor", Action::WithdrawReferral, "--A-"),
    ("manager", Action::WithdrawReferral, "--A-"),
    ("intake", Action::WithdrawReferral, "--A-"),
    ("org-admin", Action::WithdrawReferral, "----"),
    ("ministry", Action::WithdrawReferral, "----"),
    ("system-admin", Action::WithdrawReferral, "----"),
];

#[test]
fn referral_decisions_by_role() {
    let third = Uuid::from_u128(3);
    let parties = [
        ReferralParties { from_org: OTHER_ORG, to_org: ORG, transfer: false },
        ReferralParties { from_org: OTHER_ORG, to_org: ORG, transfer: true },
        ReferralParties { from_org: ORG, to_org: OTHER_ORG, transfer: false },
        ReferralParties { from_org: OTHER_ORG, to_org: third, transfer: false },
    ];
    for role in Role::ALL {
        for action in [Action::DecideReferral, Action::WithdrawReferral] {
            assert!(REFERRAL_TABLE.iter().any(|(r, a, _)| *r == role.as_str() && *a == action), "missing row {role} {action:?}");
        }
    }
    for (role, action, expected) in REFERRAL_TABLE {
        let a = actor(Role::parse(role).unwrap());
        for (p, want) in parties.iter().zip(expected.chars()) {
            assert_eq!(decide(&a, *action, Target::Referral(*p)).allowed(), want == 'A', "{role} {action:?} {p:?}");
        }
    }
}

/// The role conditions that used to live in the store and the pages: referrals list, consent
/// override, match questions, the team view. Role, then allow for own org / other org.
const MORE_ORG_ROWS: &[(Action, &[Role])] = &[
    (Action::ListReferrals, &[Role::SocialWorker, Role::Supervisor, Role::Manager, Role::Ministry]),
    (Action::OverrideConsent, &[Role::Supervisor, Role::Manager]),
    (Action::AskMatch, &[Role::SocialWorker, Role::Supervisor, Role::Manager, Role::Ministry]),
    (Action::AnswerMatch, &[Role::Supervisor, Role::Manager]),
    (Action::ViewTeam, &[Role::Supervisor, Role::Manager]),
];

#[test]
fn referral_match_and_team_actions_by_role() {
    for (action, allowed) in MORE_ORG_ROWS {
        for role in Role::ALL {
            let a = actor(role);
            assert_eq!(decide(&a, *action, Target::Organisation(ORG)).allowed(), allowed.contains(&role), "{role:?} {action:?}");
            assert!(!decide(&a, *action, Target::Organisation(OTHER_ORG)).allowed(), "{role:?} {action:?} in another organisation");
        }
    }
}

#[test]
fn an_rci_is_changed_by_its_partner_organisation_or_the_ministry() {
    for role in Role::ALL {
        let a = actor(role);
        let partner = matches!(role, Role::Supervisor | Role::Manager | Role::Ministry | Role::SystemAdmin);
        let national = matches!(role, Role::Ministry | Role::SystemAdmin);
        assert_eq!(decide(&a, Action::EditRci, Target::Rci { partner_org: Some(ORG) }).allowed(), partner, "{role:?}");
        assert_eq!(decide(&a, Action::EditRci, Target::Rci { partner_org: Some(OTHER_ORG) }).allowed(), national, "{role:?}");
        assert_eq!(decide(&a, Action::EditRci, Target::Rci { partner_org: None }).allowed(), national, "{role:?}");
    }
}

/// Accounts: who may create, edit, reset or disable an account of each role, in their own
/// organisation and in another. Row: actor role, then for each target role in `Role::ALL` order
/// (social-worker, supervisor, manager, org-admin, intake, ministry, system-admin) 'A' or '-',
/// own organisation first, then a space, then the other organisation.
const ACCOUNT_TABLE: &[(&str, &str)] = &[
    ("social-worker", "------- -------"),
    ("supervisor", "------- -------"),
    ("manager", "------- -------"),
    ("intake", "------- -------"),
    ("org-admin", "AAAAA-- -------"),
    ("ministry", "------- -------"),
    ("system-admin", "AAAAAAA AAAAAAA"),
];

#[test]
fn nobody_manages_an_account_that_reaches_further_than_their_own() {
    for role in Role::ALL {
        let row = ACCOUNT_TABLE.iter().find(|(r, _)| *r == role.as_str()).unwrap_or_else(|| panic!("missing row {role}"));
        let (own, other) = row.1.split_once(' ').unwrap();
        let a = actor(role);
        for (org, expected) in [(ORG, own), (OTHER_ORG, other)] {
            for (target, want) in Role::ALL.into_iter().zip(expected.chars()) {
                let got = decide(&a, Action::ManageUsers, Target::Account(Account { org_id: org, role: target }));
                assert_eq!(got.allowed(), want == 'A', "{role} managing a {target} of {org}");
            }
        }
    }
}

#[test]
fn reach_orders_the_roles() {
    assert!(Role::SystemAdmin.reach() > Role::Ministry.reach());
    assert!(Role::Ministry.reach() > Role::OrgAdmin.reach());
    for staff in [Role::SocialWorker, Role::Supervisor, Role::Manager, Role::Intake] {
        assert!(Role::OrgAdmin.reach() > staff.reach());
    }
}

#[test]
fn tasks_go_to_caseload_holders_and_managers_and_institutions_to_their_registering_organisation() {
    for role in Role::ALL {
        let holds = matches!(role, Role::SocialWorker | Role::Supervisor | Role::Intake | Role::Manager);
        assert_eq!(holds_tasks(role), holds, "{role:?}");
        let partner = rci_partner_on_registration(&actor(role));
        assert_eq!(partner.is_some(), !matches!(role, Role::Ministry | Role::SystemAdmin), "{role:?}");
    }
}

#[test]
fn an_rcis_residents_are_counted_for_its_partner_organisation_and_the_ministry_only() {
    for role in Role::ALL {
        let a = actor(role);
        let national = matches!(role, Role::Ministry | Role::SystemAdmin);
        let count = |partner_org| decide(&a, Action::CountRciResidents, Target::Rci { partner_org }).allowed();
        assert!(count(Some(ORG)), "{role:?}: everyone in the partner organisation");
        assert_eq!(count(Some(OTHER_ORG)), national, "{role:?}: another organisation's institution");
        assert_eq!(count(None), national, "{role:?}: an institution without a partner");
        assert!(!decide(&a, Action::CountRciResidents, Target::Nothing).allowed(), "{role:?}: never without the institution");
        assert_eq!(decide(&a, Action::NameRciPartner, Target::Nothing).allowed(), national, "{role:?} names the partner");
    }
}

#[test]
fn only_a_supervisor_oversees_the_teams_below_their_own() {
    for role in Role::ALL {
        assert_eq!(crate::policy::oversees_team_tree(role), role == Role::Supervisor, "{role:?}");
    }
}
