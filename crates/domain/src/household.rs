//! A household (family) and its members, each with their relationship to the child.

use crate::choices::{IdPoor, IncomeBand, Relationship, Sex};
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct HouseholdInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub village_code: Option<String>,
    pub address_detail: Option<String>,
    pub income_band: Option<String>,
    pub id_poor: Option<String>,
    pub id_poor_number: Option<String>,
    pub members: Vec<MemberInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberInput {
    pub name_km: Option<String>,
    pub name_latin: Option<String>,
    pub relationship: Option<String>,
    pub sex: Option<String>,
    pub birth_year: Option<String>,
    pub is_head: bool,
    pub phone: Option<String>,
}

impl MemberInput {
    fn is_blank(&self) -> bool {
        [&self.name_km, &self.name_latin, &self.relationship, &self.birth_year, &self.phone]
            .iter()
            .all(|f| f.as_deref().is_none_or(|s| s.trim().is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HouseholdFields {
    pub name: String,
    pub phone: Option<String>,
    pub village_code: Option<String>,
    pub address_detail: Option<String>,
    pub income_band: IncomeBand,
    pub id_poor: IdPoor,
    pub id_poor_number: Option<String>,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Member {
    /// The person's id as read (to add them to a community group); a household's people are
    /// written anew each time it is changed, so it holds until the next change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<uuid::Uuid>,
    pub name_km: Option<String>,
    pub name_latin: Option<String>,
    pub relationship: Relationship,
    pub sex: Option<Sex>,
    pub birth_year: Option<i32>,
    pub is_head: bool,
    pub phone: Option<String>,
}

/// A phone number as people write it in Cambodia: digits, spaces, +, -, and parentheses.
fn phone(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> Option<String> {
    let value = text::ascii_digits(&text::optional(e, field, raw, 30)?);
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if digits < 6 || !value.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        e.push(field, "err-invalid-phone");
        return None;
    }
    Some(value)
}

pub const MAX_MEMBERS: usize = 30;

impl HouseholdInput {
    pub fn validate(&self, today: NaiveDate) -> Result<HouseholdFields, Invalid> {
        let mut e = Invalid::default();
        let name = text::required(&mut e, "name", self.name.as_deref(), SHORT);
        let phone_no = phone(&mut e, "phone", self.phone.as_deref());
        let village_code = text::optional(&mut e, "village_code", self.village_code.as_deref(), 8);
        if village_code.as_deref().is_some_and(|c| !crate::child::valid_village_code(c)) {
            e.push("village_code", "err-unknown-place");
        }
        let address_detail = text::optional(&mut e, "address_detail", self.address_detail.as_deref(), LONG);
        let income_band = parse_or(&mut e, "income_band", self.income_band.as_deref(), IncomeBand::parse, IncomeBand::Unknown);
        let id_poor = parse_or(&mut e, "id_poor", self.id_poor.as_deref(), IdPoor::parse, IdPoor::Unknown);
        let id_poor_number = text::optional(&mut e, "id_poor_number", self.id_poor_number.as_deref(), 40);
        let given: Vec<&MemberInput> = self.members.iter().filter(|m| !m.is_blank()).collect();
        if given.len() > MAX_MEMBERS {
            e.push("members", "err-too-many");
        }
        let mut members = Vec::new();
        for m in given.into_iter().take(MAX_MEMBERS) {
            let name_km = text::optional(&mut e, "members", m.name_km.as_deref(), SHORT);
            let name_latin = text::optional(&mut e, "members", m.name_latin.as_deref(), SHORT);
            if name_km.is_none() && name_latin.is_none() {
                e.push("members", "err-member-name");
            }
            let relationship = match m.relationship.as_deref().map(str::trim).and_then(Relationship::parse) {
                Some(r) => r,
                None => {
                    e.push("members", "err-member-relationship");
                    Relationship::OtherRelative
                }
            };
            let sex = m.sex.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| {
                let parsed = Sex::parse(s);
                if parsed.is_none() {
                    e.push("members", "err-invalid-choice");
                }
                parsed
            });
            let birth_year = match m.birth_year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(raw) => match crate::child::parse_number::<i32>(raw).ok_or(()) {
                    Ok(y) if y <= today.year() && y > today.year() - 120 => Some(y),
                    _ => {
                        e.push("members", "err-invalid-number");
                        None
                    }
                },
            };
            let member_phone = phone(&mut e, "members", m.phone.as_deref());
            members.push(Member { id: None, name_km, name_latin, relationship, sex, birth_year, is_head: m.is_head, phone: member_phone });
        }
        if members.iter().filter(|m| m.is_head).count() > 1 {
            e.push("members", "err-one-head");
        }
        e.into_result(HouseholdFields {
            name,
            phone: phone_no,
            village_code,
            address_detail,
            income_band,
            id_poor,
            id_poor_number,
            members,
        })
    }
}

fn parse_or<T: Copy>(e: &mut Invalid, field: &'static str, raw: Option<&str>, parse: fn(&str) -> Option<T>, default: T) -> T {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => default,
        Some(code) => parse(code).unwrap_or_else(|| {
            e.push(field, "err-invalid-choice");
            default
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn member(rel: &str, head: bool) -> MemberInput {
        MemberInput { name_km: Some("ស្រី".into()), relationship: Some(rel.into()), is_head: head, ..Default::default() }
    }

    #[test]
    fn blank_member_rows_are_ignored() {
        let h = HouseholdInput {
            name: Some("Chan family".into()),
            members: vec![member("mother", true), MemberInput::default()],
            ..Default::default()
        };
        let f = h.validate(today()).unwrap();
        assert_eq!(f.members.len(), 1);
        assert_eq!(f.members[0].relationship, Relationship::Mother);
    }

    #[test]
    fn only_one_head_of_household() {
        let h =
            HouseholdInput { name: Some("x".into()), members: vec![member("mother", true), member("father", true)], ..Default::default() };
        assert_eq!(h.validate(today()).unwrap_err().for_field("members"), Some("err-one-head"));
    }

    #[test]
    fn phone_numbers_must_look_like_phone_numbers() {
        let ok = HouseholdInput { name: Some("x".into()), phone: Some("+855 12 345 678".into()), ..Default::default() };
        assert!(ok.validate(today()).is_ok());
        let bad = HouseholdInput { name: Some("x".into()), phone: Some("<script>".into()), ..Default::default() };
        assert_eq!(bad.validate(today()).unwrap_err().for_field("phone"), Some("err-invalid-phone"));
    }

    #[test]
    fn relationship_must_be_from_the_list() {
        let h = HouseholdInput { name: Some("x".into()), members: vec![member("cousin", false)], ..Default::default() };
        assert_eq!(h.validate(today()).unwrap_err().for_field("members"), Some("err-member-relationship"));
    }
}
