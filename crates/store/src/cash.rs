//! Government cash support per child (rules in `krousar_domain::cash`): eligibility follows from
//! the case (a family placement after a stay in an institution), every step is a case write by
//! the case's workers, audited; totals by province and month are counts and sums, never names.

use crate::audit::{self, Entry};
use crate::cases::{open_case_for, refuse_if_closed};
use crate::db::{now_text, RowExt, Store, Tx};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::cash::{CashSupport, Grant, Payment};
use krousar_domain::figures::{suppress_each, Count};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{new_id, Action, Actor, ListScope};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CashView {
    pub support: CashSupport,
    pub eligible: bool,
}

/// Payments of one province in one month.
#[derive(Debug, Clone, Serialize)]
#[serde(into = "CashTotalJson")]
pub struct CashTotal {
    pub province_code: Option<String>,
    pub month: String,
    /// Read only when not `suppressed` (serialised as `null` with why when it is).
    pub children: i64,
    pub amount_riel: i64,
    /// Across organisations, fewer than five children are not shown (nor their amount, which
    /// would tell how many): no child can be singled out.
    pub suppressed: bool,
}

/// A total as data: hidden numbers are `null` with why, never their value nor 0.
#[derive(Serialize, utoipa::ToSchema)]
struct CashTotalJson {
    province_code: Option<String>,
    month: String,
    children: Option<i64>,
    amount_riel: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hidden: Option<&'static str>,
    suppressed: bool,
}

impl From<CashTotal> for CashTotalJson {
    fn from(t: CashTotal) -> CashTotalJson {
        let shown = !t.suppressed;
        CashTotalJson {
            province_code: t.province_code,
            month: t.month,
            children: shown.then_some(t.children),
            amount_riel: shown.then_some(t.amount_riel),
            hidden: t.suppressed.then_some(krousar_domain::figures::HIDDEN_REASON),
            suppressed: t.suppressed,
        }
    }
}

// `CashTotal` is serialised through `CashTotalJson` (`serde(into)`), which the derive cannot follow: its
// schema is `CashTotalJson`'s, under the name `CashTotal`.
impl utoipa::PartialSchema for CashTotal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <CashTotalJson as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for CashTotal {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <CashTotalJson as utoipa::ToSchema>::schemas(schemas)
    }
}

/// An approved family placement after a stay in an institution that has ended (and none
/// open): the same facts the record's living situation follows (`living::facts`).
async fn eligible(tx: &mut Tx, child: Uuid) -> Result<bool, StoreError> {
    let (facts, _, _) = crate::living::facts(tx, child).await?;
    let left = sqlx::query("SELECT COUNT(*) AS n FROM residence_periods WHERE child_id = $1 AND left_on IS NOT NULL")
        .bind(child.to_string())
        .fetch_one(&mut **tx)
        .await?
        .int("n")?;
    Ok(facts.family_placement && facts.open_stay.is_none() && left > 0)
}

async fn state(tx: &mut Tx, child: Uuid) -> Result<(CashSupport, i64), StoreError> {
    let row = sqlx::query("SELECT state, version FROM cash_support WHERE child_id = $1")
        .bind(child.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        None => Ok((CashSupport::default(), 0)),
        Some(r) => Ok((serde_json::from_str(&r.text("state")?).map_err(|e| StoreError::Corrupt(e.to_string()))?, r.int("version")?)),
    }
}

/// The `granted_on` column of a state.
pub(crate) fn granted_on(s: &CashSupport) -> Option<String> {
    s.grant.as_ref().map(|g| g.approved_on.to_string())
}

