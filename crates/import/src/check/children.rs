//! Child rows (OSCaR's `clients`) and their cases: validated as the registration form validates
//! them, dates read in any of the ways people write them, the address, worker and household
//! found, and the case opened from the referral columns.

use super::{address, derived_id, ChildPlan, Context, Mapped, MappedRow, Plan, Worker, KIND_CHILD, KIND_HOUSEHOLD};
use crate::columns::Field;
use crate::dates::{self, DateError, DateRead};
use crate::report::{At, Counts, Problems, Severity};
use crate::values;
use krousar_domain::case::entries::IntakeInput;
use krousar_domain::case::stage::ReferralSource;
use krousar_domain::child::ChildInput;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

fn field_of_form(name: &str) -> Field {
    match name {
        "given_name_km" => Field::GivenNameKm,
        "family_name_km" => Field::FamilyNameKm,
        "given_name_latin" => Field::GivenNameLatin,
        "family_name_latin" => Field::FamilyNameLatin,
        "nickname" => Field::Nickname,
        "sex" => Field::Sex,
        "date_of_birth" | "estimated_birth_year" => Field::DateOfBirth,
        "birth_certificate_number" => Field::BirthCertificate,
        "id_poor" => Field::ChildIdPoor,
        "disability" => Field::Disability,
        "village_code" => Field::Village,
        "opened_on" => Field::OpenedOn,
        "referral_source" => Field::ReferralSource,
        "route" => Field::Route,
        "summary" => Field::CaseSummary,
        _ => Field::GivenNameKm,
    }
}

/// A date column read into ISO text (or a year), its problems reported. `None` when blank or
/// unusable.
fn date(row: &MappedRow, field: Field, ctx: &Context, problems: &mut Problems) -> Option<DateRead> {
    let cell = row.cell(field)?;
    match dates::read_cell(cell, ctx.today) {
        Ok(DateRead::Guess(d, guess)) => {
            let key = match guess {
                dates::Guess::MonthFirst => "imp-date-month-first",
                dates::Guess::TwoDigitYear => "imp-date-two-digit-year",
            };
            problems.push(Severity::Error, &row.at(field), cell.shown(), key).fix(d.to_string());
            ctx.accept_fixes.then_some(DateRead::Date(d))
        }
        Ok(read) => Some(read),
        Err(e) => {
            let key = if e == DateError::Impossible { "imp-date-impossible" } else { "imp-date-unreadable" };
            problems.push(Severity::Error, &row.at(field), cell.shown(), key);
            None
        }
    }
}

/// The staff and households of the workbook by ID, and its staff by name: each child row
/// looks its worker and household up (a scan of 50,000 households per child was most of the
/// time of a 100,000-row check).
struct Known<'a> {
    staff: HashSet<&'a str>,
    staff_names: Vec<(String, &'a str)>,
    households: HashMap<&'a str, Option<krousar_domain::choices::LivingArrangement>>,
}

impl<'a> Known<'a> {
    fn of(staff: &'a [super::StaffPlan], households: &'a [super::HouseholdPlan]) -> Known<'a> {
        Known {
            staff: staff.iter().map(|s| s.external_id.as_str()).collect(),
            staff_names: staff.iter().map(|s| (s.display_name.to_lowercase(), s.external_id.as_str())).collect(),
            households: households.iter().map(|h| (h.external_id.as_str(), h.living)).collect(),
        }
    }
}

