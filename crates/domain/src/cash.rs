//! Government cash support for children moving from residential care into a family: eligibility
//! (from the placement), the application, the decision, each payment and what is due and unpaid.
//! Amounts are whole riel.

use crate::case::entries::{any_date, past_date};
use crate::choices::pick_list;
use crate::text::{self, SHORT};
use crate::validation::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pick_list!(PaymentStatus, "payment-status", { Paid => "paid", Failed => "failed" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grant {
    pub approved_on: NaiveDate,
    pub monthly_riel: u64,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Payment {
    pub paid_on: NaiveDate,
    pub amount_riel: u64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub paid_to: String,
    pub status: PaymentStatus,
}

/// A child's cash support as recorded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CashSupport {
    pub applied_on: Option<NaiveDate>,
    pub grant: Option<Grant>,
    pub refused: Option<String>,
    pub payments: Vec<Payment>,
}

impl CashSupport {
    pub fn may_apply(&self, eligible: bool) -> Result<(), &'static str> {
        if !eligible {
            return Err("err-cash-not-eligible");
        }
        if self.applied_on.is_some() && self.refused.is_none() {
            return Err("err-cash-applied");
        }
        Ok(())
    }

    pub fn may_decide(&self) -> Result<(), &'static str> {
        match (self.applied_on, &self.grant) {
            (None, _) => Err("err-cash-no-application"),
            (_, Some(_)) => Err("err-cash-decided"),
            _ => Ok(()),
        }
    }

    /// A payment needs an approval, a period inside the approved one, and no period already paid.
    pub fn may_pay(&self, p: &Payment) -> Result<(), &'static str> {
        let Some(g) = &self.grant else { return Err("err-cash-not-approved") };
        if p.period_from < g.from || p.period_to > g.to {
            return Err("err-cash-outside-period");
        }
        if p.status == PaymentStatus::Paid
            && self.payments.iter().any(|q| q.status == PaymentStatus::Paid && q.period_from <= p.period_to && p.period_from <= q.period_to)
        {
            return Err("err-cash-paid-twice");
        }
        Ok(())
    }

    /// Months of the approved period up to `today` that no paid payment covers (first day of
    /// each month), and the amount they come to.
    pub fn unpaid(&self, today: NaiveDate) -> (Vec<NaiveDate>, u64) {
        let Some(g) = &self.grant else { return (Vec::new(), 0) };
        let mut months = Vec::new();
        let mut m = first_of_month(g.from);
        let end = g.to.min(today);
        while m <= end {
            let covered = self.payments.iter().any(|p| p.status == PaymentStatus::Paid && p.period_from <= m && m <= p.period_to);
            if !covered {
                months.push(m);
            }
            m = next_month(m);
        }
        let amount = months.len() as u64 * g.monthly_riel;
        (months, amount)
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

fn next_month(d: NaiveDate) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(1)).expect("in range")
}

fn riel(e: &mut Invalid, field: &'static str, raw: Option<&str>) -> Option<u64> {
    let digits: String = raw.unwrap_or("").chars().filter(|c| !matches!(c, ',' | ' ' | '.' | '៛')).collect();
    match crate::child::parse_number::<u64>(&digits) {
        Some(n) if n > 0 && n <= 100_000_000 => Some(n),
        _ => {
            e.push(field, if digits.is_empty() { "err-required" } else { "err-number" });
            None
        }
    }
}

fn period(e: &mut Invalid, from: Option<&str>, to: Option<&str>) -> Option<(NaiveDate, NaiveDate)> {
    let (from, to) = (any_date(e, "from", from), any_date(e, "to", to));
    match (from, to) {
        (Some(f), Some(t)) if t >= f => Some((f, t)),
        (Some(_), Some(_)) => {
            e.push("to", "err-end-before-start");
            None
        }
        _ => None,
    }
}

pub fn grant(
    approved_on: Option<&str>,
    monthly: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<Grant, Invalid> {
    let mut e = Invalid::default();
    let approved_on = past_date(&mut e, "approved_on", approved_on, today);
    let monthly_riel = riel(&mut e, "monthly_riel", monthly);
    let p = period(&mut e, from, to);
    match (approved_on, monthly_riel, p) {
        (Some(approved_on), Some(monthly_riel), Some((from, to))) if e.errors.is_empty() => {
            Ok(Grant { approved_on, monthly_riel, from, to })
        }
        _ => Err(e),
    }
}

pub struct PaymentInput<'a> {
    pub paid_on: Option<&'a str>,
    pub amount: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub paid_to: Option<&'a str>,
    pub status: Option<&'a str>,
}

