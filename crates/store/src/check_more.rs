//! The rules of `krousar check` about visits, merged records and figures (`check.rs` has the
//! living situation, the stays and the stages).

use crate::check::CheckReport;
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::figures::GroupBy;
use crate::indicators::query::{day_literal, resident_on};
use chrono::{Datelike, NaiveDate};
use krousar_domain::case::CaseEntry;
use krousar_domain::figures::Count;
use krousar_domain::indicators::{Indicator, Period};
use std::collections::HashMap;
use uuid::Uuid;

/// Tables whose rows belong to one child: after a merge they follow the child kept, so none
/// may point at a merged record (nor at one that does not exist).
const CHILD_TABLES: [&str; 10] = [
    "cases",
    "case_entries",
    "case_approvals",
    "case_tasks",
    "follow_up_visits",
    "attachments",
    "residence_periods",
    "household_children",
    "child_flags",
    "record_form_answers",
];

/// A visit fulfils at most one due visit, on its own date, within the organisation's window
/// (`schedule::slot_fulfilled`); no due visit is done without a visit.
pub(crate) async fn visits(store: &Store, r: &mut CheckReport) -> Result<(), StoreError> {
    let twice = sqlx::query(
        "SELECT child_id, visit_entry_id, COUNT(*) AS n FROM follow_up_visits WHERE visit_entry_id IS NOT NULL \
         GROUP BY child_id, visit_entry_id HAVING COUNT(*) > 1",
    )
    .fetch_all(&store.pool)
    .await?;
    let done: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follow_up_visits WHERE done_on IS NOT NULL").fetch_one(&store.pool).await?;
    r.looked("visit_once", done);
    r.looked("visit_window", done);
    for row in &twice {
        r.found("visit_once", row.text("child_id")?, format!("one visit fulfils {} due visits", row.int("n")?));
    }
    let mut windows: HashMap<Uuid, u32> = HashMap::new();
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM children").fetch_one(&store.pool).await?;
    let mut lo = 0i64;
    // A nation holds millions of visits: read them a slice of children at a time.
    while lo < max.unwrap_or(0) {
        let rows = sqlx::query(
            "SELECT v.child_id, v.due_on, v.done_on, v.visit_entry_id, e.occurred_on, c.org_id FROM children c \
             JOIN follow_up_visits v ON v.child_id = c.id LEFT JOIN case_entries e ON e.id = v.visit_entry_id \
             WHERE v.done_on IS NOT NULL AND c.seq > $1 AND c.seq <= $2",
        )
        .bind(lo)
        .bind(lo + CHUNK)
        .fetch_all(&store.pool)
        .await?;
        lo += CHUNK;
        visits_window(store, r, &rows, &mut windows).await?;
    }
    Ok(())
}

/// Rows read per statement when walking the children.
const CHUNK: i64 = 20_000;

async fn visits_window(
    store: &Store,
    r: &mut CheckReport,
    rows: &[sqlx::any::AnyRow],
    windows: &mut HashMap<Uuid, u32>,
) -> Result<(), StoreError> {
    for row in rows {
        let child = row.text("child_id")?;
        let (due, done) = (row.text("due_on")?, row.text("done_on")?);
        let Some(visited) = row.opt_text("occurred_on")? else {
            r.found("visit_window", &child, format!("the visit due {due} is marked done on {done} without a visit"));
            continue;
        };
        if visited != done {
            r.found("visit_window", &child, format!("the visit due {due} is marked done on {done}, the visit was on {visited}"));
            continue;
        }
        let org = row.uuid("org_id")?;
        let window = match windows.get(&org) {
            Some(w) => *w,
            None => *windows.entry(org).or_insert(store.case_settings(org).await?.visit_window_days),
        };
        let (Some(d), Some(v)) = (day(&due), day(&visited)) else { continue };
        if (d - v).num_days().abs() > i64::from(window) {
            r.found("visit_window", &child, format!("a visit on {v} fulfils the one due {d}, more than {window} days away"));
        }
    }
    Ok(())
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// No record belongs to a merged child or to one that does not exist.
pub(crate) async fn merged(store: &Store, r: &mut CheckReport) -> Result<(), StoreError> {
    // (table, the column naming the child, which rows name one): a profile photo names its
    // record by kind and id.
    // A record form's answer names a child, a household or a carer: only the first kind here.
    let tables = CHILD_TABLES
        .iter()
        .map(|t| (*t, "child_id", if *t == "record_form_answers" { "t.child_id IS NOT NULL" } else { "1 = 1" }))
        .chain([("profile_photos", "owner_id", "t.owner_type = 'child'")]);
    for (table, column, which) in tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT t.{column} AS child_id, c.merged_into FROM {table} t LEFT JOIN children c ON c.id = t.{column} \
             WHERE {which} AND (c.id IS NULL OR c.merged_into IS NOT NULL)"
        )))
        .fetch_all(&store.pool)
        .await?;
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} t WHERE {which}"))).fetch_one(&store.pool).await?;
        r.looked("merged_reference", n);
        for row in &rows {
            let what = match row.opt_text("merged_into")? {
                Some(into) => format!("a row of {table} belongs to a record merged into {into}"),
                None => format!("a row of {table} belongs to a child that does not exist"),
            };
            r.found("merged_reference", row.text("child_id")?, what);
        }
    }
    Ok(())
}