/// Who a worker column names: a staff row of this workbook or a user of the organisation.
fn worker(row: &MappedRow, ctx: &Context, plan: &Known, problems: &mut Problems) -> Result<Worker, ()> {
    let by_id = row.text(Field::WorkerId).map(|id| {
        if plan.staff.contains(id.as_str()) {
            Some(Worker::Imported(id))
        } else {
            ctx.users
                .iter()
                .find(|u| u.external_id.as_deref() == Some(id.as_str()) || u.username == id.to_lowercase())
                .map(|u| Worker::Existing(u.id))
        }
    });
    let by_name = row.text(Field::WorkerName).map(|name| {
        let n = name.to_lowercase();
        let matches = |display: &str| {
            let d = display.to_lowercase();
            d == n || d.split_whitespace().next() == Some(n.as_str())
        };
        let mut found: Vec<Worker> =
            plan.staff_names.iter().filter(|(d, _)| matches(d)).map(|(_, id)| Worker::Imported(id.to_string())).collect();
        found.extend(ctx.users.iter().filter(|u| matches(&u.display_name) || u.username == n).map(|u| Worker::Existing(u.id)));
        found
    });
    match (by_id, by_name) {
        (Some(Some(w)), names) => {
            if names.is_some_and(|n| !n.contains(&w)) {
                problems
                    .push(
                        Severity::Warning,
                        &row.at(Field::WorkerName),
                        row.text(Field::WorkerName).unwrap_or_default(),
                        "imp-worker-mismatch",
                    )
                    .arg("id", row.text(Field::WorkerId).unwrap_or_default());
            }
            Ok(w)
        }
        (Some(None), _) => {
            problems
                .push(Severity::Error, &row.at(Field::WorkerId), row.text(Field::WorkerId).unwrap_or_default(), "imp-unknown-worker")
                .fix("");
            if ctx.accept_fixes {
                Ok(Worker::Nobody)
            } else {
                Err(())
            }
        }
        (None, Some(found)) if found.len() == 1 => Ok(found.into_iter().next().expect("one")),
        (None, Some(found)) => {
            let key = if found.is_empty() { "imp-unknown-worker" } else { "imp-worker-ambiguous" };
            problems.push(Severity::Error, &row.at(Field::WorkerName), row.text(Field::WorkerName).unwrap_or_default(), key).fix("");
            if ctx.accept_fixes {
                Ok(Worker::Nobody)
            } else {
                Err(())
            }
        }
        (None, None) => Ok(Worker::Nobody),
    }
}

/// The household a child row names, by ID or (OSCaR) by the family's name.
fn household(row: &MappedRow, ctx: &Context, plan: &Known, problems: &mut Problems) -> Result<Option<String>, ()> {
    let (id, field) = match (row.text(Field::ChildHouseholdId), row.text(Field::ChildHouseholdName)) {
        (Some(id), _) => (id, Field::ChildHouseholdId),
        (None, Some(name)) => (derived_id("family", &[&name]), Field::ChildHouseholdName),
        (None, None) => return Ok(None),
    };
    if plan.households.contains_key(id.as_str()) || ctx.imported.contains(&(KIND_HOUSEHOLD.to_string(), id.clone())) {
        return Ok(Some(id));
    }
    problems.push(Severity::Error, &row.at(field), row.text(field).unwrap_or_default(), "imp-unknown-household").fix("");
    if ctx.accept_fixes {
        Ok(None)
    } else {
        Err(())
    }
}

/// The case a row's referral columns open, if it has any.
fn intake(
    row: &MappedRow,
    ctx: &Context,
    problems: &mut Problems,
    extra: &mut serde_json::Map<String, Value>,
) -> Result<Option<krousar_domain::case::entries::Intake>, ()> {
    let opened = row.cell(Field::OpenedOn).is_some();
    let (category, source) = (row.text(Field::ReferralCategory), row.text(Field::ReferralSource));
    if !opened && category.is_none() && source.is_none() {
        return Ok(None);
    }
    // OSCaR's category is often a broad "Friend" or "Other" while the source says "Hospital":
    // the more specific of the two is kept.
    let read: Vec<_> = [&category, &source].into_iter().filter_map(|v| v.as_deref().and_then(values::referral_source)).collect();
    let mapped = read.iter().copied().find(|s| *s != ReferralSource::Other).or(read.first().copied());
    if let Some(s) = &source {
        extra.insert("referral_source".into(), Value::String(s.clone()));
    }
    let source_code = match mapped {
        Some(s) => Some(s.code().to_string()),
        None => {
            let (field, value) =
                if category.is_some() { (Field::ReferralCategory, category.clone()) } else { (Field::ReferralSource, source.clone()) };
            problems.push(Severity::Warning, &row.at(field), value.unwrap_or_default(), "imp-referral-other");
            Some("other".into())
        }
    };
    let opened_on = match date(row, Field::OpenedOn, ctx, problems) {
        Some(DateRead::Date(d)) => Some(d.to_string()),
        Some(_) => {
            problems.push(Severity::Error, &row.at(Field::OpenedOn), row.text(Field::OpenedOn).unwrap_or_default(), "imp-date-unreadable");
            return Err(());
        }
        None if opened => return Err(()),
        None => {
            problems.push(Severity::Error, &row.at(Field::OpenedOn), "", "imp-required");
            return Err(());
        }
    };
    let route =
        row.text(Field::Route).map(|r| values::route(&r).map(|r| r.code().to_string()).unwrap_or(r)).unwrap_or_else(|| "report".into());
    let input = IntakeInput {
        route: Some(route),
        referral_source: source_code,
        opened_on,
        summary: row.text(Field::CaseSummary),
        immediate_safety: None,
        rci_id: None,
    };
    match input.validate(ctx.today) {
        Ok(intake) => Ok(Some(intake)),
        Err(invalid) => {
            for e in invalid.errors {
                let f = field_of_form(e.field);
                problems.push(Severity::Error, &row.at(f), row.text(f).unwrap_or_default(), e.code);
            }
            Err(())
        }
    }
}

