//! Families searching for a child (an "inquiry", as Primero calls it): a parent or relative
//! comes to an office looking for a child placed somewhere years ago. The office records who
//! is searching and for whom; the search runs across every organisation through the duplicate
//! engine. An organisation where a possible match is known learns that someone is looking and
//! decides whether to answer; the searcher's office learns only that a possible match exists
//! there and whom to talk to. A confirmed match becomes a tracing attempt on the child's case.

use crate::child::{ChildFields, ChildInput};
use crate::choices::Relationship;
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An inquiry as a form or the API sends it. The child sought uses the child form's names.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InquiryInput {
    /// Who is searching.
    pub searcher_name: Option<String>,
    pub searcher_relationship: Option<String>,
    pub searcher_phone: Option<String>,
    /// The child sought: names in any script, as the family says them.
    pub given_name_km: Option<String>,
    pub family_name_km: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    /// Other names the child was known by.
    pub nickname: Option<String>,
    pub sex: Option<String>,
    /// About how old the child is now, or the year of birth.
    pub estimated_age: Option<String>,
    pub estimated_birth_year: Option<String>,
    /// The village the child was last seen in (a gazetteer code), and when and how, in words.
    pub village_code: Option<String>,
    pub last_seen: Option<String>,
    /// The institution the family believes the child was taken to, if any.
    pub rci_id: Option<String>,
    pub notes: Option<String>,
}

/// A checked inquiry, as it is kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Inquiry {
    pub searcher_name: String,
    pub searcher_relationship: Relationship,
    pub searcher_phone: Option<String>,
    /// The child sought, in the shape the duplicate engine compares.
    pub sought: ChildFields,
    pub last_seen: Option<String>,
    pub notes: Option<String>,
}

impl InquiryInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Inquiry, Invalid> {
        let sought = ChildInput {
            given_name_km: self.given_name_km.clone(),
            family_name_km: self.family_name_km.clone(),
            given_name_latin: self.given_name_latin.clone(),
            family_name_latin: self.family_name_latin.clone(),
            nickname: self.nickname.clone(),
            sex: self.sex.clone(),
            estimated_age: self.estimated_age.clone(),
            estimated_birth_year: self.estimated_birth_year.clone(),
            village_code: self.village_code.clone(),
            rci_id: self.rci_id.clone(),
            ..ChildInput::default()
        }
        .validate(today);
        let mut e = match &sought {
            Ok(_) => Invalid::default(),
            Err(bad) => bad.clone(),
        };
        let searcher_name = text::required(&mut e, "searcher_name", self.searcher_name.as_deref(), SHORT);
        let relationship = match self.searcher_relationship.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.push("searcher_relationship", "err-required");
                None
            }
            Some(s) => {
                let r = Relationship::parse(s);
                if r.is_none() {
                    e.push("searcher_relationship", "err-invalid-choice");
                }
                r
            }
        };
        let searcher_phone = text::optional(&mut e, "searcher_phone", self.searcher_phone.as_deref(), 40);
        if searcher_phone
            .as_ref()
            .is_some_and(|p| !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c) || ('០'..='៩').contains(&c)))
        {
            e.push("searcher_phone", "err-phone");
        }
        let last_seen = text::paragraphs(&mut e, "last_seen", self.last_seen.as_deref(), LONG);
        let notes = text::paragraphs(&mut e, "notes", self.notes.as_deref(), LONG);
        match (sought, relationship) {
            (Ok(sought), Some(searcher_relationship)) if e.errors.is_empty() => {
                Ok(Inquiry { searcher_name, searcher_relationship, searcher_phone, sought, last_seen, notes })
            }
            _ => Err(e),
        }
    }
}

crate::choices::pick_list!(
    /// Where an inquiry stands at the office that recorded it.
    InquiryState, "inquiry-state", { Open => "open", Closed => "closed" });

crate::choices::pick_list!(
    /// How an inquiry ended.
    InquiryOutcome, "inquiry-outcome", {
    Reunited => "reunited",
    InContact => "in_contact",
    NotFound => "not_found",
    Withdrawn => "withdrawn",
});

crate::choices::pick_list!(
    /// What an organisation where a possible match is known answered: confirmed ("this is our
    /// child": a tracing attempt is recorded on the child's case), not ours, or declined (it
    /// will not say, for the child's safety).
    HitState, "inquiry-hit", {
    Waiting => "waiting",
    Confirmed => "confirmed",
    NotOurs => "not_ours",
    Declined => "declined",
});

crate::choices::pick_list!(
    /// What the searching office sees of a match: waiting, confirmed ("they know this child"),
    /// or answered — "not ours" and "we will not say" look the same from outside, so that
    /// declining for a child's safety does not itself say the child is there.
    SeenState, "inquiry-seen", { Waiting => "waiting", Confirmed => "confirmed", Answered => "answered" });

impl HitState {
    /// As the searching office sees it.
    pub fn seen(self) -> SeenState {
        match self {
            HitState::Waiting => SeenState::Waiting,
            HitState::Confirmed => SeenState::Confirmed,
            HitState::NotOurs | HitState::Declined => SeenState::Answered,
        }
    }

    /// Whether an answer given moves the hit from `self` (only a waiting hit is answered).
    pub fn may_answer(self, to: HitState) -> bool {
        self == HitState::Waiting && to != HitState::Waiting
    }
}

/// How many inquiries one person may record in an hour: each search says a little about
/// children they may not see, so recording must not become a way to search the register.
pub const INQUIRIES_PER_HOUR: i64 = 10;
/// And one organisation's people together (the same questions asked by many accounts).
pub const ORG_INQUIRIES_PER_HOUR: i64 = 40;

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn good() -> InquiryInput {
        InquiryInput {
            searcher_name: Some("Chan Sophal".into()),
            searcher_relationship: Some("mother".into()),
            searcher_phone: Some("012 345 678".into()),
            given_name_km: Some("ស្រីពៅ".into()),
            sex: Some("female".into()),
            estimated_age: Some("12".into()),
            last_seen: Some("2019, taken to a centre in Phnom Penh".into()),
            ..InquiryInput::default()
        }
    }

    #[test]
    fn a_searcher_and_a_child_sought() {
        let i = good().validate(today()).unwrap();
        assert_eq!(i.searcher_relationship, Relationship::Mother);
        assert_eq!(i.sought.given_name_km.as_deref(), Some("ស្រីពៅ"));
        assert_eq!(i.sought.estimated_birth_year, Some(2014));
    }

    #[test]
    fn every_problem_at_once() {
        let bad = InquiryInput {
            searcher_name: None,
            searcher_relationship: Some("neighbour".into()),
            searcher_phone: Some("call me <script>".into()),
            given_name_km: None,
            sex: None,
            ..good()
        };
        let e = bad.validate(today()).unwrap_err();
        for f in ["searcher_name", "searcher_relationship", "searcher_phone", "given_name_km", "sex"] {
            assert!(e.has(f), "{f}: {e}");
        }
    }

    #[test]
    fn only_a_waiting_match_is_answered() {
        assert!(HitState::Waiting.may_answer(HitState::Confirmed));
        assert!(!HitState::Waiting.may_answer(HitState::Waiting));
        assert!(!HitState::Confirmed.may_answer(HitState::NotOurs));
        assert!(!HitState::Declined.may_answer(HitState::Confirmed));
    }
}
