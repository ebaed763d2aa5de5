//! Residential care institutions and the periods children live in them. "Children resident on a
//! date" is always derived from the periods, never stored.

use crate::choices::{RciRegistration, RciType};
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RciInput {
    pub name: Option<String>,
    pub rci_type: Option<String>,
    pub village_code: Option<String>,
    #[schema(schema_with = crate::api_schema::number_or_text)]
    pub capacity: Option<String>,
    pub registration_status: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RciFields {
    pub name: String,
    pub rci_type: RciType,
    pub village_code: Option<String>,
    pub capacity: Option<i64>,
    pub registration_status: RciRegistration,
    pub note: Option<String>,
}

impl RciFields {
    /// The fields as an input again (to change some of them and validate the whole).
    pub fn to_input(&self) -> RciInput {
        RciInput {
            name: Some(self.name.clone()),
            rci_type: Some(self.rci_type.code().to_string()),
            village_code: self.village_code.clone(),
            capacity: self.capacity.map(|c| c.to_string()),
            registration_status: Some(self.registration_status.code().to_string()),
            note: self.note.clone(),
        }
    }
}

impl RciInput {
    pub fn validate(&self) -> Result<RciFields, Invalid> {
        let mut e = Invalid::default();
        let name = text::required(&mut e, "name", self.name.as_deref(), SHORT);
        let rci_type = match self.rci_type.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => RciType::Other,
            Some(c) => RciType::parse(c).unwrap_or_else(|| {
                e.push("rci_type", "err-invalid-choice");
                RciType::Other
            }),
        };
        let village_code = text::optional(&mut e, "village_code", self.village_code.as_deref(), 8);
        if village_code.as_deref().is_some_and(|c| !crate::child::valid_village_code(c)) {
            e.push("village_code", "err-unknown-place");
        }
        let capacity = match self.capacity.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => match crate::child::parse_number::<i64>(raw).ok_or(()) {
                Ok(n) if (0..=10_000).contains(&n) => Some(n),
                _ => {
                    e.push("capacity", "err-invalid-number");
                    None
                }
            },
        };
        let registration_status = match self.registration_status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => RciRegistration::Unregistered,
            Some(c) => RciRegistration::parse(c).unwrap_or_else(|| {
                e.push("registration_status", "err-invalid-choice");
                RciRegistration::Unregistered
            }),
        };
        let note = text::optional(&mut e, "note", self.note.as_deref(), LONG);
        e.into_result(RciFields { name, rci_type, village_code, capacity, registration_status, note })
    }
}

/// A stay of one child in one RCI. `left` is `None` while the child still lives there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResidencePeriod {
    pub entered: NaiveDate,
    pub left: Option<NaiveDate>,
    pub reason_left: Option<String>,
}

impl ResidencePeriod {
    /// A child counts as resident on the day they entered and not on the day they left.
    pub fn resident_on(&self, day: NaiveDate) -> bool {
        self.entered <= day && self.left.is_none_or(|l| day < l)
    }

    pub fn validate(entered: Option<&str>, left: Option<&str>, reason: Option<&str>, today: NaiveDate) -> Result<ResidencePeriod, Invalid> {
        let mut e = Invalid::default();
        let date = |e: &mut Invalid, field: &'static str, raw: Option<&str>| -> Option<NaiveDate> {
            let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
            match crate::child::parse_date(raw) {
                None => {
                    e.push(field, "err-invalid-date");
                    None
                }
                Some(d) if d > today => {
                    e.push(field, "err-future-date");
                    None
                }
                Some(d) => Some(d),
            }
        };
        let entered_d = date(&mut e, "entered", entered);
        if entered_d.is_none() && !e.has("entered") {
            e.push("entered", "err-required");
        }
        let left_d = date(&mut e, "left", left);
        if let (Some(a), Some(b)) = (entered_d, left_d) {
            if b < a {
                e.push("left", "err-left-before-entered");
            }
        }
        let reason_left = text::optional(&mut e, "reason_left", reason, LONG);
        e.into_result(ResidencePeriod { entered: entered_d.unwrap_or(today), left: left_d, reason_left })
    }
}