/// The child's identity for spotting the same child twice in one workbook.
fn identity(input: &ChildInput) -> String {
    let names = [&input.family_name_km, &input.given_name_km, &input.family_name_latin, &input.given_name_latin];
    // The person-name keys registration's search uses: spellings of one name agree.
    let keys = krousar_match::name_keys(names.iter().filter_map(|n| n.as_deref()));
    format!("{}|{}|{}", keys, input.date_of_birth.clone().unwrap_or_default(), input.estimated_birth_year.clone().unwrap_or_default())
}

pub fn check(m: &Mapped, ctx: &Context, plan: &mut Plan, counts: &mut Counts, problems: &mut Problems, tick: &mut dyn FnMut(usize)) {
    let Plan { staff, households, children } = plan;
    let known = Known::of(staff, households);
    let mut ids: HashSet<String> = HashSet::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut made_up = 0;
    for (n, row) in m.rows.iter().enumerate() {
        if n % 1000 == 999 {
            tick(1000);
        }
        let names = [Field::GivenNameLatin, Field::FamilyNameLatin, Field::GivenNameKm, Field::FamilyNameKm]
            .map(|f| row.text(f).unwrap_or_default());
        let (id, derived) = match row.text(Field::ChildId) {
            Some(id) => (id, false),
            None => {
                let birth = row.cell(Field::DateOfBirth).map(|c| c.shown()).unwrap_or_default();
                (derived_id("child", &[&names[0], &names[1], &names[2], &names[3], &birth]), true)
            }
        };
        if ctx.imported.contains(&(KIND_CHILD.to_string(), id.clone())) {
            counts.already_imported += 1;
            continue;
        }
        if !ids.insert(id.clone()) {
            let column = if derived { Field::GivenNameLatin } else { Field::ChildId };
            problems.push(Severity::Error, &row.at(column), row.text(column).unwrap_or_default(), "imp-duplicate-id");
            continue;
        }
        made_up += usize::from(derived);
        let (mut sex_reported, mut date_reported) = (false, false);
        let sex = match row.text(Field::Sex) {
            None => None,
            Some(s) => match values::sex(&s) {
                Some(sex) => Some(sex.code().to_string()),
                None => {
                    problems.push(Severity::Error, &row.at(Field::Sex), &s, "imp-sex-unknown");
                    sex_reported = true;
                    None
                }
            },
        };
        let (mut date_of_birth, mut estimated_birth_year) = (None, None);
        match date(row, Field::DateOfBirth, ctx, problems) {
            Some(DateRead::Date(d)) => date_of_birth = Some(d.to_string()),
            Some(DateRead::Year(y)) => estimated_birth_year = Some(y.to_string()),
            Some(DateRead::Guess(..)) => unreachable!("guesses are settled by `date`"),
            // Unreadable, or a guess waiting for its fix: reported, and not again as missing.
            None => date_reported = row.cell(Field::DateOfBirth).is_some(),
        }
        let place = address::resolve(row, ctx, problems);
        let id_poor = row.text(Field::ChildIdPoor).map(|v| values::id_poor(&v).map(|p| p.code().to_string()).unwrap_or(v));
        let input = ChildInput {
            given_name_km: row.text(Field::GivenNameKm),
            family_name_km: row.text(Field::FamilyNameKm),
            given_name_latin: row.text(Field::GivenNameLatin),
            family_name_latin: row.text(Field::FamilyNameLatin),
            nickname: row.text(Field::Nickname),
            sex: sex.clone(),
            date_of_birth,
            estimated_birth_year,
            id_poor,
            disability: row.text(Field::Disability),
            birth_certificate_number: row.text(Field::BirthCertificate),
            village_code: place.village_code.clone(),
            ..ChildInput::default()
        };
        let mut extra = row.extra();
        for (field, key) in [(Field::CarerName, "carer_name"), (Field::CarerPhone, "carer_phone")] {
            if let Some(v) = row.text(field) {
                extra.insert(key.into(), Value::String(v));
            }
        }
        let worker = worker(row, ctx, &known, problems);
        let household = household(row, ctx, &known, problems);
        let case = intake(row, ctx, problems, &mut extra);
        let fields = match input.validate(ctx.today) {
            Ok(f) => Some(f),
            Err(invalid) => {
                for e in invalid.errors {
                    // Reported above in the workbook's words.
                    if (e.field == "sex" && sex_reported) || (e.code == "err-birth-required" && date_reported) {
                        continue;
                    }
                    let f = field_of_form(e.field);
                    problems.push(Severity::Error, &row.at(f), row.text(f).unwrap_or_default(), e.code);
                }
                None
            }
        };
        // A child of a family whose type the workbook gives lives as that type says.
        let fields = fields.map(|mut f| {
            if let Ok(Some(h)) = &household {
                if let Some(Some(living)) = known.households.get(h.as_str()) {
                    f.living_arrangement = *living;
                }
            }
            f
        });
        let key = identity(&input);
        if let Some(first) = seen.get(&key) {
            problems
                .push(Severity::Warning, &row.at(Field::GivenNameLatin), names.join(" ").trim(), "imp-duplicate-in-file")
                .arg("row", first.to_string());
        } else {
            seen.insert(key, row.number);
        }
        let ok = !sex_reported && !date_reported;
        if let (true, Some(fields), Ok(worker), Ok(household), Ok(case)) = (ok, fields, worker, household, case) {
            children.push(ChildPlan {
                sheet: m.name.clone(),
                row: row.number,
                external_id: id,
                fields,
                area_code: place.area_code,
                household,
                worker,
                case,
                extra,
            });
        }
    }
    tick(m.rows.len() % 1000);
    if made_up > 0 {
        let at = At { sheet: m.name.clone(), row: 0, column: String::new() };
        problems.push(Severity::Note, &at, "", "imp-ids-made").arg("count", made_up.to_string());
    }
}

