//! Referrals and transfers between organisations. Nothing leaves without consent (who gave it,
//! when, what may be shared) or a supervisor's recorded override with a reason. A referral lets
//! the receiver see what the consent covers while the sender keeps the case; a transfer moves the
//! case on acceptance and the sender keeps read access to what it recorded.

use crate::case::entries::past_date;
use crate::choices::pick_list;
use crate::text::{self, LONG};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pick_list!(ReferralKind, "referral-kind", { Referral => "referral", Transfer => "transfer" });
pick_list!(ReferralState, "referral-state", { Pending => "pending", Accepted => "accepted", Declined => "declined", Withdrawn => "withdrawn" });
pick_list!(ConsentBy, "consent-by", { Child => "child", Parent => "parent", Guardian => "guardian" });
pick_list!(Urgency, "urgency", { Urgent => "urgent", Normal => "normal" });
pick_list!(
    /// What a consent lets the receiver see.
    Share, "share", { Identity => "identity", CaseSummary => "case_summary", Assessments => "assessments", Plan => "plan", Notes => "notes", Sensitive => "sensitive" }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consent {
    pub by: ConsentBy,
    pub given_on: NaiveDate,
    pub shares: Vec<Share>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReferralInput {
    pub to_org: Option<String>,
    pub kind: Option<String>,
    pub services: Option<String>,
    pub reason: Option<String>,
    pub urgency: Option<String>,
    pub consent_by: Option<String>,
    pub consent_on: Option<String>,
    /// Shares ticked, comma-separated codes (forms send one value per tick; joined by the caller).
    pub shares: Option<String>,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Referral {
    pub to_org: Uuid,
    pub kind: ReferralKind,
    pub services: String,
    pub reason: String,
    pub urgency: Urgency,
    pub consent: Option<Consent>,
    /// A supervisor sends without consent, saying why (e.g. the child is in danger).
    pub override_reason: Option<String>,
}

impl ReferralInput {
    /// The form's own checks. Without consent, an override reason makes a well-formed referral;
    /// whether the sender may override (`Action::OverrideConsent`) is the policy's, asked by the
    /// store when it sends (a refusal by role, not a mistake in the form: 403, not 422).
    pub fn validate(&self, today: NaiveDate, from_org: Uuid) -> Result<Referral, Invalid> {
        let mut e = Invalid::default();
        let to_org = match self.to_org.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(Uuid::parse_str) {
            Some(Ok(id)) if id != from_org => Some(id),
            Some(Ok(_)) => {
                e.push("to_org", "err-referral-own-org");
                None
            }
            _ => {
                e.push("to_org", "err-required");
                None
            }
        };
        let kind = match self.kind.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => ReferralKind::parse(k).or_else(|| {
                e.push("kind", "err-invalid-choice");
                None
            }),
            _ => Some(ReferralKind::Referral),
        };
        let services = text::paragraphs(&mut e, "services", self.services.as_deref(), LONG);
        if services.is_none() && !e.has("services") {
            e.push("services", "err-required");
        }
        let reason = text::paragraphs(&mut e, "reason", self.reason.as_deref(), LONG);
        if reason.is_none() && !e.has("reason") {
            e.push("reason", "err-required");
        }
        let urgency = self.urgency.as_deref().filter(|u| !u.is_empty()).map_or(Some(Urgency::Normal), |u| {
            Urgency::parse(u).or_else(|| {
                e.push("urgency", "err-invalid-choice");
                None
            })
        });
        let override_reason = text::paragraphs(&mut e, "override_reason", self.override_reason.as_deref(), LONG);
        let consent = match self.consent_by.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(by) => {
                let by = ConsentBy::parse(by).or_else(|| {
                    e.push("consent_by", "err-invalid-choice");
                    None
                });
                let given_on = past_date(&mut e, "consent_on", self.consent_on.as_deref(), today);
                let mut shares = Vec::new();
                for code in self.shares.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match Share::parse(code) {
                        Some(s) if !shares.contains(&s) => shares.push(s),
                        Some(_) => {}
                        None => e.push("shares", "err-invalid-choice"),
                    }
                }
                if shares.is_empty() && !e.has("shares") {
                    e.push("shares", "err-consent-shares");
                }
                match (by, given_on) {
                    (Some(by), Some(given_on)) => Some(Consent { by, given_on, shares }),
                    _ => None,
                }
            }
        };
        if consent.is_none() && override_reason.is_none() && !e.has("consent_by") && !e.has("consent_on") && !e.has("shares") {
            e.push("consent_by", "err-consent-required");
        }
        match (to_org, kind, services, reason, urgency) {
            (Some(to_org), Some(kind), Some(services), Some(reason), Some(urgency)) if e.errors.is_empty() => {
                Ok(Referral { to_org, kind, services, reason, urgency, consent, override_reason })
            }
            _ => Err(e),
        }
    }
}

