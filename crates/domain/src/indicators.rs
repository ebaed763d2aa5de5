//! Indicators defined once: a code, what is counted (children, each once), and the date that
//! places a record in a period. The plain-language definition shown to users is the translation
//! `indicator-<code>-def`; storage turns each into one query, and the same query lists the
//! children behind the figure, so a figure and its drill-down always agree.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    /// Children registered in the period.
    Registered,
    /// Children whose family-based placement started in the period.
    Reintegrated,
    /// Children with a follow-up visit done in the period.
    Visited,
    /// Children with a follow-up visit due in the period.
    VisitsDue,
    /// Children whose case was closed in the period.
    Closed,
    /// Children referred to another organisation in the period.
    ReferredOut,
}

impl Indicator {
    pub const ALL: [Indicator; 6] = [
        Indicator::Registered,
        Indicator::Reintegrated,
        Indicator::VisitsDue,
        Indicator::Visited,
        Indicator::Closed,
        Indicator::ReferredOut,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Indicator::Registered => "registered",
            Indicator::Reintegrated => "reintegrated",
            Indicator::Visited => "visited",
            Indicator::VisitsDue => "visits_due",
            Indicator::Closed => "closed",
            Indicator::ReferredOut => "referred_out",
        }
    }

    pub fn parse(code: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("indicator-{}", self.code().replace('_', "-"))
    }

    pub fn definition_key(self) -> String {
        format!("{}-def", self.label_key())
    }
}

/// A period of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The calendar quarter that holds `day`.
    pub fn quarter_of(day: NaiveDate) -> Period {
        let first_month = (day.month0() / 3) * 3 + 1;
        let from = NaiveDate::from_ymd_opt(day.year(), first_month, 1).expect("valid");
        let to = from.checked_add_months(chrono::Months::new(3)).expect("in range") - chrono::Duration::days(1);
        Period { from, to }
    }

    /// From the typed dates; the current quarter when they are missing or reversed.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Period {
        let d = |s: Option<&str>| s.and_then(crate::child::parse_date);
        match (d(from), d(to)) {
            (Some(from), Some(to)) if from <= to => Period { from, to },
            _ => Period::quarter_of(today),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quarters_and_typed_periods() {
        assert_eq!(Period::quarter_of(d("2026-11-23")), Period { from: d("2026-10-01"), to: d("2026-12-31") });
        assert_eq!(Period::quarter_of(d("2026-02-28")), Period { from: d("2026-01-01"), to: d("2026-03-31") });
        assert_eq!(
            Period::parse(Some("2026-01-01"), Some("២០២៦-០៦-៣០"), d("2026-11-23")),
            Period { from: d("2026-01-01"), to: d("2026-06-30") }
        );
        assert_eq!(Period::parse(Some("2026-06-30"), Some("2026-01-01"), d("2026-11-23")), Period::quarter_of(d("2026-11-23")));
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.code()), Some(i));
        }
    }
}
