//! Community groups and their sessions: parenting clubs and youth groups run by a transitioned
//! RCI, savings groups, Neang Bai Tong groups, commune committee (CCWC) meetings, awareness
//! campaigns, RCI study tours. A group has an organiser and a place; its members are a child or
//! a household member already in the organisation's records, or else a person named with sex
//! and age group; a session has a day, a topic and who attended, and an event open to anyone
//! also counts the people reached who were not named (women and men).

use crate::case::entries::{past_date, pick};
use crate::choices::{pick_list, Sex};
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pick_list!(
    /// What a group is for.
    GroupKind, "group-kind", {
    ParentingClub => "parenting_club",
    YouthGroup => "youth_group",
    SavingsGroup => "savings_group",
    NeangBaiTong => "neang_bai_tong",
    CcwcMeeting => "ccwc_meeting",
    AwarenessCampaign => "awareness_campaign",
    RciStudyTour => "rci_study_tour",
    Other => "other",
});

pick_list!(
    /// Why a person is in a group.
    MemberRole, "member-role", { Child => "child", Caregiver => "caregiver", Community => "community" });

pick_list!(
    /// The age group of a person not in the records (no birth date is asked of them).
    AgeGroup, "age-group", {
    Under6 => "0_5",
    From6To11 => "6_11",
    From12To17 => "12_17",
    From18To24 => "18_24",
    From25To59 => "25_59",
    From60 => "60_plus",
});

/// Members of one group, and unnamed people one session may count.
pub const MAX_MEMBERS: usize = 500;
pub const MAX_REACHED: i64 = 100_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GroupInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// Who runs it (a person or a partner: "Sovann, para social worker", "Wat Bo community centre").
    pub organiser: Option<String>,
    /// The village it meets in (a gazetteer code of eight digits).
    pub village_code: Option<String>,
    /// Where in the village ("the pagoda's hall").
    pub place: Option<String>,
    pub started_on: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Group {
    pub name: String,
    pub kind: GroupKind,
    pub organiser: Option<String>,
    pub village_code: Option<String>,
    pub place: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub note: Option<String>,
}

fn village(e: &mut Invalid, raw: Option<&str>) -> Option<String> {
    let v = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if v.len() == 8 && v.chars().all(|c| c.is_ascii_digit()) {
        Some(v.to_string())
    } else {
        e.push("village_code", "err-invalid-choice");
        None
    }
}

impl GroupInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Group, Invalid> {
        let mut e = Invalid::default();
        let name = text::required(&mut e, "name", self.name.as_deref(), SHORT);
        let kind = pick(&mut e, "kind", self.kind.as_deref(), GroupKind::parse);
        let organiser = text::optional(&mut e, "organiser", self.organiser.as_deref(), SHORT);
        let village_code = village(&mut e, self.village_code.as_deref());
        let place = text::optional(&mut e, "place", self.place.as_deref(), SHORT);
        let started_on =
            self.started_on.as_deref().filter(|s| !s.trim().is_empty()).and_then(|s| past_date(&mut e, "started_on", Some(s), today));
        let note = text::paragraphs(&mut e, "note", self.note.as_deref(), LONG);
        match kind {
            Some(kind) if e.errors.is_empty() => Ok(Group { name, kind, organiser, village_code, place, started_on, note }),
            _ => Err(e),
        }
    }
}

/// A member as a form or the API sends it: a record's id, or a name with sex and age group.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MemberInput {
    /// A child of the organisation's records.
    pub child_id: Option<String>,
    /// A person of one of the organisation's households.
    pub household_member_id: Option<String>,
    pub name: Option<String>,
    pub sex: Option<String>,
    pub age_group: Option<String>,
    pub role: Option<String>,
}

/// Who a member is: a record (whose name and sex are read from it, never copied), or a person
/// known only to the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    Child(Uuid),
    HouseholdMember(Uuid),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Linked { link: Link, role: MemberRole },
    Named { name: String, sex: Sex, age_group: AgeGroup, role: MemberRole },
}

