//! A child's registration record: raw input from a form or the API, and the validated fields.

use crate::choices::{BirthRegistration, Disability, IdPoor, LivingArrangement, Protection, Sex};
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a person typed: every field a string (or list of strings), so a form that fails
/// validation can be shown again exactly as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct ChildInput {
    pub given_name_km: Option<String>,
    pub family_name_km: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub nickname: Option<String>,
    pub sex: Option<String>,
    pub date_of_birth: Option<String>,
    /// Either a year (API: `estimated_birth_year`) ...
    #[schema(schema_with = crate::api_schema::number_or_text)]
    pub estimated_birth_year: Option<String>,
    /// ... or an age in years (form: "about 9 years old").
    pub estimated_age: Option<String>,
    pub birth_registration: Option<String>,
    pub birth_certificate_number: Option<String>,
    pub id_poor: Option<String>,
    pub disability: Option<String>,
    pub protection: Vec<String>,
    pub protection_note: Option<String>,
    pub village_code: Option<String>,
    pub living_arrangement: Option<String>,
    pub rci_id: Option<String>,
}

/// A valid child record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChildFields {
    pub given_name_km: Option<String>,
    pub family_name_km: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub nickname: Option<String>,
    pub sex: Sex,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_birth_year: Option<i32>,
    pub birth_registration: BirthRegistration,
    pub birth_certificate_number: Option<String>,
    pub id_poor: IdPoor,
    pub disability: Disability,
    pub protection: Vec<Protection>,
    pub protection_note: Option<String>,
    pub village_code: Option<String>,
    pub living_arrangement: LivingArrangement,
    pub rci_id: Option<uuid::Uuid>,
}

impl ChildFields {
    /// The best-known birth date: exact, or the middle of the estimated year. Used for sorting
    /// and age-band filters.
    pub fn birth_date_for_age(&self) -> Option<NaiveDate> {
        self.date_of_birth.or_else(|| self.estimated_birth_year.and_then(crate::age::estimated_birth_date))
    }

    pub fn to_input(&self) -> ChildInput {
        ChildInput {
            given_name_km: self.given_name_km.clone(),
            family_name_km: self.family_name_km.clone(),
            given_name_latin: self.given_name_latin.clone(),
            family_name_latin: self.family_name_latin.clone(),
            nickname: self.nickname.clone(),
            sex: Some(self.sex.code().into()),
            date_of_birth: self.date_of_birth.map(|d| d.to_string()),
            estimated_birth_year: self.estimated_birth_year.map(|y| y.to_string()),
            estimated_age: None,
            birth_registration: Some(self.birth_registration.code().into()),
            birth_certificate_number: self.birth_certificate_number.clone(),
            id_poor: Some(self.id_poor.code().into()),
            disability: Some(self.disability.code().into()),
            protection: self.protection.iter().map(|p| p.code().to_string()).collect(),
            protection_note: self.protection_note.clone(),
            village_code: self.village_code.clone(),
            living_arrangement: Some(self.living_arrangement.code().into()),
            rci_id: self.rci_id.map(|u| u.to_string()),
        }
    }
}

/// Oldest plausible age for a child registered here (care leavers stay in follow-up into their 20s).
const MAX_AGE_YEARS: i32 = 30;

/// A date as `YYYY-MM-DD`, in ASCII or Khmer digits.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(crate::text::ascii_digits(raw.trim()).as_str(), "%Y-%m-%d").ok()
}

/// A whole number in ASCII or Khmer digits.
pub fn parse_number<T: std::str::FromStr>(raw: &str) -> Option<T> {
    crate::text::ascii_digits(raw.trim()).parse().ok()
}

fn choice<T>(errors: &mut Invalid, field: &'static str, raw: Option<&str>, parse: fn(&str) -> Option<T>, default: Option<T>) -> Option<T> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if default.is_none() {
                errors.push(field, "err-required");
            }
            default
        }
        Some(code) => {
            let parsed = parse(code);
            if parsed.is_none() {
                errors.push(field, "err-invalid-choice");
            }
            parsed.or(default)
        }
    }
}

pub fn valid_village_code(code: &str) -> bool {
    code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit())
}

impl ChildInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ChildFields, Invalid> {
        let mut e = Invalid::default();
        let given_name_km = text::optional(&mut e, "given_name_km", self.given_name_km.as_deref(), SHORT);
        let family_name_km = text::optional(&mut e, "family_name_km", self.family_name_km.as_deref(), SHORT);
        let given_name_latin = text::optional(&mut e, "given_name_latin", self.given_name_latin.as_deref(), SHORT);
        let family_name_latin = text::optional(&mut e, "family_name_latin", self.family_name_latin.as_deref(), SHORT);
        if given_name_km.is_none() && given_name_latin.is_none() && !e.has("given_name_km") && !e.has("given_name_latin") {
            e.push("given_name_km", "err-name-required");
        }
        let nickname = text::optional(&mut e, "nickname", self.nickname.as_deref(), SHORT);
        let sex = choice(&mut e, "sex", self.sex.as_deref(), Sex::parse, None);

