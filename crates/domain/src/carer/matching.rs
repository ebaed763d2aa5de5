//! Matching a child who needs a family placement with available approved carers: carers who
//! cannot take the child (age, sex, no room) are set apart with the reason; the others are ranked
//! by fit — nearness, room for the siblings, the child's needs against the carer's skills, a
//! shared language, kinship — and each ranking comes with the reasons, so that the worker makes
//! the decision, not the score.

use super::SexPreference;
use serde::Serialize;
use uuid::Uuid;

/// What matters about the child (and the siblings to be placed together).
#[derive(Debug, Clone)]
pub struct ChildNeeds {
    pub age: Option<u32>,
    pub female: bool,
    pub village: Option<String>,
    pub disability: bool,
    /// Brothers and sisters to be placed with the child.
    pub siblings: u32,
    /// A language the child speaks at home besides Khmer.
    pub language: Option<String>,
    /// The placement wanted is kinship care (with relatives).
    pub kinship: bool,
}

impl ChildNeeds {
    /// What the child's record says, with what the worker adds (siblings, language, kinship).
    pub fn of(
        f: &crate::child::ChildFields,
        today: chrono::NaiveDate,
        siblings: u32,
        language: Option<String>,
        kinship: bool,
    ) -> ChildNeeds {
        ChildNeeds {
            age: f.birth_date_for_age().map(|b| crate::age::age_on(b, today)),
            female: f.sex == crate::choices::Sex::Female,
            village: f.village_code.clone(),
            disability: f.disability != crate::choices::Disability::None,
            siblings,
            language: language.filter(|l| !l.trim().is_empty()),
            kinship,
        }
    }
}

/// An approved carer as matching sees it.
#[derive(Debug, Clone)]
pub struct CarerOffer {
    pub id: Uuid,
    pub village: Option<String>,
    pub room: u32,
    pub age_min: u32,
    pub age_max: u32,
    pub sex: SexPreference,
    pub kinship: bool,
    pub disability_skills: bool,
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranked {
    pub id: Uuid,
    pub score: u32,
    /// Message keys of what speaks for (`+`) or against (`-`) the carer, in order.
    pub reasons: Vec<&'static str>,
    /// Why the carer cannot take the child, if so (message key).
    pub excluded: Option<&'static str>,
}

/// How near two village codes are: 4 same village, 3 commune, 2 district, 1 province, 0.
pub fn nearness(a: Option<&str>, b: Option<&str>) -> u32 {
    let (Some(a), Some(b)) = (a, b) else { return 0 };
    for (len, level) in [(8, 4), (6, 3), (4, 2), (2, 1)] {
        if a.len() >= len && b.len() >= len && a[..len] == b[..len] {
            return level;
        }
    }
    0
}

pub fn rank(child: &ChildNeeds, carers: &[CarerOffer]) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = carers.iter().map(|c| score(child, c)).collect();
    // The suitable first, best first; ties by nearness of id for a stable order.
    out.sort_by(|a, b| a.excluded.is_some().cmp(&b.excluded.is_some()).then(b.score.cmp(&a.score)).then(a.id.cmp(&b.id)));
    out
}

fn score(child: &ChildNeeds, c: &CarerOffer) -> Ranked {
    let mut reasons = Vec::new();
    let mut excluded = None;
    if c.room == 0 {
        excluded = Some("match-no-room");
    } else if child.age.is_some_and(|a| a < c.age_min || a > c.age_max) {
        excluded = Some("match-age");
    } else if matches!((c.sex, child.female), (SexPreference::Female, false) | (SexPreference::Male, true)) {
        excluded = Some("match-sex");
    }
    let mut score = 0;
    match nearness(child.village.as_deref(), c.village.as_deref()) {
        4 => {
            score += 40;
            reasons.push("match-same-village");
        }
        3 => {
            score += 30;
            reasons.push("match-same-commune");
        }
        2 => {
            score += 20;
            reasons.push("match-same-district");
        }
        1 => {
            score += 10;
            reasons.push("match-same-province");
        }
        _ => reasons.push("match-far"),
    }
    if child.siblings > 0 {
        if c.room > child.siblings {
            score += 20;
            reasons.push("match-siblings-together");
        } else {
            reasons.push("match-siblings-apart");
        }
    }
    if child.disability {
        if c.disability_skills {
            score += 20;
            reasons.push("match-disability-skills");
        } else {
            reasons.push("match-no-disability-skills");
        }
    }
    if let Some(lang) = child.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        if c.languages.iter().any(|l| l.eq_ignore_ascii_case(lang)) {
            score += 15;
            reasons.push("match-language");
        } else {
            reasons.push("match-no-language");
        }
    }
    if child.kinship && c.kinship {
        score += 10;
        reasons.push("match-kinship");
    }
    Ranked { id: c.id, score, reasons, excluded }
}
