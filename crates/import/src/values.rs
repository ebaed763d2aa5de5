//! Values of pick-lists as other systems and people write them, onto Krousar's codes: sexes,
//! roles (OSCaR's permission levels), referral categories and sources, ID Poor levels, yes/no.
//! Krousar's own codes and English labels are accepted everywhere.

use crate::columns::normal;
use krousar_domain::case::stage::{IntakeRoute, ReferralSource};
use krousar_domain::choices::{IdPoor, LivingArrangement, Sex};
use krousar_domain::Role;

pub fn sex(value: &str) -> Option<Sex> {
    match normal(value).as_str() {
        "f" | "female" | "girl" | "ស្រី" | "ស" => Some(Sex::Female),
        "m" | "male" | "boy" | "ប្រុស" | "ប" => Some(Sex::Male),
        _ => None,
    }
}

pub fn role(value: &str) -> Option<Role> {
    let v = normal(value).replace(['_', ' '], "-");
    Role::parse(&v).filter(|r| !matches!(r, Role::SystemAdmin | Role::Ministry)).or(match v.as_str() {
        // OSCaR's permission levels.
        "admin" => Some(Role::OrgAdmin),
        "manager" => Some(Role::Supervisor),
        "case-worker" | "caseworker" | "social-worker" => Some(Role::SocialWorker),
        "strategic-overviewer" => Some(Role::Manager),
        _ => None,
    })
}

/// A referral category or source: Krousar's codes, OSCaR's category list, and common words.
pub fn referral_source(value: &str) -> Option<ReferralSource> {
    let v = normal(value);
    if let Some(s) = ReferralSource::parse(&v.replace(' ', "_")) {
        return Some(s);
    }
    Some(match v.as_str() {
        "emergency hotline" | "hotline" => ReferralSource::Hotline,
        "police" | "court/justice system" | "court" => ReferralSource::Police,
        "local authorities" | "commune council" | "local authority" => ReferralSource::CommuneCouncil,
        "hospital" | "health centre" | "health center" | "clinic" => ReferralSource::HealthCentre,
        "school" => ReferralSource::School,
        "family" => ReferralSource::Family,
        "self-referral" | "self referral" | "self" => ReferralSource::SelfReferral,
        "state institutions" | "temporary care institution" | "orphanage" | "rci" => ReferralSource::Rci,
        "non-government organization" | "non-government organisation" | "ngo" | "other ngo" => ReferralSource::OtherNgo,
        "government ministry referral" | "found in public" | "friend" | "community" | "church" | "pagoda" | "other" => {
            ReferralSource::Other
        }
        _ => return None,
    })
}

/// Where a child of a family of this type lives (OSCaR's family types): with a family — birth,
/// kinship, foster or adoptive — or otherwise (a child-headed household, no family).
pub fn family_type(value: &str) -> Option<LivingArrangement> {
    let v = normal(value);
    LivingArrangement::parse(&v.replace(' ', "_")).or(match v.as_str() {
        "birth family (both parents)"
        | "birth family (only mother)"
        | "birth family (only father)"
        | "extended family / kinship care"
        | "short term / emergency foster care"
        | "long term foster care"
        | "domestically adopted" => Some(LivingArrangement::WithFamily),
        "child-headed household" | "no family" | "other" => Some(LivingArrangement::Other),
        _ => None,
    })
}

pub fn route(value: &str) -> Option<IntakeRoute> {
    let v = normal(value);
    IntakeRoute::parse(&v).or(match v.as_str() {
        "referral" | "reported" => Some(IntakeRoute::Report),
        "residential care" | "orphanage" => Some(IntakeRoute::Rci),
        _ => None,
    })
}

pub fn id_poor(value: &str) -> Option<IdPoor> {
    let v = normal(value);
    IdPoor::parse(&v.replace(' ', "_")).or(match v.as_str() {
        "level 1" | "1" | "id poor 1" => Some(IdPoor::Level1),
        "level 2" | "2" | "id poor 2" => Some(IdPoor::Level2),
        "no" | "not poor" | "none" => Some(IdPoor::NotPoor),
        "unknown" | "level 3" => Some(IdPoor::Unknown),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oscar_lists_map() {
        assert_eq!(role("Case Worker"), Some(Role::SocialWorker));
        assert_eq!(role("Strategic Overviewer"), Some(Role::Manager));
        assert_eq!(role("system-admin"), None);
        assert_eq!(referral_source("Local Authorities"), Some(ReferralSource::CommuneCouncil));
        assert_eq!(referral_source("Friend"), Some(ReferralSource::Other));
        assert_eq!(referral_source("health_centre"), Some(ReferralSource::HealthCentre));
        assert_eq!(sex("Unknown"), None);
        assert_eq!(sex("ស្រី"), Some(Sex::Female));
        assert_eq!(id_poor("Level 1"), Some(IdPoor::Level1));
        assert_eq!(family_type("Extended Family / Kinship Care"), Some(LivingArrangement::WithFamily));
        assert_eq!(family_type("Child-Headed Household"), Some(LivingArrangement::Other));
        assert_eq!(family_type("Orphanage"), None);
    }
}