async fn save(tx: &mut Tx, child: &crate::children::Child, s: &CashSupport, version: i64) -> Result<(), StoreError> {
    let body = serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // What reports count by is a column, written from the typed state (see `check_more::cash`).
    let granted_on = granted_on(s);
    let n = if version == 0 {
        sqlx::query("INSERT INTO cash_support (child_id, org_id, state, granted_on, updated_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(child.id.to_string())
            .bind(child.org_id.to_string())
            .bind(body)
            .bind(granted_on.clone())
            .bind(now_text())
            .execute(&mut **tx)
            .await?
            .rows_affected()
    } else {
        sqlx::query("UPDATE cash_support SET state = $1, granted_on = $2, updated_at = $3, version = version + 1 WHERE child_id = $4 AND version = $5")
            .bind(body)
            .bind(granted_on)
            .bind(now_text())
            .bind(child.id.to_string())
            .bind(version)
            .execute(&mut **tx)
            .await?
            .rows_affected()
    };
    if n != 1 {
        return Err(StoreError::Conflict { current: version });
    }
    Ok(())
}

enum Change {
    Apply(NaiveDate),
    Decide(Result<Grant, String>),
    Pay(Payment),
}

impl Store {
    /// A child's cash support and whether the child is eligible (a read of the child's record).
    pub async fn cash_support(&self, actor: &Actor, child: Uuid) -> Result<CashView, StoreError> {
        let c = self.view_child(actor, child, "cash").await?;
        // Cash support (payments, who was paid, eligibility from the placement) is the case's
        // own people's: a referral's receiver or a transfer's sender reads none of it.
        if !crate::disclosure::of(&c, actor).is_some_and(|d| d.is_full()) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.pool.begin().await?;
        let (support, _) = state(&mut tx, child).await?;
        let eligible = eligible(&mut tx, child).await?;
        Ok(CashView { support, eligible })
    }

    pub async fn apply_for_cash(&self, actor: &Actor, child: Uuid, on: NaiveDate) -> Result<CashView, StoreError> {
        self.cash_change(actor, child, Change::Apply(on)).await
    }

    /// The government's decision: a grant, or a refusal with its reason.
    pub async fn decide_cash(&self, actor: &Actor, child: Uuid, decision: Result<Grant, String>) -> Result<CashView, StoreError> {
        self.cash_change(actor, child, Change::Decide(decision)).await
    }

    pub async fn record_cash_payment(&self, actor: &Actor, child: Uuid, p: Payment) -> Result<CashView, StoreError> {
        self.cash_change(actor, child, Change::Pay(p)).await
    }

    async fn cash_change(&self, actor: &Actor, child_id: Uuid, change: Change) -> Result<CashView, StoreError> {
        let mut tx = self.write().await?;
        let (child, case) = match open_case_for(&mut tx, actor, child_id, Action::WorkCase).await {
            Err(StoreError::Forbidden) => {
                drop(tx);
                return Err(crate::children::refuse(self, actor, "cash.change", "child", child_id).await);
            }
            other => other?,
        };
        refuse_if_closed(&case)?;
        let (mut s, version) = state(&mut tx, child_id).await?;
        // A cash step changes neither the placement nor the stays it depends on.
        let eligible = eligible(&mut tx, child_id).await?;
        let invalid = |field: &'static str, code: &'static str| StoreError::invalid(field, code);
        let action = match change {
            Change::Apply(on) => {
                s.may_apply(eligible).map_err(|c| invalid("applied_on", c))?;
                s.applied_on = Some(on);
                s.refused = None;
                "cash.apply"
            }
            Change::Decide(d) => {
                s.may_decide().map_err(|c| invalid("decision", c))?;
                match d {
                    Ok(g) => s.grant = Some(g),
                    Err(reason) => s.refused = Some(reason),
                }
                "cash.decide"
            }
            Change::Pay(p) => {
                s.may_pay(&p).map_err(|c| invalid("from", c))?;
                sqlx::query(
                    "INSERT INTO cash_payments (id, child_id, org_id, province_code, paid_on, amount_riel, period_from, period_to, status, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(new_id().to_string())
                .bind(child_id.to_string())
                .bind(child.org_id.to_string())
                .bind(child.fields.village_code.as_ref().map(|v| v[..2].to_string()))
                .bind(p.paid_on.to_string())
                .bind(p.amount_riel as i64)
                .bind(p.period_from.to_string())
                .bind(p.period_to.to_string())
                .bind(p.status.code())
                .bind(actor.user_id.to_string())
                .bind(now_text())
                .execute(&mut *tx)
                .await?;
                s.payments.push(p);
                "cash.payment"
            }
        };
        save(&mut tx, &child, &s, version).await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry { action, record_type: "child", record_id: Some(child_id.to_string()), detail: json!({}) },
        )
        .await?;
        tx.commit().await?;
        Ok(CashView { support: s, eligible })
    }

    /// Payments made, by province and month, for the organisation (a manager) or the whole
    /// country (the ministry). Counts and sums only.
    pub async fn cash_totals(&self, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Vec<CashTotal>, StoreError> {
        let national = decide(actor, Action::ViewAggregates, Target::Nothing).allowed();
        if !national && !decide(actor, Action::ViewAggregates, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        // Across organisations only whole months that are over: a window moved by a day, or a
        // month still being paid, could be compared with another to single out one payment.
        let (from, to) = if national { whole_past_months(from, to, krousar_domain::today()) } else { (from, to) };
        let mut q = Sql::new(
            "SELECT province_code, substr(paid_on, 1, 7) AS month, COUNT(DISTINCT child_id) AS children, CAST(SUM(amount_riel) AS BIGINT) AS amount \
             FROM cash_payments WHERE status = 'paid' AND paid_on >= ",
        );
        q.bind_text(from.to_string()).push(" AND paid_on <= ").bind_text(to.to_string());
        if !national {
            q.push(" AND org_id = ").bind_text(actor.org_id.to_string());
        }
        q.push(" GROUP BY province_code, substr(paid_on, 1, 7) ORDER BY month, province_code");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let children = r.int("children")?;
                let mut count = [Count::new(children, 0)];
                if national {
                    suppress_each(&mut count);
                }
                let suppressed = count[0].suppressed;
                Ok(CashTotal {
                    province_code: r.opt_text("province_code")?,
                    month: r.text("month")?,
                    children: count[0].total,
                    amount_riel: if suppressed { 0 } else { r.int("amount")? },
                    suppressed,
                })
            })
            .collect()
    }

    /// Children of the actor's scope with support approved and months due but unpaid.
    pub async fn cash_due(&self, actor: &Actor) -> Result<Vec<(Uuid, String, String, usize, u64)>, StoreError> {
        let today = actor.today();
        let scope = krousar_domain::policy::list_scope(actor, Action::ListChildren);
        if scope == ListScope::Nothing {
            return Err(StoreError::Forbidden);
        }
        let mut q = Sql::new(
            "SELECT c.id, c.case_number, c.given_name_km, c.family_name_km, c.given_name_latin, c.family_name_latin, s.state \
             FROM cash_support s JOIN children c ON c.id = s.child_id WHERE 1 = 1",
        );
        crate::children::scope_sql(&mut q, scope, "c")?;
        q.push(" LIMIT 2000");
        let mut out = Vec::new();
        for r in q.query().fetch_all(&self.pool).await? {
            let s: CashSupport = serde_json::from_str(&r.text("state")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let (months, amount) = s.unpaid(today);
            if !months.is_empty() {
                let name = crate::children::row_name(&r)?;
                out.push((r.uuid("id")?, r.text("case_number")?, name, months.len(), amount));
            }
        }
        out.sort_by_key(|row| std::cmp::Reverse(row.3));
        Ok(out)
    }
}

/// The whole calendar months from `from`'s to `to`'s, leaving out the month of `today` and any
/// after it (national cash figures: no day-by-day window, no month still being paid).
fn whole_past_months(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let first = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let month_end = |d: NaiveDate| first(d).checked_add_months(chrono::Months::new(1)).map_or(d, |n| n - chrono::Duration::days(1));
    (first(from), month_end(to).min(first(today) - chrono::Duration::days(1)))
}

#[cfg(test)]
mod national_cash_tests {
    use super::*;

    #[test]
    fn national_cash_figures_are_whole_months_that_are_over() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-12-06");
        for (from, to) in [("2025-12-06", "2026-12-06"), ("2025-12-07", "2026-12-05"), ("2025-12-01", "2026-11-30")] {
            assert_eq!(whole_past_months(d(from), d(to), today), (d("2025-12-01"), d("2026-11-30")), "{from} – {to}");
        }
        assert_eq!(whole_past_months(d("2026-02-10"), d("2026-03-02"), today), (d("2026-02-01"), d("2026-03-31")));
    }
}
