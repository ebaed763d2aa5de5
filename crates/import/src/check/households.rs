//! Household rows (OSCaR's `families`): validated as the household form validates them, the
//! address resolved onto the gazetteer, OSCaR's family type and status kept with the record.

use super::{address, derived_id, Context, HouseholdPlan, Mapped, MappedRow, Plan, KIND_HOUSEHOLD};
use crate::columns::Field;
use crate::report::{Counts, Problems, Severity};
use krousar_domain::household::HouseholdInput;
use serde_json::Value;
use std::collections::HashSet;

/// The workbook column of a form field, for reporting a validation error where it was written.
fn field_of_form(name: &str) -> Field {
    match name {
        "name" => Field::HouseholdName,
        "phone" => Field::HouseholdPhone,
        "village_code" => Field::Village,
        "id_poor" => Field::HouseholdIdPoor,
        _ => Field::HouseholdName,
    }
}

/// The ID of a household row: its own, or one made from its name (OSCaR's Family ID is often
/// left blank, and its clients name their family instead).
pub fn household_id(row: &MappedRow) -> Option<(String, bool)> {
    match row.text(Field::HouseholdId) {
        Some(id) => Some((id, false)),
        None => row.text(Field::HouseholdName).map(|n| (derived_id("family", &[&n]), true)),
    }
}

pub fn check(m: &Mapped, ctx: &Context, plan: &mut Plan, counts: &mut Counts, problems: &mut Problems) {
    let mut ids: HashSet<String> = HashSet::new();
    let mut made_up = 0;
    for row in &m.rows {
        let Some((id, derived)) = household_id(row) else {
            problems.push(Severity::Error, &row.at(Field::HouseholdName), "", "imp-required");
            continue;
        };
        if ctx.imported.contains(&(KIND_HOUSEHOLD.to_string(), id.clone())) {
            counts.already_imported += 1;
            continue;
        }
        if !ids.insert(id.clone()) {
            let column = if derived { Field::HouseholdName } else { Field::HouseholdId };
            problems.push(Severity::Error, &row.at(column), row.text(column).unwrap_or_default(), "imp-duplicate-id");
            continue;
        }
        made_up += usize::from(derived);
        let place = address::resolve(row, ctx, problems);
        let detail: Vec<String> = [row.text(Field::House), row.text(Field::Street)].into_iter().flatten().collect();
        let id_poor = row.text(Field::HouseholdIdPoor).map(|v| match crate::values::id_poor(&v) {
            Some(p) => p.code().to_string(),
            None => v,
        });
        let input = HouseholdInput {
            name: row.text(Field::HouseholdName),
            phone: row.text(Field::HouseholdPhone),
            village_code: place.village_code.clone(),
            address_detail: (!detail.is_empty()).then(|| detail.join(", ")),
            id_poor,
            ..HouseholdInput::default()
        };
        let mut extra = row.extra();
        for (field, key) in [(Field::FamilyType, "family_type"), (Field::FamilyStatus, "family_status")] {
            if let Some(v) = row.text(field) {
                extra.insert(key.into(), Value::String(v));
            }
        }
        // The family type says where its children live; an unknown one is kept, and said.
        let living = row.text(Field::FamilyType).and_then(|t| {
            let l = crate::values::family_type(&t);
            if l.is_none() {
                problems.push(Severity::Warning, &row.at(Field::FamilyType), &t, "imp-family-type-kept");
            }
            l
        });
        match input.validate(ctx.today) {
            Ok(fields) => {
                plan.households.push(HouseholdPlan { row: row.number, external_id: id, fields, area_code: place.area_code, living, extra })
            }
            Err(invalid) => {
                for e in invalid.errors {
                    let field = field_of_form(e.field);
                    problems.push(Severity::Error, &row.at(field), row.text(field).unwrap_or_default(), e.code);
                }
            }
        }
    }
    if made_up > 0 {
        let at = crate::report::At { sheet: m.name.clone(), row: 0, column: String::new() };
        problems.push(Severity::Note, &at, "", "imp-ids-made").arg("count", made_up.to_string());
    }
}