pub fn payment(i: PaymentInput<'_>, today: NaiveDate) -> Result<Payment, Invalid> {
    let mut e = Invalid::default();
    let paid_on = past_date(&mut e, "paid_on", i.paid_on, today);
    let amount_riel = riel(&mut e, "amount", i.amount);
    let p = period(&mut e, i.from, i.to);
    let paid_to = text::optional(&mut e, "paid_to", i.paid_to, SHORT);
    if paid_to.is_none() && !e.has("paid_to") {
        e.push("paid_to", "err-required");
    }
    let status = crate::case::entries::optional_pick(&mut e, "status", i.status, PaymentStatus::parse).unwrap_or(PaymentStatus::Paid);
    match (paid_on, amount_riel, p, paid_to) {
        (Some(paid_on), Some(amount_riel), Some((period_from, period_to)), Some(paid_to)) if e.errors.is_empty() => {
            Ok(Payment { paid_on, amount_riel, period_from, period_to, paid_to, status })
        }
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pay(from: &str, to: &str, status: PaymentStatus) -> Payment {
        Payment { paid_on: d("2026-06-01"), amount_riel: 100_000, period_from: d(from), period_to: d(to), paid_to: "Mother".into(), status }
    }

    #[test]
    fn no_payment_before_approval_and_no_month_paid_twice() {
        let mut c = CashSupport::default();
        assert_eq!(c.may_apply(false), Err("err-cash-not-eligible"));
        assert_eq!(c.may_decide(), Err("err-cash-no-application"));
        assert_eq!(c.may_pay(&pay("2026-03-01", "2026-03-31", PaymentStatus::Paid)), Err("err-cash-not-approved"));
        c.applied_on = Some(d("2026-01-10"));
        assert_eq!(c.may_apply(true), Err("err-cash-applied"));
        c.grant = Some(grant(Some("2026-02-01"), Some("100,000"), Some("2026-02-01"), Some("2027-01-31"), d("2026-06-15")).unwrap());
        assert_eq!(c.may_decide(), Err("err-cash-decided"));
        assert_eq!(c.may_pay(&pay("2026-01-01", "2026-01-31", PaymentStatus::Paid)), Err("err-cash-outside-period"));
        c.payments.push(pay("2026-02-01", "2026-03-31", PaymentStatus::Paid));
        assert_eq!(c.may_pay(&pay("2026-03-01", "2026-04-30", PaymentStatus::Paid)), Err("err-cash-paid-twice"));
        assert_eq!(c.may_pay(&pay("2026-03-01", "2026-04-30", PaymentStatus::Failed)), Ok(()), "a failed attempt may be recorded");
        c.payments.push(pay("2026-04-01", "2026-04-30", PaymentStatus::Failed));
        // February and March paid; April failed; May and June due by mid-June.
        let (months, amount) = c.unpaid(d("2026-06-15"));
        assert_eq!(months, vec![d("2026-04-01"), d("2026-05-01"), d("2026-06-01")]);
        assert_eq!(amount, 300_000);
    }

    #[test]
    fn amounts_and_periods_are_checked_as_typed() {
        let today = d("2026-06-15");
        let e = grant(Some("2026-02-01"), Some("0"), Some("2026-03-01"), Some("2026-02-01"), today).unwrap_err();
        assert_eq!(e.for_field("monthly_riel"), Some("err-number"));
        assert_eq!(e.for_field("to"), Some("err-end-before-start"));
        let p = payment(
            PaymentInput {
                paid_on: Some("២០២៦-០៦-០១"),
                amount: Some("150 000៛"),
                from: Some("2026-05-01"),
                to: Some("2026-05-31"),
                paid_to: Some("Grandmother"),
                status: None,
            },
            today,
        )
        .unwrap();
        assert_eq!((p.amount_riel, p.status), (150_000, PaymentStatus::Paid));
        let e = payment(
            PaymentInput { paid_on: Some("2026-07-01"), amount: None, from: None, to: None, paid_to: None, status: Some("lost") },
            today,
        )
        .unwrap_err();
        for (field, code) in
            [("paid_on", "err-date-future"), ("amount", "err-required"), ("paid_to", "err-required"), ("status", "err-invalid-choice")]
        {
            assert_eq!(e.for_field(field), Some(code), "{field}");
        }
    }
}
