//! A row's address columns resolved onto the gazetteer, with what stopped it said in the report.

use super::{Context, MappedRow};
use crate::columns::Field;
use crate::places::{Level, PlaceProblem};
use crate::report::{Problems, Severity};

/// The place settled: a village code when the row went that deep, otherwise the coarser area.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Settled {
    pub village_code: Option<String>,
    pub area_code: Option<String>,
}

const FIELDS: [Field; 4] = [Field::Province, Field::District, Field::Commune, Field::Village];

pub fn resolve(row: &MappedRow, ctx: &Context, problems: &mut Problems) -> Settled {
    let names: Vec<Option<String>> = FIELDS.iter().map(|f| row.text(*f)).collect();
    if names.iter().all(Option::is_none) {
        return Settled::default();
    }
    let r = ctx.places.resolve([names[0].as_deref(), names[1].as_deref(), names[2].as_deref(), names[3].as_deref()]);
    let mut code = r.code;
    if let Some(problem) = &r.problem {
        let field = FIELDS[Level::ALL.iter().position(|l| *l == problem.level()).expect("a level")];
        let at = row.at(field);
        let label = |c: &String| ctx.places.label(c);
        let (value, key, listed): (&str, &str, Vec<String>) = match problem {
            PlaceProblem::Unknown { value, suggestions, .. } => (value, "imp-place-unknown", suggestions.iter().map(label).collect()),
            PlaceProblem::Ambiguous { value, candidates, .. } => (value, "imp-place-ambiguous", candidates.iter().map(label).collect()),
            PlaceProblem::WrongLevel { value, found, .. } => (value, "imp-place-wrong-level", vec![label(found)]),
        };
        let p = problems.push(Severity::Error, &at, value, key);
        p.arg("level", problem.level().as_str()).arg("candidates", listed.join("; "));
        if let Some(fix) = problem.fix() {
            p.fix(label(&fix.to_string()));
            if ctx.accept_fixes {
                code = Some(fix.to_string());
            }
        } else {
            // No one answer: accepting keeps the address at what was settled above it.
            p.fix(code.as_ref().map(label).unwrap_or_default());
        }
    } else if names[3].is_none() && code.is_some() {
        problems
            .push(Severity::Note, &row.at(Field::Village), "", "imp-place-coarse")
            .arg("place", code.as_ref().map(|c| ctx.places.label(c)).unwrap_or_default());
    }
    match code {
        Some(c) if c.len() == 8 => Settled { village_code: Some(c), area_code: None },
        other => Settled { village_code: None, area_code: other },
    }
}