        let (date_of_birth, estimated_birth_year) = self.birth(&mut e, today);

        let birth_registration = choice(
            &mut e,
            "birth_registration",
            self.birth_registration.as_deref(),
            BirthRegistration::parse,
            Some(BirthRegistration::Unknown),
        );
        let birth_certificate_number = text::optional(&mut e, "birth_certificate_number", self.birth_certificate_number.as_deref(), 40);
        let id_poor = choice(&mut e, "id_poor", self.id_poor.as_deref(), IdPoor::parse, Some(IdPoor::Unknown));
        let disability = choice(&mut e, "disability", self.disability.as_deref(), Disability::parse, Some(Disability::None));
        let mut protection = Vec::new();
        for code in self.protection.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match Protection::parse(code) {
                Some(p) if !protection.contains(&p) => protection.push(p),
                Some(_) => {}
                None => e.push("protection", "err-invalid-choice"),
            }
        }
        let protection_note = text::optional(&mut e, "protection_note", self.protection_note.as_deref(), LONG);
        let village_code = text::optional(&mut e, "village_code", self.village_code.as_deref(), 8);
        if let Some(code) = &village_code {
            if !valid_village_code(code) {
                e.push("village_code", "err-unknown-place");
            }
        }
        let living_arrangement = choice(
            &mut e,
            "living_arrangement",
            self.living_arrangement.as_deref(),
            LivingArrangement::parse,
            Some(LivingArrangement::WithFamily),
        );
        let rci_id = match self.rci_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => match uuid::Uuid::parse_str(raw) {
                Ok(id) => Some(id),
                Err(_) => {
                    e.push("rci_id", "err-invalid-choice");
                    None
                }
            },
        };
        if living_arrangement == Some(LivingArrangement::InRci) && rci_id.is_none() && !e.has("rci_id") {
            e.push("rci_id", "err-rci-required");
        }
        if !e.errors.is_empty() {
            return Err(e);
        }
        Ok(ChildFields {
            given_name_km,
            family_name_km,
            given_name_latin,
            family_name_latin,
            nickname,
            sex: sex.expect("checked"),
            date_of_birth,
            estimated_birth_year,
            birth_registration: birth_registration.expect("defaulted"),
            birth_certificate_number,
            id_poor: id_poor.expect("defaulted"),
            disability: disability.expect("defaulted"),
            protection,
            protection_note,
            village_code,
            living_arrangement: living_arrangement.expect("defaulted"),
            rci_id: if living_arrangement == Some(LivingArrangement::InRci) { rci_id } else { None },
        })
    }

    /// Date of birth, or an estimated year (given directly or as an age). One of them is needed.
    fn birth(&self, e: &mut Invalid, today: NaiveDate) -> (Option<NaiveDate>, Option<i32>) {
        let oldest_year = today.year() - MAX_AGE_YEARS;
        let dob_raw = self.date_of_birth.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(raw) = dob_raw {
            return match parse_date(raw) {
                None => {
                    e.push("date_of_birth", "err-invalid-date");
                    (None, None)
                }
                Some(d) if d > today => {
                    e.push("date_of_birth", "err-future-date");
                    (None, None)
                }
                Some(d) if d.year() < oldest_year => {
                    e.push("date_of_birth", "err-too-old");
                    (None, None)
                }
                Some(d) => (Some(d), None),
            };
        }
        let year_raw = self.estimated_birth_year.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let age_raw = self.estimated_age.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let (field, year) = match (year_raw, age_raw) {
            (Some(y), _) => ("estimated_birth_year", parse_number::<i32>(y)),
            (None, Some(a)) => ("estimated_age", parse_number::<i32>(a).filter(|a| *a >= 0).map(|a| today.year() - a)),
            (None, None) => {
                e.push("date_of_birth", "err-birth-required");
                return (None, None);
            }
        };
        match year {
            None => e.push(field, "err-invalid-number"),
            Some(y) if y > today.year() => e.push(field, "err-future-date"),
            Some(y) if y < oldest_year => e.push(field, "err-too-old"),
            Some(y) => return (None, Some(y)),
        }
        (None, None)
    }
}

#[cfg(test)]
#[path = "child_tests.rs"]
mod tests;
