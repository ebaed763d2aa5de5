//! Residential care institutions in transition: the stage an RCI is at on its way to becoming a
//! community-based centre (or closing), inspections against the Minimum Standards on Residential
//! Care (a checklist kept as data), and its staff.

use crate::case::entries::{past_date, pick};
use crate::choices::pick_list;
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pick_list!(TransitionStage, "rci-stage", {
    Operating => "operating",
    Planning => "planning",
    Transitioning => "transitioning",
    CommunityCentre => "community_centre",
    Closed => "closed",
});

pick_list!(
    /// What a document attached to an RCI's transition is.
    DocKind, "rci-doc", { Plan => "plan", Survey => "survey", Evaluation => "evaluation", Other => "other" }
);

impl TransitionStage {
    fn order(self) -> usize {
        TransitionStage::ALL.iter().position(|s| *s == self).expect("listed")
    }
}

/// Whether an RCI may move from `from` to `to`: forward along the stages (any step may be
/// skipped: an RCI may close without becoming a centre), or back from planning to operating when
/// a plan is dropped. A closed RCI stays closed. The error is a message key.
pub fn may_move(from: TransitionStage, to: TransitionStage) -> Result<(), &'static str> {
    if from == to {
        return Err("err-rci-stage-same");
    }
    if from == TransitionStage::Closed {
        return Err("err-rci-closed");
    }
    if to.order() > from.order() || (from == TransitionStage::Planning && to == TransitionStage::Operating) {
        Ok(())
    } else {
        Err("err-rci-stage-back")
    }
}

/// The Minimum Standards on Alternative Care for Children (MoSVY), as inspected: each standard
/// is scored 0 (not met) to 3 (fully met). Kept as data so a revised checklist is a new list.
pub const STANDARDS: [&str; 10] = [
    "gatekeeping",
    "care_plans",
    "family_contact",
    "reintegration",
    "staff",
    "health_nutrition",
    "education",
    "protection_policy",
    "environment",
    "records",
];
pub const MAX_SCORE: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Inspection {
    pub on: NaiveDate,
    pub inspector: String,
    /// (standard, score) in the order of `STANDARDS`.
    pub scores: Vec<(String, u8)>,
    pub note: Option<String>,
}

impl Inspection {
    pub fn total(&self) -> u32 {
        self.scores.iter().map(|(_, s)| u32::from(*s)).sum()
    }

    /// The share of the most an RCI can score, in percent.
    pub fn percent(&self) -> u32 {
        let max = self.scores.len() as u32 * u32::from(MAX_SCORE);
        (self.total() * 100 + max / 2).checked_div(max).unwrap_or(0)
    }
}

