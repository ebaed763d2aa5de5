//! Flags: a short warning on a child's record that everyone working on it must see first —
//! "runaway risk", "court date 12 January", "do not contact the father". A flag has a kind (to
//! filter lists by), a reason, who raised it and when, and may end on a day; it is removed with
//! a reason, never deleted, so the record shows what was known when. A child has one record and
//! one case with its organisation, so a flag raised from the case is the same flag.

use crate::case::entries::{any_date, pick};
use crate::choices::pick_list;
use crate::text;
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::Deserialize;

pub const REASON_MAX: usize = 300;

pick_list!(
    /// What a flag warns of.
    FlagKind, "flag", {
        Safety => "safety",
        Runaway => "runaway",
        NoContact => "no_contact",
        Court => "court",
        Other => "other",
    }
);

/// A flag as typed on a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FlagInput {
    /// `flag` codes: safety, runaway, no_contact, court, other.
    pub kind: Option<String>,
    /// Why, in a sentence the next reader acts on.
    pub reason: Option<String>,
    /// The last day it holds (a court date, an order that ends); none: until removed.
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlag {
    pub kind: FlagKind,
    pub reason: String,
    pub until: Option<NaiveDate>,
}

impl FlagInput {
    pub fn validate(&self, today: NaiveDate) -> Result<NewFlag, Invalid> {
        let mut e = Invalid::default();
        let kind = pick(&mut e, "kind", self.kind.as_deref(), FlagKind::parse);
        let reason = text::required(&mut e, "reason", self.reason.as_deref(), REASON_MAX);
        let until = match self.until.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => any_date(&mut e, "until", Some(raw)).filter(|d| {
                // A flag that has already ended warns nobody.
                let ok = *d >= today;
                if !ok {
                    e.push("until", "err-flag-until-past");
                }
                ok
            }),
        };
        match kind {
            Some(kind) if e.errors.is_empty() => Ok(NewFlag { kind, reason, until }),
            _ => Err(e),
        }
    }
}

/// The reason a flag is removed: required, so the record says why the warning no longer holds.
pub fn removal_reason(raw: Option<&str>) -> Result<String, Invalid> {
    let mut e = Invalid::default();
    let reason = text::required(&mut e, "reason", raw, REASON_MAX);
    e.into_result(reason)
}

/// Whether a flag still warns on `today`: not removed, and its last day not passed.
pub fn active(removed: bool, until: Option<NaiveDate>, today: NaiveDate) -> bool {
    !removed && until.is_none_or(|u| u >= today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input(kind: &str, reason: &str, until: Option<&str>) -> FlagInput {
        FlagInput { kind: Some(kind.into()), reason: Some(reason.into()), until: until.map(String::from) }
    }

    #[test]
    fn a_flag_needs_a_kind_and_a_reason_and_ends_today_or_later() {
        let today = d("2026-12-07");
        let f = input("court", "Court hearing on custody", Some("2027-01-12")).validate(today).unwrap();
        assert_eq!((f.kind, f.until), (FlagKind::Court, Some(d("2027-01-12"))));
        assert_eq!(input("no_contact", "Do not contact the father", None).validate(today).unwrap().until, None);
        assert!(input("court", "x", Some("2026-12-06")).validate(today).unwrap_err().has("until"));
        let khmer = input("court", "x", Some("២០២៧-០១-១២")).validate(today).unwrap();
        assert_eq!(khmer.until, Some(d("2027-01-12")), "a date in Khmer digits");
        assert!(input("gossip", "x", None).validate(today).unwrap_err().has("kind"));
        assert!(input("safety", "  ", None).validate(today).unwrap_err().has("reason"));
        assert!(input("safety", &"x".repeat(REASON_MAX + 1), None).validate(today).unwrap_err().has("reason"));
        assert!(input("safety", "bad\u{0}byte", None).validate(today).is_err(), "control characters are refused");
        assert!(removal_reason(Some("")).is_err());
        assert_eq!(removal_reason(Some(" Father in prison now ")).unwrap(), "Father in prison now");
    }

    #[test]
    fn a_flag_warns_until_removed_or_past_its_last_day() {
        let today = d("2026-12-07");
        assert!(active(false, None, today));
        assert!(active(false, Some(today), today), "its last day included");
        assert!(!active(false, Some(d("2026-12-06")), today));
        assert!(!active(true, None, today));
    }
}