fn id(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> Option<Uuid> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    Uuid::parse_str(raw).ok().or_else(|| {
        e.push(field, "err-invalid-choice");
        None
    })
}

impl MemberInput {
    pub fn validate(&self) -> Result<Member, Invalid> {
        let mut e = Invalid::default();
        let child = id(&mut e, "child_id", self.child_id.as_deref());
        let person = id(&mut e, "household_member_id", self.household_member_id.as_deref());
        // A child is in a group as a child unless said otherwise; a household member as a caregiver.
        let role = match self.role.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None if child.is_some() => Some(MemberRole::Child),
            None if person.is_some() => Some(MemberRole::Caregiver),
            raw => pick(&mut e, "role", raw, MemberRole::parse),
        };
        let member = match (child, person) {
            (Some(_), Some(_)) => {
                e.push("child_id", "err-one-link");
                None
            }
            (Some(c), None) => role.map(|role| Member::Linked { link: Link::Child(c), role }),
            (None, Some(p)) => role.map(|role| Member::Linked { link: Link::HouseholdMember(p), role }),
            (None, None) => {
                let name = text::required(&mut e, "name", self.name.as_deref(), SHORT);
                let sex = pick(&mut e, "sex", self.sex.as_deref(), Sex::parse);
                let age_group = pick(&mut e, "age_group", self.age_group.as_deref(), AgeGroup::parse);
                match (sex, age_group, role) {
                    (Some(sex), Some(age_group), Some(role)) => Some(Member::Named { name, sex, age_group, role }),
                    _ => None,
                }
            }
        };
        match member {
            Some(m) if e.errors.is_empty() => Ok(m),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SessionInput {
    pub held_on: Option<String>,
    pub topic: Option<String>,
    pub note: Option<String>,
    /// The members who came (their ids in the group).
    pub attended: Vec<String>,
    /// People reached who are not members: women and girls, men and boys.
    pub reached_female: Option<String>,
    pub reached_male: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Session {
    pub held_on: NaiveDate,
    pub topic: String,
    pub note: Option<String>,
    pub attended: Vec<Uuid>,
    pub reached_female: i64,
    pub reached_male: i64,
}

fn count(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> i64 {
    let Some(s) = raw.map(|s| text::ascii_digits(s.trim())).filter(|s| !s.is_empty()) else { return 0 };
    match s.parse::<i64>() {
        Ok(n) if (0..=MAX_REACHED).contains(&n) => n,
        _ => {
            e.push(field, "err-number");
            0
        }
    }
}

impl SessionInput {
    /// Checked: held on a day not in the future and at most ten years ago; each member once.
    pub fn validate(&self, today: NaiveDate) -> Result<Session, Invalid> {
        let mut e = Invalid::default();
        let held_on = past_date(&mut e, "held_on", self.held_on.as_deref(), today);
        if held_on.is_some_and(|d| d < today - chrono::Days::new(3660)) {
            e.push("held_on", "err-date-range");
        }
        let topic = text::required(&mut e, "topic", self.topic.as_deref(), SHORT);
        let note = text::paragraphs(&mut e, "note", self.note.as_deref(), LONG);
        let mut attended = Vec::new();
        for a in self.attended.iter().take(MAX_MEMBERS + 1) {
            match Uuid::parse_str(a.trim()) {
                Ok(id) => attended.push(id),
                Err(_) => e.push("attended", "err-invalid-choice"),
            }
        }
        if self.attended.len() > MAX_MEMBERS {
            e.push("attended", "err-too-long");
        }
        attended.sort();
        attended.dedup();
        let reached_female = count(&mut e, "reached_female", self.reached_female.as_deref());
        let reached_male = count(&mut e, "reached_male", self.reached_male.as_deref());
        match held_on {
            Some(held_on) if e.errors.is_empty() => Ok(Session { held_on, topic, note, attended, reached_female, reached_male }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
#[path = "community_tests.rs"]
mod tests;