/// What a receiver sees of a referred case: what the consent covers (everything under an override).
pub fn shared(referral_consent: Option<&Consent>, what: Share) -> bool {
    referral_consent.is_none_or(|c| c.shares.contains(&what))
}

/// The state a decision moves a referral to, if it may. Who may decide or withdraw is the
/// policy's (`Action::DecideReferral`, `Action::WithdrawReferral`).
pub fn transition(state: ReferralState, action: &str) -> Result<ReferralState, &'static str> {
    if state != ReferralState::Pending {
        return Err("err-referral-decided");
    }
    match action {
        "accept" => Ok(ReferralState::Accepted),
        "decline" => Ok(ReferralState::Declined),
        "withdraw" => Ok(ReferralState::Withdrawn),
        _ => Err("err-invalid-choice"),
    }
}

/// The reason given with a decision, as the other organisation will read it: required to
/// decline, optional otherwise, checked as every long text is (a limit, no control characters).
pub fn decision_reason(next: ReferralState, raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let mut e = Invalid::default();
    let reason = text::paragraphs(&mut e, "reason", raw, LONG);
    if e.errors.is_empty() && next == ReferralState::Declined && reason.is_none() {
        e.push("reason", "err-required");
    }
    if e.errors.is_empty() {
        Ok(reason)
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decisions_reason_is_checked_before_the_other_organisation_reads_it() {
        assert_eq!(decision_reason(ReferralState::Accepted, None), Ok(None));
        assert_eq!(decision_reason(ReferralState::Declined, Some(" No capacity ")), Ok(Some("No capacity".into())));
        assert_eq!(decision_reason(ReferralState::Declined, Some("  ")).unwrap_err().errors[0].code, "err-required");
        for bad in ["\u{202e}gnitset", "a\u{0}b", "\u{1b}[31m"] {
            assert_eq!(decision_reason(ReferralState::Withdrawn, Some(bad)).unwrap_err().errors[0].code, "err-control-chars");
        }
        assert_eq!(decision_reason(ReferralState::Declined, Some(&"x".repeat(LONG + 1))).unwrap_err().errors[0].code, "err-too-long");
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn nothing_leaves_without_consent_or_a_supervisors_override() {
        let (us, them) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let base = ReferralInput {
            to_org: Some(them.to_string()),
            services: Some("School support".into()),
            reason: Some("Moved to Siem Reap".into()),
            ..Default::default()
        };
        assert_eq!(base.validate(d("2026-11-23"), us).unwrap_err().for_field("consent_by"), Some("err-consent-required"));
        // Well formed; who may send it is the policy's (`Action::OverrideConsent`, asked by the store).
        let overridden = ReferralInput { override_reason: Some("Child in danger tonight".into()), ..base.clone() };
        assert!(overridden.validate(d("2026-11-23"), us).unwrap().consent.is_none());
        let consented = ReferralInput {
            consent_by: Some("parent".into()),
            consent_on: Some("2026-11-20".into()),
            shares: Some("identity,plan".into()),
            ..base.clone()
        };
        let r = consented.validate(d("2026-11-23"), us).unwrap();
        assert!(shared(r.consent.as_ref(), Share::Plan) && !shared(r.consent.as_ref(), Share::Notes));
        let nothing_shared = ReferralInput { shares: None, ..consented.clone() };
        assert_eq!(nothing_shared.validate(d("2026-11-23"), us).unwrap_err().for_field("shares"), Some("err-consent-shares"));
        let to_self = ReferralInput { to_org: Some(us.to_string()), ..consented };
        assert_eq!(to_self.validate(d("2026-11-23"), us).unwrap_err().for_field("to_org"), Some("err-referral-own-org"));
    }

    #[test]
    fn only_a_pending_referral_moves() {
        use ReferralState::*;
        assert_eq!(transition(Pending, "accept"), Ok(Accepted));
        assert_eq!(transition(Pending, "decline"), Ok(Declined));
        assert_eq!(transition(Pending, "withdraw"), Ok(Withdrawn));
        assert_eq!(transition(Pending, "delete"), Err("err-invalid-choice"));
        for done in [Accepted, Declined, Withdrawn] {
            assert_eq!(transition(done, "withdraw"), Err("err-referral-decided"));
        }
    }
}
