//! Material or cash support given to many households at once: an emergency food package to
//! 135 families, school kits before the school year. A distribution lists what each household
//! gets (items, quantities, value), the households (picked by name, by village, or from a
//! group), and for each one whether it was received — signed for on the printed list — or not.

use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::choices::pick_list!(
    /// What kind of support a distribution gives.
    SupportKind, "support-kind", {
    Food => "food",
    Cash => "cash",
    SchoolKit => "school_kit",
    Hygiene => "hygiene",
    HouseholdItems => "household_items",
    Other => "other",
});

crate::choices::pick_list!(
    /// What happened at one household: still to give, received, or not received.
    Receipt, "receipt", { Planned => "planned", Received => "received", NotReceived => "not_received" });

/// How many item lines a distribution may have, and households on one list.
pub const MAX_ITEMS: usize = 20;
pub const MAX_HOUSEHOLDS: usize = 2000;

/// One line of what each household gets, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ItemInput {
    pub name: Option<String>,
    pub quantity: Option<String>,
    pub unit: Option<String>,
    /// Value of the line for one household, in riel.
    pub value_riel: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Item {
    pub name: String,
    pub quantity: i64,
    pub unit: Option<String>,
    pub value_riel: Option<i64>,
}

/// A distribution as a form or the API sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DistributionInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// The day it is given (planned, or given).
    pub given_on: Option<String>,
    pub place: Option<String>,
    pub note: Option<String>,
    pub items: Vec<ItemInput>,
}

/// A checked distribution.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Distribution {
    pub name: String,
    pub kind: SupportKind,
    pub given_on: NaiveDate,
    pub place: Option<String>,
    pub note: Option<String>,
    pub items: Vec<Item>,
}

impl Distribution {
    /// The value each household gets, in riel (lines without a value count nothing).
    pub fn value_per_household(&self) -> i64 {
        self.items.iter().filter_map(|i| i.value_riel).sum()
    }
}

fn whole(e: &mut Invalid, field: &'static str, raw: Option<&str>, required: bool) -> Option<i64> {
    let raw = raw.map(|s| crate::text::ascii_digits(s.trim()).replace([',', ' '], "")).filter(|s| !s.is_empty());
    match raw {
        None => {
            if required {
                e.push(field, "err-required");
            }
            None
        }
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (0..=1_000_000_000_000).contains(&n) => Some(n),
            _ => {
                e.push(field, "err-number");
                None
            }
        },
    }
}

impl DistributionInput {
    /// Checked; a distribution is planned at most a year ahead and given at most ten years ago.
    pub fn validate(&self, today: NaiveDate) -> Result<Distribution, Invalid> {
        let mut e = Invalid::default();
        let name = text::required(&mut e, "name", self.name.as_deref(), SHORT);
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.push("kind", "err-required");
                None
            }
            Some(k) => SupportKind::parse(k).or_else(|| {
                e.push("kind", "err-invalid-choice");
                None
            }),
        };
        let given_on = match self.given_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.push("given_on", "err-required");
                None
            }
            Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) if d > today + chrono::Days::new(366) || d < today - chrono::Days::new(3660) => {
                    e.push("given_on", "err-date-range");
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    e.push("given_on", "err-date");
                    None
                }
            },
        };
        let place = text::optional(&mut e, "place", self.place.as_deref(), SHORT);
        let note = text::paragraphs(&mut e, "note", self.note.as_deref(), LONG);
        let mut items = Vec::new();
        let typed: Vec<&ItemInput> = self.items.iter().filter(|i| i.name.as_deref().is_some_and(|n| !n.trim().is_empty())).collect();
        if typed.is_empty() {
            e.push("items", "err-distribution-items");
        }
        if typed.len() > MAX_ITEMS {
            e.push("items", "err-too-long");
        }
        for i in typed.iter().take(MAX_ITEMS) {
            let name = text::required(&mut e, "items", i.name.as_deref(), SHORT);
            let quantity = whole(&mut e, "items", i.quantity.as_deref(), true);
            let unit = text::optional(&mut e, "items", i.unit.as_deref(), 40);
            let value_riel = whole(&mut e, "items", i.value_riel.as_deref(), false);
            if let Some(quantity) = quantity.filter(|q| *q > 0) {
                items.push(Item { name, quantity, unit, value_riel });
            } else if quantity == Some(0) {
                e.push("items", "err-number");
            }
        }
        match (kind, given_on) {
            (Some(kind), Some(given_on)) if e.errors.is_empty() => Ok(Distribution { name, kind, given_on, place, note, items }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn item(name: &str, q: &str, v: &str) -> ItemInput {
        ItemInput { name: Some(name.into()), quantity: Some(q.into()), unit: Some("kg".into()), value_riel: Some(v.into()) }
    }

    #[test]
    fn a_food_package_with_its_value() {
        let d = DistributionInput {
            name: Some("អង្ករ និងត្រីខ".into()),
            kind: Some("food".into()),
            given_on: Some("2026-12-10".into()),
            items: vec![item("អង្ករ", "២៥", "100,000"), item("Canned fish", "10", "30000"), ItemInput::default()],
            ..DistributionInput::default()
        }
        .validate(today())
        .unwrap();
        assert_eq!(d.items.len(), 2, "an empty line is no item");
        assert_eq!(d.items[0].quantity, 25, "Khmer digits");
        assert_eq!(d.value_per_household(), 130_000);
    }

    #[test]
    fn every_problem_at_once() {
        let e = DistributionInput {
            name: None,
            kind: Some("gold".into()),
            given_on: Some("2040-01-01".into()),
            items: vec![item("Rice", "-3", "x")],
            ..DistributionInput::default()
        }
        .validate(today())
        .unwrap_err();
        for f in ["name", "kind", "given_on", "items"] {
            assert!(e.has(f), "{f}: {e}");
        }
        let none = DistributionInput { items: vec![], ..DistributionInput::default() }.validate(today()).unwrap_err();
        assert_eq!(none.for_field("items"), Some("err-distribution-items"));
    }
}
