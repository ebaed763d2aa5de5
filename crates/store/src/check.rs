//! `krousar check`: walks a whole database and proves that derived state follows from the one
//! source of facts (issue 21). Every finding names the rule, the record and what disagrees;
//! the command exits non-zero on any, and a system administrator's page shows the same report.
//!
//! The rules are the domain's own functions asked again of what is stored, never a second
//! copy of them: `living::living_now`, `Stage::derive`, the visit window of
//! `schedule::slot_fulfilled`, the indicators' definition of "living in an RCI".

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use chrono::NaiveDate;
use krousar_domain::case::Stage;
use krousar_domain::choices::LivingArrangement;
use krousar_domain::living::{living_now, LivingFacts};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Rows read per statement when walking a large table.
const CHUNK: i64 = 20_000;
/// Findings kept per rule (the count goes on): a damaged nation must not fill the report.
const KEEP: usize = 50;

/// One thing that does not agree.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// The rule broken (stable code, also the key of its description in the pages).
    pub rule: &'static str,
    /// The record: a child's id, an RCI's, an audit entry's number, a figure's name.
    pub record: String,
    /// What disagrees, in plain words (English: a report for administrators and logs).
    pub detail: String,
}

/// What `check` found: records examined per rule, findings per rule, the first findings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub checked: BTreeMap<&'static str, i64>,
    pub counts: BTreeMap<&'static str, i64>,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.counts.values().all(|n| *n == 0)
    }

    pub(crate) fn looked(&mut self, rule: &'static str, n: i64) {
        *self.checked.entry(rule).or_default() += n;
        self.counts.entry(rule).or_default();
    }

    pub(crate) fn found(&mut self, rule: &'static str, record: impl ToString, detail: String) {
        let n = self.counts.entry(rule).or_default();
        *n += 1;
        if self.findings.iter().filter(|f| f.rule == rule).count() < KEEP {
            self.findings.push(Finding { rule, record: record.to_string(), detail });
        }
    }
}

