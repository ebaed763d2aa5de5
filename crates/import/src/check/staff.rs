//! Staff rows (OSCaR's `users`): accounts to create, without a password — an administrator
//! sets one before anyone signs in with them. Usernames are unique in the whole installation;
//! one made from an e-mail address or a name moves aside from a taken one by itself, one the
//! workbook gives must be changed by the user.

use super::{Context, Mapped, Plan, StaffPlan, KIND_STAFF};
use crate::columns::Field;
use crate::report::{Counts, Problems, Severity};
use crate::values;
use serde_json::Value;
use std::collections::HashSet;

/// A username accounts take (`text::valid_username`) made from a name or an e-mail address.
fn clean_username(raw: &str) -> String {
    let kept: String = raw.trim().to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c)).take(40).collect();
    let mut s = kept.trim_matches(['.', '-', '_']).to_string();
    if s.is_empty() {
        s = "user".into();
    }
    while s.len() < 3 {
        s.push('0');
    }
    s
}

fn free(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    (2..).map(|n| format!("{}{n}", &base[..base.len().min(36)])).find(|u| !taken.contains(u)).expect("some number is free")
}

pub fn check(m: &Mapped, ctx: &Context, plan: &mut Plan, counts: &mut Counts, problems: &mut Problems) {
    let mut taken: HashSet<String> = ctx.usernames.clone();
    let mut ids: HashSet<String> = HashSet::new();
    for row in &m.rows {
        let Some(mut id) = row.text(Field::StaffId).or_else(|| row.text(Field::Username)).or_else(|| row.text(Field::Email)) else {
            problems.push(Severity::Error, &row.at(Field::StaffId), "", "imp-required");
            continue;
        };
        if ctx.imported.contains(&(KIND_STAFF.to_string(), id.clone())) {
            counts.already_imported += 1;
            continue;
        }
        if !ids.insert(id.clone()) {
            let fixed = format!("{id}-{}", row.number);
            problems.push(Severity::Error, &row.at(Field::StaffId), &id, "imp-duplicate-id").fix(fixed.clone());
            if !ctx.accept_fixes {
                continue;
            }
            id = fixed;
            ids.insert(id.clone());
        }
        let name = row.text(Field::StaffFullName).or_else(|| {
            let parts: Vec<String> = [row.text(Field::StaffGivenName), row.text(Field::StaffFamilyName)].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        let Some(display_name) = name else {
            problems.push(Severity::Error, &row.at(Field::StaffGivenName), "", "imp-required");
            continue;
        };
        let role = match row.text(Field::Role) {
            None => {
                problems.push(Severity::Error, &row.at(Field::Role), "", "imp-required").fix("social-worker");
                ctx.accept_fixes.then_some(krousar_domain::Role::SocialWorker)
            }
            Some(r) => match values::role(&r) {
                Some(role) => Some(role),
                None => {
                    problems.push(Severity::Error, &row.at(Field::Role), &r, "imp-unknown-value").fix("social-worker");
                    ctx.accept_fixes.then_some(krousar_domain::Role::SocialWorker)
                }
            },
        };
        let Some(role) = role else { continue };
        let username = match row.text(Field::Username) {
            Some(given) => {
                let lower = given.to_lowercase();
                if taken.contains(&lower) || !krousar_domain::text::valid_username(&lower) {
                    let fixed = free(&clean_username(&given), &taken);
                    problems.push(Severity::Error, &row.at(Field::Username), &given, "imp-username-taken").fix(fixed.clone());
                    if !ctx.accept_fixes {
                        continue;
                    }
                    fixed
                } else {
                    lower
                }
            }
            None => {
                let base =
                    row.text(Field::Email).map(|e| e.split('@').next().unwrap_or_default().to_string()).unwrap_or(display_name.clone());
                free(&clean_username(&base), &taken)
            }
        };
        taken.insert(username.clone());
        let mut extra = row.extra();
        for (field, key) in [(Field::Email, "email"), (Field::Manager, "manager")] {
            if let Some(v) = row.text(field) {
                extra.insert(key.into(), Value::String(v));
            }
        }
        plan.staff.push(StaffPlan { row: row.number, external_id: id, username, display_name, role, extra });
    }
}