/// The `cases` sheet of Krousar's template: a case for a child of the workbook.
pub fn check_cases(m: &Mapped, ctx: &Context, plan: &mut Plan, counts: &mut Counts, problems: &mut Problems) {
    // Each case row finds its child by ID: indexed once, not searched for each row.
    let index: HashMap<String, usize> = plan.children.iter().enumerate().map(|(i, c)| (c.external_id.clone(), i)).collect();
    for row in &m.rows {
        let Some(id) = row.text(Field::CaseChildId) else {
            problems.push(Severity::Error, &row.at(Field::CaseChildId), "", "imp-required");
            continue;
        };
        if ctx.imported.contains(&(format!("{KIND_CHILD}-case"), id.clone())) {
            counts.already_imported += 1;
            continue;
        }
        let mut extra = serde_json::Map::new();
        let Ok(case) = intake(row, ctx, problems, &mut extra) else { continue };
        match index.get(&id).map(|i| &mut plan.children[*i]) {
            Some(child) if child.case.is_none() => child.case = case,
            Some(_) => {
                problems.push(Severity::Error, &row.at(Field::CaseChildId), &id, "imp-case-twice");
            }
            None => {
                problems.push(Severity::Error, &row.at(Field::CaseChildId), &id, "imp-unknown-child");
            }
        }
    }
}