/// Every rule `check` proves, in the order it reports them.
pub const RULES: [&str; 13] = [
    "case_entries",
    "living_record",
    "stays_overlap",
    "stay_dates",
    "placement_ends_stay",
    "case_facts",
    "stage",
    "visit_once",
    "visit_window",
    "merged_reference",
    "form_answer_owner",
    "figures_agree",
    "audit_chain",
];

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl Store {
    /// `check` for a person: only a system administrator runs it (its findings name records
    /// of every organisation), and each run is audited with what it found.
    pub async fn check_as(&self, actor: &krousar_domain::Actor, today: NaiveDate) -> Result<CheckReport, StoreError> {
        use krousar_domain::policy::{decide, Target};
        if !decide(actor, krousar_domain::Action::ManageOrgs, Target::Nothing).allowed() {
            return Err(StoreError::Forbidden);
        }
        let report = self.check(today).await?;
        let detail = serde_json::json!({"counts": report.counts});
        let entry = crate::audit::Entry { action: "system.check", record_type: "system", record_id: None, detail };
        self.audit_read(actor.into(), entry).await?;
        Ok(report)
    }

    /// Walk the whole database (see the module's comment). Reads only.
    pub async fn check(&self, today: NaiveDate) -> Result<CheckReport, StoreError> {
        let mut r = CheckReport::default();
        crate::check_more::case_entries(self, &mut r).await?;
        crate::check_more::cash(self, &mut r).await?;
        self.check_living(&mut r).await?;
        self.check_stays(&mut r).await?;
        crate::check_more::case_facts(self, &mut r).await?;
        self.check_stages(&mut r).await?;
        crate::check_more::visits(self, &mut r).await?;
        crate::check_more::merged(self, &mut r).await?;
        crate::check_carried::carried(self, &mut r).await?;
        crate::check_more::form_answer_owner(self, &mut r).await?;
        crate::check_more::figures(self, &mut r, today).await?;
        let v = crate::audit::verify(self).await?;
        r.looked("audit_chain", v.entries);
        if let Some(at) = v.broken_at {
            r.found("audit_chain", at, format!("the audit chain breaks at entry {at}: {:?}", v.why));
        }
        Ok(r)
    }

    /// The record's living situation and RCI are what the stays and the placement say.
    async fn check_living(&self, r: &mut CheckReport) -> Result<(), StoreError> {
        let mut lo = 0i64;
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM children").fetch_one(&self.pool).await?;
        while lo < max.unwrap_or(0) {
            let rows = sqlx::query(
                "SELECT c.id, c.living_arrangement, c.rci_id, k.placement_kind, k.placement_approved, \
                 (SELECT MIN(p.rci_id) FROM residence_periods p WHERE p.child_id = c.id AND p.left_on IS NULL) AS open_rci \
                 FROM children c LEFT JOIN cases k ON k.child_id = c.id WHERE c.merged_into IS NULL AND c.seq > $1 AND c.seq <= $2",
            )
            .bind(lo)
            .bind(lo + CHUNK)
            .fetch_all(&self.pool)
            .await?;
            r.looked("living_record", rows.len() as i64);
            for row in &rows {
                let id = row.text("id")?;
                let recorded = row.code("living_arrangement", LivingArrangement::parse).map_err(|e| e.within(format!("child {id}")))?;
                let kind = row
                    .opt_code("placement_kind", krousar_domain::case::entries::PlacementType::parse)
                    .map_err(|e| e.within(format!("case of child {id}")))?;
                let approved = row.opt_int("placement_approved")?.unwrap_or(0) == 1;
                let open = row.opt_uuid("open_rci")?;
                let f = LivingFacts { open_stay: open, family_placement: approved && kind.is_some_and(|k| k.family_based()), recorded };
                let (living, rci) = living_now(f);
                let rci_now = row.opt_uuid("rci_id")?;
                if living != recorded || rci != rci_now {
                    let says =
                        |l: LivingArrangement, r: Option<Uuid>| format!("{}{}", l.code(), r.map(|r| format!(" ({r})")).unwrap_or_default());
                    r.found(
                        "living_record",
                        &id,
                        format!("the record says {}, the stays and placement say {}", says(recorded, rci_now), says(living, rci)),
                    );
                }
            }
            lo += CHUNK;
        }
        Ok(())
    }

    /// Stays of one child never overlap, none ends before it began, and an approved placement
    /// in a family ended the stay it replaced.
    async fn check_stays(&self, r: &mut CheckReport) -> Result<(), StoreError> {
        let rows = sqlx::query("SELECT child_id, entered, left_on FROM residence_periods ORDER BY child_id, entered")
            .fetch_all(&self.pool)
            .await?;
        r.looked("stays_overlap", rows.len() as i64);
        r.looked("stay_dates", rows.len() as i64);
        let mut last: Option<(String, Option<NaiveDate>)> = None;
        for row in &rows {
            let child = row.text("child_id")?;
            let entered = day(&row.text("entered")?);
            let left = row.opt_text("left_on")?.and_then(|d| day(&d));
            if let (Some(e), Some(l)) = (entered, left) {
                if l < e {
                    r.found("stay_dates", &child, format!("a stay ends on {l}, before it began on {e}"));
                }
            }
            if let Some((prev, prev_left)) = &last {
                if *prev == child {
                    match (prev_left, entered) {
                        (None, _) => r.found("stays_overlap", &child, "two stays at once: one has not ended when the next begins".into()),
                        (Some(pl), Some(e)) if *pl > e => {
                            r.found("stays_overlap", &child, format!("a stay begins on {e}, before the last ended ({pl})"))
                        }
                        _ => {}
                    }
                }
            }
            last = Some((child, left));
        }
        let open = sqlx::query(
            "SELECT k.child_id, k.placement_kind, k.placement_started_on, p.entered FROM cases k JOIN residence_periods p ON p.child_id = k.child_id \
             WHERE k.placement_approved = 1 AND p.left_on IS NULL AND k.placement_started_on IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let placed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE placement_approved = 1").fetch_one(&self.pool).await?;
        r.looked("placement_ends_stay", placed);
        for row in &open {
            let kind = row.text("placement_kind")?;
            let family = krousar_domain::case::entries::PlacementType::parse(&kind).is_some_and(|k| k.family_based());
            let started = row.text("placement_started_on")?;
            if family && row.text("entered")? <= started {
                r.found("placement_ends_stay", row.text("child_id")?, format!("placed ({kind}) on {started}, yet still in an RCI"));
            }
        }
        Ok(())
    }

    /// Each case's stage is `Stage::derive` of its facts.
    async fn check_stages(&self, r: &mut CheckReport) -> Result<(), StoreError> {
        let mut lo = 0i64;
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM children").fetch_one(&self.pool).await?;
        while lo < max.unwrap_or(0) {
            let rows = sqlx::query(
                "SELECT k.*, c.date_of_birth AS c_dob, c.estimated_birth_year AS c_year, c.village_code AS c_village \
                 FROM cases k JOIN children c ON c.id = k.child_id WHERE c.seq > $1 AND c.seq <= $2",
            )
            .bind(lo)
            .bind(lo + CHUNK)
            .fetch_all(&self.pool)
            .await?;
            r.looked("stage", rows.len() as i64);
            for row in &rows {
                let mut case = crate::cases::case_from(row)?;
                case.facts.registration_complete =
                    (row.opt_text("c_dob")?.is_some() || row.opt_int("c_year")?.is_some()) && row.opt_text("c_village")?.is_some();
                let derived = Stage::derive(&case.facts);
                if derived != case.stage {
                    r.found("stage", case.child_id, format!("stage {} stored, its facts give {}", case.stage.code(), derived.code()));
                }
            }
            lo += CHUNK;
        }
        Ok(())
    }
}
