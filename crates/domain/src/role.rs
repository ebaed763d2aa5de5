//! Roles, with the names used on the command line and in the API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    SocialWorker,
    Supervisor,
    Manager,
    OrgAdmin,
    Intake,
    Ministry,
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 7] =
        [Role::SocialWorker, Role::Supervisor, Role::Manager, Role::OrgAdmin, Role::Intake, Role::Ministry, Role::SystemAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SocialWorker => "social-worker",
            Role::Supervisor => "supervisor",
            Role::Manager => "manager",
            Role::OrgAdmin => "org-admin",
            Role::Intake => "intake",
            Role::Ministry => "ministry",
            Role::SystemAdmin => "system-admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("role-{}", self.as_str())
    }

    /// How far a role reaches, for who may grant or touch which account: an organisation's staff
    /// (0), its administrator (1), the whole country's figures (ministry, 2), the whole system
    /// (3). Nobody grants a role, or changes an account, that reaches further than their own.
    pub fn reach(self) -> u8 {
        match self {
            Role::SocialWorker | Role::Supervisor | Role::Manager | Role::Intake => 0,
            Role::OrgAdmin => 1,
            Role::Ministry => 2,
            Role::SystemAdmin => 3,
        }
    }

    /// Roles that carry a caseload (children are assigned to them).
    pub fn has_caseload(self) -> bool {
        matches!(self, Role::SocialWorker | Role::Supervisor | Role::Intake)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