/// An inspection as typed: `scores` by standard code.
pub fn inspection(
    on: Option<&str>,
    inspector: Option<&str>,
    scores: &[(String, String)],
    note: Option<&str>,
    today: NaiveDate,
) -> Result<Inspection, Invalid> {
    let mut e = Invalid::default();
    let on = past_date(&mut e, "on", on, today);
    let inspector = text::optional(&mut e, "inspector", inspector, SHORT);
    if inspector.is_none() && !e.has("inspector") {
        e.push("inspector", "err-required");
    }
    let mut out = Vec::new();
    for code in STANDARDS {
        match scores.iter().find(|(k, _)| k == code).map(|(_, v)| v.trim()) {
            Some(v) if !v.is_empty() => match v.parse::<u8>() {
                Ok(n) if n <= MAX_SCORE => out.push((code.to_string(), n)),
                _ => e.push("scores", "err-score"),
            },
            _ => e.push("scores", "err-score-missing"),
        }
    }
    let note = text::paragraphs(&mut e, "note", note, LONG);
    match (on, inspector) {
        (Some(on), Some(inspector)) if e.errors.is_empty() => Ok(Inspection { on, inspector, scores: out, note }),
        _ => Err(e),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Staff {
    pub on: NaiveDate,
    pub total: u32,
    pub female: u32,
    /// Staff trained as para social workers (they follow children after reintegration).
    pub para_social_workers: u32,
}

pub fn staff(on: Option<&str>, total: Option<&str>, female: Option<&str>, psw: Option<&str>, today: NaiveDate) -> Result<Staff, Invalid> {
    let mut e = Invalid::default();
    let on = past_date(&mut e, "on", on, today);
    let mut n = |field: &'static str, raw: Option<&str>| match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(0),
        Some(s) => crate::child::parse_number::<u32>(s).filter(|v| *v <= 10_000).or_else(|| {
            e.push(field, "err-number");
            None
        }),
    };
    let (total, female, psw) = (n("total", total), n("female", female), n("para_social_workers", psw));
    if let (Some(t), Some(f)) = (total, female) {
        if f > t {
            e.push("female", "err-more-than-total");
        }
    }
    if let (Some(t), Some(p)) = (total, psw) {
        if p > t {
            e.push("para_social_workers", "err-more-than-total");
        }
    }
    match (on, total, female, psw) {
        (Some(on), Some(total), Some(female), Some(para_social_workers)) if e.errors.is_empty() => {
            Ok(Staff { on, total, female, para_social_workers })
        }
        _ => Err(e),
    }
}

/// A stage change as typed.
/// A stage change as sent: the stage, its day (not in the future) and a note (optional, checked
/// as every long text is: a limit, no control characters).
pub fn stage_change(
    stage: Option<&str>,
    on: Option<&str>,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<(TransitionStage, NaiveDate, Option<String>), Invalid> {
    let mut e = Invalid::default();
    let stage = pick(&mut e, "stage", stage, TransitionStage::parse);
    let on = past_date(&mut e, "on", on, today);
    let note = text::paragraphs(&mut e, "note", note, LONG);
    match (stage, on) {
        (Some(s), Some(d)) if e.errors.is_empty() => Ok((s, d, note)),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransitionStage::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_stage_changes_note_is_checked_as_every_long_text() {
        let today = d("2026-12-01");
        let ok = stage_change(Some("planning"), Some("2026-11-30"), Some("  A plan agreed  "), today).unwrap();
        assert_eq!(ok, (Planning, d("2026-11-30"), Some("A plan agreed".to_string())));
        assert_eq!(stage_change(Some("planning"), Some("2026-11-30"), Some("   "), today).unwrap().2, None);
        for bad in ["a\u{0}b".to_string(), "\u{202e}evil".to_string(), "x".repeat(LONG + 1)] {
            let e = stage_change(Some("planning"), Some("2026-11-30"), Some(&bad), today).unwrap_err();
            assert_eq!(e.errors[0].field, "note", "{bad:.20}");
        }
    }

    #[test]
    fn stages_move_forward_and_a_closed_rci_stays_closed() {
        assert_eq!(may_move(Operating, Planning), Ok(()));
        assert_eq!(may_move(Planning, Operating), Ok(()), "a plan dropped");
        assert_eq!(may_move(Operating, Closed), Ok(()), "closing without becoming a centre");
        assert_eq!(may_move(Transitioning, Planning), Err("err-rci-stage-back"));
        assert_eq!(may_move(CommunityCentre, CommunityCentre), Err("err-rci-stage-same"));
        assert_eq!(may_move(Closed, Operating), Err("err-rci-closed"));
    }

    #[test]
    fn an_inspection_scores_every_standard() {
        let today = d("2026-11-23");
        let all: Vec<(String, String)> = STANDARDS.iter().map(|s| (s.to_string(), "2".to_string())).collect();
        let i = inspection(Some("2026-11-01"), Some("DoSVY Battambang"), &all, None, today).unwrap();
        assert_eq!((i.total(), i.percent()), (20, 67));
        let missing = &all[1..];
        assert_eq!(
            inspection(Some("2026-11-01"), Some("x"), missing, None, today).unwrap_err().for_field("scores"),
            Some("err-score-missing")
        );
        let mut bad = all.clone();
        bad[0].1 = "4".into();
        assert_eq!(inspection(Some("2026-11-01"), Some("x"), &bad, None, today).unwrap_err().for_field("scores"), Some("err-score"));
        assert_eq!(inspection(Some("2026-11-01"), None, &all, None, today).unwrap_err().for_field("inspector"), Some("err-required"));
    }

    #[test]
    fn staff_counts_add_up() {
        let today = d("2026-11-23");
        let s = staff(Some("2026-11-01"), Some("12"), Some("8"), Some("3"), today).unwrap();
        assert_eq!((s.total, s.female, s.para_social_workers), (12, 8, 3));
        assert_eq!(
            staff(Some("2026-11-01"), Some("5"), Some("8"), None, today).unwrap_err().for_field("female"),
            Some("err-more-than-total")
        );
    }
}
