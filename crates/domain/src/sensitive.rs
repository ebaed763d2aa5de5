//! A child's sensitive information: details of sexual abuse, sexually harmful behaviour, HIV
//! status, disability and health. Kept apart from the registration record because it is read
//! by fewer people (see `policy`: the case's workers and supervisor, and an organisation whose
//! referral consent covers it), every read is audited, it is encrypted at rest and left out of
//! exports. The registration record keeps only the disability *category*, which the ministry's
//! figures are disaggregated by.

use crate::choices::pick_list;
use crate::text::{self, LONG};
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

pick_list!(
    /// The child's own HIV status, as far as it is known and disclosed to the worker.
    HivStatus, "hiv", {
    Unknown => "unknown",
    NotTested => "not_tested",
    Negative => "negative",
    Positive => "positive",
    NotDisclosed => "not_disclosed",
});

/// As typed in the form or sent to the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct SensitiveInput {
    pub hiv_status: Option<String>,
    pub health: Option<String>,
    pub disability_detail: Option<String>,
    pub sexual_abuse: Option<String>,
    pub harmful_behaviour: Option<String>,
}

/// Validated sensitive information; what is sealed in storage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SensitiveInfo {
    pub hiv_status: HivStatus,
    /// Health conditions, treatment, medication.
    pub health: Option<String>,
    /// What the disability is and what support the child needs.
    pub disability_detail: Option<String>,
    /// Details of sexual abuse the child experienced.
    pub sexual_abuse: Option<String>,
    /// Sexually harmful behaviour by the child, and the response.
    pub harmful_behaviour: Option<String>,
}

impl Default for SensitiveInfo {
    fn default() -> Self {
        SensitiveInfo { hiv_status: HivStatus::Unknown, health: None, disability_detail: None, sexual_abuse: None, harmful_behaviour: None }
    }
}

/// The fields, in the order the pages show them (also the names used in audit entries).
pub const FIELDS: [&str; 5] = ["hiv_status", "health", "disability_detail", "sexual_abuse", "harmful_behaviour"];

impl SensitiveInput {
    pub fn validate(&self) -> Result<SensitiveInfo, Invalid> {
        let mut e = Invalid::default();
        let hiv_status = match self.hiv_status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => HivStatus::Unknown,
            Some(code) => HivStatus::parse(code).unwrap_or_else(|| {
                e.push("hiv_status", "err-invalid-choice");
                HivStatus::Unknown
            }),
        };
        let health = text::optional(&mut e, "health", self.health.as_deref(), LONG);
        let disability_detail = text::optional(&mut e, "disability_detail", self.disability_detail.as_deref(), LONG);
        let sexual_abuse = text::optional(&mut e, "sexual_abuse", self.sexual_abuse.as_deref(), LONG);
        let harmful_behaviour = text::optional(&mut e, "harmful_behaviour", self.harmful_behaviour.as_deref(), LONG);
        if !e.errors.is_empty() {
            return Err(e);
        }
        Ok(SensitiveInfo { hiv_status, health, disability_detail, sexual_abuse, harmful_behaviour })
    }
}

impl SensitiveInfo {
    pub fn to_input(&self) -> SensitiveInput {
        SensitiveInput {
            hiv_status: Some(self.hiv_status.code().to_string()),
            health: self.health.clone(),
            disability_detail: self.disability_detail.clone(),
            sexual_abuse: self.sexual_abuse.clone(),
            harmful_behaviour: self.harmful_behaviour.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == SensitiveInfo::default()
    }

    /// The names of the fields that differ: what an audit entry records (never the values,
    /// which would put the sensitive text in the audit log in clear).
    pub fn changed_fields(&self, after: &SensitiveInfo) -> Vec<&'static str> {
        let pairs = [
            self.hiv_status != after.hiv_status,
            self.health != after.health,
            self.disability_detail != after.disability_detail,
            self.sexual_abuse != after.sexual_abuse,
            self.harmful_behaviour != after.harmful_behaviour,
        ];
        FIELDS.iter().zip(pairs).filter(|(_, changed)| *changed).map(|(f, _)| *f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_reports_changes_by_name_only() {
        let info = SensitiveInput { hiv_status: Some("positive".into()), health: Some("  ARV daily ".into()), ..Default::default() }
            .validate()
            .unwrap();
        assert_eq!(info.hiv_status, HivStatus::Positive);
        assert_eq!(info.health.as_deref(), Some("ARV daily"));
        assert!(!info.is_empty() && SensitiveInput::default().validate().unwrap().is_empty());
        let after = SensitiveInfo { sexual_abuse: Some("disclosed to worker".into()), ..info.clone() };
        assert_eq!(info.changed_fields(&after), vec!["sexual_abuse"]);
        assert_eq!(info.to_input().validate().unwrap(), info);
    }

    #[test]
    fn refuses_unknown_status_and_control_characters() {
        let bad = SensitiveInput { hiv_status: Some("maybe".into()), health: Some("a\u{0}b".into()), ..Default::default() };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.for_field("hiv_status"), Some("err-invalid-choice"));
        assert_eq!(e.for_field("health"), Some("err-control-chars"));
    }
}
