//! The dry run: a workbook checked row by row into a plan of records to create and a report of
//! everything that needs the user's attention. Nothing here touches the database; what the
//! database knows (its users, the IDs earlier imports brought in, the gazetteer) comes in a
//! `Context`, and the check of possible duplicates among existing children is the store's.

mod address;
mod children;
mod households;
mod sheet;
mod staff;

use crate::columns::SheetKind;
use crate::places::Places;
use crate::report::{Counts, Problems, Report, Severity};
use crate::workbook::Workbook;
use chrono::NaiveDate;
use krousar_domain::case::entries::Intake;
use krousar_domain::child::ChildFields;
use krousar_domain::household::HouseholdFields;
use krousar_domain::Role;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use uuid::Uuid;

pub use sheet::{map_sheets, Mapped, MappedRow};

/// A user the organisation already has.
#[derive(Debug, Clone)]
pub struct KnownUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// The staff ID an earlier import gave this user.
    pub external_id: Option<String>,
}

pub struct Context<'a> {
    pub today: NaiveDate,
    pub places: &'a Places,
    /// The organisation's users.
    pub users: &'a [KnownUser],
    /// Every username in the installation (usernames are unique across organisations).
    pub usernames: &'a HashSet<String>,
    /// (record kind, external ID) pairs earlier imports of this organisation brought in.
    pub imported: &'a HashSet<(String, String)>,
    /// Take every suggested fix instead of what the workbook says.
    pub accept_fixes: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaffPlan {
    pub row: u32,
    pub external_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdPlan {
    pub row: u32,
    pub external_id: String,
    pub fields: HouseholdFields,
    /// The place settled when it is coarser than a village (a commune, a district…).
    pub area_code: Option<String>,
    /// Where its children live, from its family type (OSCaR's), if it says.
    pub living: Option<krousar_domain::choices::LivingArrangement>,
    pub extra: Map<String, Value>,
}

/// Who a child is assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Worker {
    Nobody,
    Existing(Uuid),
    /// A staff row of this workbook, by its external ID.
    Imported(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChildPlan {
    pub sheet: String,
    pub row: u32,
    pub external_id: String,
    pub fields: ChildFields,
    pub area_code: Option<String>,
    /// The household (external ID) the child belongs to, from this workbook or an earlier import.
    pub household: Option<String>,
    pub worker: Worker,
    pub case: Option<Intake>,
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub staff: Vec<StaffPlan>,
    pub households: Vec<HouseholdPlan>,
    pub children: Vec<ChildPlan>,
}

/// The kinds of records import keys are kept for.
pub const KIND_STAFF: &str = "staff";
pub const KIND_HOUSEHOLD: &str = "household";
pub const KIND_CHILD: &str = "child";

/// An ID made from a row's content, for rows without one (OSCaR's clients sheet has no ID
/// column): the same row gives the same ID, so a second import finds it.
pub fn derived_id(prefix: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(krousar_match::plain_key(p).as_bytes());
        h.update(b"\x1f");
        h.update(krousar_match::khmer_key(p).as_bytes());
        h.update(b"\x1e");
    }
    format!("{prefix}-{}", &hex::encode(h.finalize())[..16])
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Check a workbook. `progress` is told how many data rows have been checked, out of how many.
pub fn check(file_name: &str, bytes: &[u8], workbook: &Workbook, ctx: &Context, progress: &mut dyn FnMut(usize, usize)) -> (Plan, Report) {
    let mut problems = Problems::default();
    let mapped = sheet::map_sheets(workbook, &mut problems);
    let total: usize = mapped.iter().map(|m| m.rows.len()).sum();
    let mut done = 0;
    let mut tick = |n: usize| {
        done += n;
        progress(done, total);
    };
    let mut plan = Plan::default();
    let mut counts = Counts::default();
    let layout = if workbook.sheets.iter().any(|s| matches!(s.name.to_lowercase().as_str(), "clients" | "families" | "users")) {
        "oscar"
    } else {
        "krousar"
    };
    let of = |kind: SheetKind| mapped.iter().filter(move |m| m.kind == kind);
    for m in of(SheetKind::Staff) {
        staff::check(m, ctx, &mut plan, &mut counts, &mut problems);
        tick(m.rows.len());
    }
    for m in of(SheetKind::Households) {
        households::check(m, ctx, &mut plan, &mut counts, &mut problems);
        tick(m.rows.len());
    }
    for m in of(SheetKind::Children) {
        children::check(m, ctx, &mut plan, &mut counts, &mut problems, &mut tick);
    }
    for m in of(SheetKind::Cases) {
        children::check_cases(m, ctx, &mut plan, &mut counts, &mut problems);
        tick(m.rows.len());
    }
    if total == 0 {
        problems.push(Severity::Error, &Default::default(), "", "imp-nothing-to-import");
    }
    counts.staff = plan.staff.len();
    counts.households = plan.households.len();
    counts.children = plan.children.len();
    counts.cases = plan.children.iter().filter(|c| c.case.is_some()).count();
    let mut report = Report {
        file_sha256: sha256_hex(bytes),
        file_name: file_name.to_string(),
        layout: layout.to_string(),
        rows_read: total,
        counts,
        problems: problems.list,
    };
    report.sort();
    (plan, report)
}
