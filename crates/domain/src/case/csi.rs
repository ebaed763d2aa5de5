//! The Child Status Index: six domains of a child's well-being, two factors each, every factor
//! scored 1 (very bad) to 4 (good) with a note. The score definitions are translation keys
//! `csi-<factor>-<score>` so workers read them in Khmer or English.

use crate::text::{self, LONG};
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    pub code: &'static str,
    pub factors: [&'static str; 2],
}

pub const DOMAINS: [Domain; 6] = [
    Domain { code: "food", factors: ["food_security", "nutrition_growth"] },
    Domain { code: "shelter", factors: ["shelter", "care"] },
    Domain { code: "protection", factors: ["abuse_exploitation", "legal_protection"] },
    Domain { code: "health", factors: ["wellness", "health_care"] },
    Domain { code: "psychosocial", factors: ["emotional_health", "social_behaviour"] },
    Domain { code: "education", factors: ["performance", "education_work"] },
];

pub const FACTOR_COUNT: usize = 12;
pub const MIN_SCORE: u8 = 1;
pub const MAX_SCORE: u8 = 4;

/// Factor codes in form order.
pub fn factors() -> impl Iterator<Item = &'static str> {
    DOMAINS.iter().flat_map(|d| d.factors)
}

pub fn domain_of(factor: &str) -> Option<&'static str> {
    DOMAINS.iter().find(|d| d.factors.contains(&factor)).map(|d| d.code)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FactorScore {
    pub factor: String,
    pub score: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A complete, valid Child Status Index: every factor scored once, in form order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CsiScores {
    pub scores: Vec<FactorScore>,
}

/// Raw form or API input: factor code → (score text, note).
pub fn validate(raw: &[(String, Option<String>, Option<String>)]) -> Result<CsiScores, Invalid> {
    let mut e = Invalid::default();
    let mut scores = Vec::with_capacity(FACTOR_COUNT);
    for factor in factors() {
        let Some((_, score, note)) = raw.iter().find(|(f, _, _)| f == factor) else {
            e.push(factor, "err-required");
            continue;
        };
        let note = text::paragraphs(&mut e, factor, note.as_deref(), LONG);
        match score.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => e.push(factor, "err-required"),
            Some(s) => match crate::child::parse_number::<u8>(s) {
                Some(n) if (MIN_SCORE..=MAX_SCORE).contains(&n) => scores.push(FactorScore { factor: factor.to_string(), score: n, note }),
                _ => e.push(factor, "err-csi-score"),
            },
        }
    }
    if raw.iter().any(|(f, _, _)| domain_of(f).is_none()) {
        e.push("scores", "err-csi-unknown-factor");
    }
    e.into_result(CsiScores { scores })
}

impl CsiScores {
    pub fn score(&self, factor: &str) -> Option<u8> {
        self.scores.iter().find(|s| s.factor == factor).map(|s| s.score)
    }

    /// 12 (every factor very bad) to 48 (every factor good).
    pub fn total(&self) -> u32 {
        self.scores.iter().map(|s| u32::from(s.score)).sum()
    }

    pub fn domain_total(&self, domain: &Domain) -> u32 {
        domain.factors.iter().filter_map(|f| self.score(f)).map(u32::from).sum()
    }

    /// Domains to plan goals for first: those with a factor scored 1 or 2, weakest first.
    pub fn weakest_domains(&self) -> Vec<&'static str> {
        let mut weak: Vec<(u8, usize, &'static str)> = DOMAINS
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.factors.iter().filter_map(|f| self.score(f)).min().map(|m| (m, i, d.code)))
            .filter(|(m, _, _)| *m <= 2)
            .collect();
        weak.sort();
        weak.into_iter().map(|(_, _, d)| d).collect()
    }
}

/// One factor compared with the previous assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub factor: &'static str,
    pub before: Option<u8>,
    pub now: u8,
}

pub fn compare(previous: Option<&CsiScores>, now: &CsiScores) -> Vec<Change> {
    factors().filter_map(|f| now.score(f).map(|n| Change { factor: f, before: previous.and_then(|p| p.score(f)), now: n })).collect()
}

/// The average change per domain (points of the domain's total) from each child's previous
/// assessment to their latest, over the pairs given; nothing for no pairs. For reports.
pub fn average_change(pairs: &[(&CsiScores, &CsiScores)]) -> Vec<(&'static str, f64)> {
    if pairs.is_empty() {
        return Vec::new();
    }
    DOMAINS
        .iter()
        .map(|d| {
            let sum: i64 = pairs.iter().map(|(before, now)| i64::from(now.domain_total(d)) - i64::from(before.domain_total(d))).sum();
            (d.code, sum as f64 / pairs.len() as f64)
        })
        .collect()
}