/// A stay as a page or the API sends it: the institution and the period.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StayInput {
    pub rci_id: Option<String>,
    pub entered: Option<String>,
    pub left: Option<String>,
    pub reason_left: Option<String>,
}

impl StayInput {
    /// The institution (required) and the period, with every mistake at once.
    pub fn validate(&self, today: NaiveDate) -> Result<(uuid::Uuid, ResidencePeriod), Invalid> {
        let period = ResidencePeriod::validate(self.entered.as_deref(), self.left.as_deref(), self.reason_left.as_deref(), today);
        let rci = self.rci_id.as_deref().map(str::trim).and_then(|r| uuid::Uuid::parse_str(r).ok());
        match (rci, period) {
            (Some(rci), Ok(p)) => Ok((rci, p)),
            (rci, period) => {
                let mut e = period.err().unwrap_or_default();
                if rci.is_none() {
                    e.push("rci_id", "err-rci-required");
                }
                Err(e)
            }
        }
    }
}

/// Two stays of the same child may not overlap: a child is in one institution at a time.
pub fn overlaps(a: &ResidencePeriod, b: &ResidencePeriod) -> bool {
    let a_end = a.left.unwrap_or(NaiveDate::MAX);
    let b_end = b.left.unwrap_or(NaiveDate::MAX);
    a.entered < b_end && b.entered < a_end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::child::parse_date(s).unwrap()
    }

    fn today() -> NaiveDate {
        d("2026-11-23")
    }

    #[test]
    fn resident_from_entry_until_the_day_before_leaving() {
        let p = ResidencePeriod::validate(Some("2020-01-10"), Some("2023-08-15"), Some("reintegrated"), today()).unwrap();
        assert!(!p.resident_on(d("2020-01-09")));
        assert!(p.resident_on(d("2020-01-10")));
        assert!(p.resident_on(d("2023-08-14")));
        assert!(!p.resident_on(d("2023-08-15")));
        let open = ResidencePeriod::validate(Some("2024-02-01"), None, None, today()).unwrap();
        assert!(open.resident_on(today()));
    }

    #[test]
    fn a_stay_names_its_institution() {
        let input = StayInput { entered: Some("2024-02-01".into()), ..Default::default() };
        assert_eq!(input.validate(today()).unwrap_err().for_field("rci_id"), Some("err-rci-required"));
        let rci = uuid::Uuid::from_u128(7);
        let both = StayInput { rci_id: Some(rci.to_string()), left: Some("2023-01-01".into()), ..input.clone() };
        assert_eq!(both.validate(today()).unwrap_err().for_field("left"), Some("err-left-before-entered"));
        let ok = StayInput { rci_id: Some(rci.to_string()), ..input };
        assert_eq!(ok.validate(today()).unwrap().0, rci);
    }

    #[test]
    fn leaving_before_entering_is_refused() {
        let err = ResidencePeriod::validate(Some("2024-02-01"), Some("2023-01-01"), None, today()).unwrap_err();
        assert_eq!(err.for_field("left"), Some("err-left-before-entered"));
        let err = ResidencePeriod::validate(None, None, None, today()).unwrap_err();
        assert_eq!(err.for_field("entered"), Some("err-required"));
    }

    #[test]
    fn overlapping_stays_are_detected() {
        let a = ResidencePeriod::validate(Some("2020-01-01"), Some("2021-01-01"), None, today()).unwrap();
        let b = ResidencePeriod::validate(Some("2021-01-01"), None, None, today()).unwrap();
        let c = ResidencePeriod::validate(Some("2020-06-01"), Some("2020-07-01"), None, today()).unwrap();
        assert!(!overlaps(&a, &b), "leaving and entering on the same day is a transfer, not an overlap");
        assert!(overlaps(&a, &c));
        assert!(overlaps(&b, &ResidencePeriod { entered: d("2025-01-01"), left: None, reason_left: None }));
    }

    #[test]
    fn capacity_must_be_a_sensible_number() {
        let r = RciInput { name: Some("Hope Centre".into()), capacity: Some("-4".into()), ..Default::default() };
        assert_eq!(r.validate().unwrap_err().for_field("capacity"), Some("err-invalid-number"));
    }
}
