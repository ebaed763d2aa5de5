//! Ages and age bands as the field reports them (0–5, 6–11, 12–17, 18+).

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBand {
    Under6,
    From6To11,
    From12To17,
    Adult,
}

impl AgeBand {
    pub const ALL: [AgeBand; 4] = [AgeBand::Under6, AgeBand::From6To11, AgeBand::From12To17, AgeBand::Adult];

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under6 => "0-5",
            AgeBand::From6To11 => "6-11",
            AgeBand::From12To17 => "12-17",
            AgeBand::Adult => "18+",
        }
    }

    pub fn parse(s: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Inclusive age range in whole years.
    pub fn years(self) -> (u32, Option<u32>) {
        match self {
            AgeBand::Under6 => (0, Some(5)),
            AgeBand::From6To11 => (6, Some(11)),
            AgeBand::From12To17 => (12, Some(17)),
            AgeBand::Adult => (18, None),
        }
    }

    /// The birth dates (inclusive range, oldest first) of people in this band on `today`.
    pub fn birth_dates(self, today: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
        let (min, max) = self.years();
        let youngest = years_before(today, min);
        let oldest = max.map(|m| years_before(today, m + 1).succ_opt().unwrap_or(today));
        (oldest, youngest)
    }
}

fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    let y = d.year() - years as i32;
    d.with_year(y).unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 2, 28).expect("valid date"))
}

/// Completed years between birth and `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// For an estimated birth year we assume the middle of the year, the usual convention.
pub fn estimated_birth_date(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 7, 1)
}

pub fn band_of(age: u32) -> AgeBand {
    match age {
        0..=5 => AgeBand::Under6,
        6..=11 => AgeBand::From6To11,
        12..=17 => AgeBand::From12To17,
        _ => AgeBand::Adult,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(age_on(d(2010, 5, 20), d(2026, 5, 19)), 15);
        assert_eq!(age_on(d(2010, 5, 20), d(2026, 5, 20)), 16);
    }

    #[test]
    fn band_birth_dates_agree_with_age() {
        let today = d(2026, 11, 23);
        for band in AgeBand::ALL {
            let (oldest, youngest) = band.birth_dates(today);
            assert_eq!(band_of(age_on(youngest, today)), band);
            if let Some(o) = oldest {
                assert_eq!(band_of(age_on(o, today)), band, "{band:?} oldest {o}");
                assert_ne!(band_of(age_on(o.pred_opt().unwrap(), today)), band);
            }
        }
    }

    #[test]
    fn leap_day_birthdays_do_not_panic() {
        let (_, youngest) = AgeBand::From6To11.birth_dates(d(2028, 2, 29));
        assert_eq!(youngest, d(2022, 2, 28));
    }
}