/// A few days to compare on: today, the end of the last quarter, a year ago.
fn sample_days(today: NaiveDate) -> Vec<NaiveDate> {
    let quarter_start = NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1).unwrap_or(today);
    vec![today, quarter_start.pred_opt().unwrap_or(today), today - chrono::Duration::days(365)]
}

/// The same figure on every view: the RCIs' residents (RCI pages) add up to the indicator
/// "living in an RCI" on each sample day; the figures page and the dashboard's national figures
/// (the indicators) agree today wherever both show the number.
pub(crate) async fn figures(store: &Store, r: &mut CheckReport, today: NaiveDate) -> Result<(), StoreError> {
    for d in sample_days(today) {
        r.looked("figures_agree", 1);
        let lit = day_literal(d);
        let indicator: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM children c WHERE c.merged_into IS NULL AND {}",
            resident_on(&lit)
        )))
        .fetch_one(&store.pool)
        .await?;
        let rcis: Vec<String> = sqlx::query_scalar("SELECT id FROM rcis").fetch_all(&store.pool).await?;
        let mut residents = 0;
        for rci in rcis {
            residents += store.count_residents_on(rci.parse().map_err(|_| StoreError::Corrupt("rci id".into()))?, d).await?;
        }
        if residents != indicator {
            r.found(
                "figures_agree",
                format!("in_rci {d}"),
                format!("the RCIs' residents add up to {residents}, the indicator says {indicator}"),
            );
        }
    }
    // As the ministry sees them: the figures page (the quarter's, as of its national day) and
    // the indicators the dashboard shows for the quarter (as of the same day).
    let page = store.national_figures(GroupBy::Province, today).await?;
    let which = [(Indicator::InRci, "in_rci"), (Indicator::OpenCases, "open_cases")];
    let dash = store.national_counts(&which.map(|(i, _)| i), Period { from: today, to: today }, today).await?;
    for ((i, metric), b) in which.iter().zip(&dash) {
        r.looked("figures_agree", 1);
        let Some(m) = crate::figures::METRICS.iter().position(|x| x == metric) else { continue };
        let a: Count = page.total.cells[m];
        let b = *b;
        let totals_differ = !a.suppressed && !b.suppressed && a.total != b.total;
        let girls_differ = !a.any_hidden() && !b.any_hidden() && a.female != b.female;
        if totals_differ || girls_differ {
            r.found(
                "figures_agree",
                format!("{} {today}", i.code()),
                format!("the figures page says {} ({}F), the dashboard {} ({}F)", a.total, a.female, b.total, b.female),
            );
        }
    }
    Ok(())
}

/// Every case entry reads back as a typed record (`CaseEntry::decode`), and the columns
/// reports count by (placement kind, tracing outcome, service and provider, who visited and
/// how) are the record's.
pub(crate) async fn case_entries(store: &Store, r: &mut CheckReport) -> Result<(), StoreError> {
    let mut lo = 0i64;
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM case_entries").fetch_one(&store.pool).await?;
    while lo < max.unwrap_or(0) {
        let rows = sqlx::query(
            "SELECT id, child_id, kind, body, placement_kind, tracing_outcome, service_kind, service_provider, visit_by, visit_mode, \
             form_id FROM case_entries WHERE seq > $1 AND seq <= $2",
        )
        .bind(lo)
        .bind(lo + 20_000)
        .fetch_all(&store.pool)
        .await?;
        r.looked("case_entries", rows.len() as i64);
        for row in &rows {
            let (id, child) = (row.text("id")?, row.text("child_id")?);
            let entry = match CaseEntry::decode(&row.text("kind")?, &row.text("body")?) {
                Ok(e) => e,
                Err(why) => {
                    r.found("case_entries", &child, format!("entry {id} cannot be read: {why}"));
                    continue;
                }
            };
            for (column, want) in entry.facts().columns() {
                let stored = row.opt_text(column)?;
                if stored != want {
                    r.found("case_entries", &child, format!("entry {id}: {column} is {stored:?}, its record says {want:?}"));
                }
            }
        }
        lo += 20_000;
    }
    Ok(())
}

