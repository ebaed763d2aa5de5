//! What an organisation decides about the rhythm of its work: how fast a first contact must
//! happen and how often a placed child is visited, by risk; when a child is reassessed; how long
//! follow-up lasts. Sensible defaults; an administrator may change them (never below the floor
//! national guidance sets for follow-up: two years).

use super::entries::PlacementType;
use super::stage::RiskLevel;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MIN_FOLLOW_UP_MONTHS: u32 = 24;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseSettings {
    /// Days from intake to first contact: high, medium, low, no action.
    pub first_contact_days: [u32; 4],
    /// Months between follow-up visits: high, medium, low, no action.
    pub visit_interval_months: [u32; 4],
    pub reassessment_months: u32,
    pub follow_up_months: u32,
    /// Days a device may carry cases without bringing them up to date; after that the copy on
    /// the device is wiped (work waiting to be sent is kept).
    pub offline_days: u32,
    /// Days before or after its due date a visit may be and still fulfil it (see
    /// `schedule::slot_fulfilled`); outside it a visit is an extra one.
    pub visit_window_days: u32,
    /// Months between visits for a placement type that needs its own rhythm (emergency foster
    /// care is visited more often than a child back with her parents), by risk as above;
    /// keyed by placement code. A type not listed follows `visit_interval_months`.
    pub placement_visit_months: BTreeMap<String, [u32; 4]>,
}

impl Default for CaseSettings {
    fn default() -> Self {
        CaseSettings {
            first_contact_days: [1, 3, 7, 14],
            visit_interval_months: [1, 2, 3, 6],
            reassessment_months: 6,
            follow_up_months: 24,
            offline_days: 14,
            visit_window_days: 30,
            // Short-term (emergency) foster care: monthly whatever the risk, every two months
            // once nothing more needs doing.
            placement_visit_months: BTreeMap::from([(PlacementType::FosterShort.code().to_string(), [1, 1, 1, 2])]),
        }
    }
}

fn index(risk: RiskLevel) -> usize {
    match risk {
        RiskLevel::High => 0,
        RiskLevel::Medium => 1,
        RiskLevel::Low => 2,
        RiskLevel::NoAction => 3,
    }
}

impl CaseSettings {
    pub fn first_contact_days(&self, risk: RiskLevel) -> u32 {
        self.first_contact_days[index(risk)]
    }

    /// Months between follow-up visits of a child at `risk` in a placement of type `placement`.
    pub fn visit_interval(&self, risk: RiskLevel, placement: Option<PlacementType>) -> u32 {
        placement
            .and_then(|p| self.placement_visit_months.get(p.code()))
            .map_or(self.visit_interval_months[index(risk)], |months| months[index(risk)])
    }

    /// The placement types whose rhythm may be set apart: those followed up after placement.
    pub fn rhythm_placements() -> impl Iterator<Item = PlacementType> {
        PlacementType::ALL.iter().copied().filter(|p| p.family_based())
    }

    /// Bounds that keep schedules meaningful: contact within 90 days, a visit at least every
    /// 12 months, reassessment every 1–24 months, follow-up 24–60 months, 1–60 days offline, a
    /// visit counted for a due date 1–60 days away (wider would let one visit stand for another
    /// two months off).
    pub fn validate(self) -> Result<CaseSettings, Invalid> {
        let mut e = Invalid::default();
        if self.first_contact_days.iter().any(|d| *d > 90) {
            e.push("first_contact_days", "err-out-of-range");
        }
        if self.visit_interval_months.iter().any(|m| !(1..=12).contains(m)) {
            e.push("visit_interval_months", "err-out-of-range");
        }
        let known = |code: &String| Self::rhythm_placements().any(|p| p.code() == code);
        if self.placement_visit_months.iter().any(|(code, months)| !known(code) || months.iter().any(|m| !(1..=12).contains(m))) {
            e.push("placement_visit_months", "err-out-of-range");
        }
        if !(1..=24).contains(&self.reassessment_months) {
            e.push("reassessment_months", "err-out-of-range");
        }
        if !(MIN_FOLLOW_UP_MONTHS..=60).contains(&self.follow_up_months) {
            e.push("follow_up_months", "err-follow-up-too-short");
        }
        if !(1..=60).contains(&self.offline_days) {
            e.push("offline_days", "err-out-of-range");
        }
        if !(1..=60).contains(&self.visit_window_days) {
            e.push("visit_window_days", "err-out-of-range");
        }
        e.into_result(self)
    }
}