/// Every child's cash support reads back as a typed state, and the day it was granted, which
/// reports count by, is the state's.
pub(crate) async fn cash(store: &Store, r: &mut CheckReport) -> Result<(), StoreError> {
    // In pages by child, as the other rules walk their tables: a nation's states are not read at once.
    let mut after = String::new();
    loop {
        let rows = sqlx::query("SELECT child_id, state, granted_on FROM cash_support WHERE child_id > $1 ORDER BY child_id LIMIT 5000")
            .bind(&after)
            .fetch_all(&store.pool)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.text("child_id")?;
        r.looked("cash_support", rows.len() as i64);
        for row in &rows {
            let child = row.text("child_id")?;
            let state: krousar_domain::cash::CashSupport = match serde_json::from_str(&row.text("state")?) {
                Ok(s) => s,
                Err(e) => {
                    r.found("cash_support", &child, format!("the cash support cannot be read: {e}"));
                    continue;
                }
            };
            let (stored, want) = (row.opt_text("granted_on")?, crate::cash::granted_on(&state));
            if stored != want {
                r.found("cash_support", &child, format!("granted_on is {stored:?}, the state says {want:?}"));
            }
        }
    }
    // A database without cash support still shows the rule, checked on nothing.
    r.looked("cash_support", 0);
    Ok(())
}

/// Each fact a case's stage is derived from has its evidence among the case's records: assessed
/// by an assessment, a plan by a care plan, the placement by its entry, an approval flag by an
/// approved request of its kind (the stage rule then proves the stage follows the facts).
pub(crate) async fn case_facts(store: &Store, r: &mut CheckReport) -> Result<(), StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(&store.pool).await?;
    r.looked("case_facts", n);
    let entry = |kinds: &str| format!("EXISTS (SELECT 1 FROM case_entries e WHERE e.child_id = k.child_id AND e.kind IN ({kinds}))");
    let approved = |kind: &str| {
        format!("EXISTS (SELECT 1 FROM case_approvals a WHERE a.child_id = k.child_id AND a.kind = '{kind}' AND a.state = 'approved')")
    };
    let rules = [
        ("assessed = 1", entry("'risk', 'csi', 'assessment', 'family_assessment', 'readiness'"), "assessed without an assessment"),
        ("has_care_plan = 1", entry("'care_plan'"), "a care plan without one recorded"),
        ("assessment_approved = 1", approved("assessment"), "the assessment approved without an approval"),
        ("care_plan_approved = 1", approved("care_plan"), "the care plan approved without an approval"),
        ("placement_approved = 1", approved("placement"), "the placement approved without an approval"),
        (
            "placement_id IS NOT NULL",
            "EXISTS (SELECT 1 FROM case_entries e WHERE e.id = k.placement_id AND e.child_id = k.child_id AND e.kind = 'placement')"
                .to_string(),
            "the placement is not one of the case's records",
        ),
    ];
    for (flag, evidence, what) in rules {
        let rows: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT k.child_id FROM cases k WHERE k.{flag} AND NOT {evidence} LIMIT 100")))
                .fetch_all(&store.pool)
                .await?;
        for child in rows {
            r.found("case_facts", child, what.to_string());
        }
    }
    Ok(())
}

/// A form's answer on a record is kept with its form's organisation, on a record of the kind
/// the form is for, and (a household or a carer, which never change organisation) of that same
/// organisation. A child's record may have moved with a transfer since; its answers stay its.
pub(crate) async fn form_answer_owner(store: &Store, r: &mut CheckReport) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.org_id, f.org_id AS form_org, f.target, COALESCE(h.org_id, k.org_id) AS family_org, \
         CASE WHEN a.child_id IS NOT NULL THEN 'child' WHEN a.household_id IS NOT NULL THEN 'household' ELSE 'carer' END AS kind \
         FROM record_form_answers a JOIN custom_forms f ON f.id = a.form_id \
         LEFT JOIN households h ON h.id = a.household_id LEFT JOIN carers k ON k.id = a.carer_id",
    )
    .fetch_all(&store.pool)
    .await?;
    r.looked("form_answer_owner", rows.len() as i64);
    for row in &rows {
        let (org, kind) = (row.text("org_id")?, row.text("kind")?);
        let problem = if row.text("form_org")? != org {
            Some("an answer is kept with another organisation than its form's".to_string())
        } else if row.text("target")? != kind {
            Some(format!("an answer to a form for a {} is kept on a {kind}'s record", row.text("target")?))
        } else if row.opt_text("family_org")?.is_some_and(|o| o != org) {
            Some(format!("an answer is kept on a {kind} of another organisation"))
        } else {
            None
        };
        if let Some(what) = problem {
            r.found("form_answer_owner", row.text("id")?, what);
        }
    }
    Ok(())
}
