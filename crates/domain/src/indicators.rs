//! Indicators defined once: a code, what is counted (children, referrals, carer households,
//! RCIs, people trained, group members or sessions — each once; people reached as a sum), and the date that places a record in a period. The
//! plain-language definition shown to users is the translation `indicator-<code>-def`; storage
//! turns each into one query, and the same query lists the records behind the figure, so a
//! figure and its drill-down always agree. Dimensions say how a figure may be broken down.

use crate::age::AgeBand;
use chrono::{Datelike, NaiveDate};

/// What an indicator counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Child,
    /// Referrals received by the organisation (the child belongs to another organisation).
    Referral,
    CarerHousehold,
    Rci,
    Trainee,
    /// Members of community groups (caregivers at parenting sessions).
    GroupMember,
    /// Sessions community groups held (not people: counted exactly everywhere).
    GroupSession,
    /// People reached at awareness events: each session counts its members who came and the
    /// people it reached who are not members, so a figure is a sum over sessions.
    Reached,
}

impl Unit {
    /// Whether the count can be split by sex ("N (nF)"): households and RCIs have no sex.
    pub fn has_sex(self) -> bool {
        !matches!(self, Unit::CarerHousehold | Unit::Rci | Unit::GroupSession)
    }

    /// Whether a record behind the figure stands for several (a session for the people it
    /// reached): its list then says each record's number, and those numbers add up to the figure.
    pub fn weighted(self) -> bool {
        self == Unit::Reached
    }

    /// Whether the records are people (protected against small counts in national figures).
    pub fn counts_people(self) -> bool {
        !matches!(self, Unit::Rci | Unit::GroupSession)
    }
}

macro_rules! indicators {
    ($($variant:ident => $code:literal, $unit:ident, $section:literal, $at_end:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Indicator { $($variant),+ }

        impl Indicator {
            pub const ALL: &'static [Indicator] = &[$(Indicator::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $(Indicator::$variant => $code),+ }
            }

            pub fn unit(self) -> Unit {
                match self { $(Indicator::$variant => Unit::$unit),+ }
            }

            /// The heading it is listed under (translation `indicator-section-<section>`).
            pub fn section(self) -> &'static str {
                match self { $(Indicator::$variant => $section),+ }
            }

            /// Counted on the last day of the period (a state), not over the period (events).
            pub fn on_last_day(self) -> bool {
                match self { $(Indicator::$variant => $at_end),+ }
            }
        }
    };
}

indicators! {
    Registered => "registered", Child, "children", false;
    InRciAtStart => "in_rci_start", Child, "children", false;
    InRci => "in_rci", Child, "children", true;
    OpenCases => "open_cases", Child, "children", true;
    Assessed => "assessed", Child, "casework", false;
    Traced => "traced", Child, "casework", false;
    FamilyFound => "family_found", Child, "casework", false;
    Reintegrated => "reintegrated", Child, "casework", false;
    InFollowUp => "in_follow_up", Child, "casework", true;
    VisitsDue => "visits_due", Child, "casework", false;
    Visited => "visited", Child, "casework", false;
    Served => "served", Child, "casework", false;
    Closed => "closed", Child, "casework", false;
    ReferredOut => "referred_out", Child, "referrals", false;
    ReferralsReceived => "referrals_received", Referral, "referrals", false;
    ReferralsAccepted => "referrals_accepted", Referral, "referrals", false;
    ReferralsDeclined => "referrals_declined", Referral, "referrals", false;
    CarersEnquired => "carers_enquired", CarerHousehold, "carers", false;
    CarersApproved => "carers_approved", CarerHousehold, "carers", true;
    CarersAvailable => "carers_available", CarerHousehold, "carers", true;
    CarersWithChildren => "carers_with_children", CarerHousehold, "carers", true;
    Rcis => "rcis", Rci, "rcis", true;
    PeopleTrained => "people_trained", Trainee, "training", false;
    CashGranted => "cash_granted", Child, "cash", true;
    CashPaid => "cash_paid", Child, "cash", false;
    SupportReceived => "support_received", Child, "support", false;
    CaregiversParenting => "caregivers_parenting", GroupMember, "community", false;
    GroupSessions => "group_sessions", GroupSession, "community", false;
    PeopleReached => "people_reached", Reached, "community", false;
}

/// The order of the sections on pages and in reports.
pub const SECTIONS: [&str; 9] = ["children", "casework", "referrals", "carers", "rcis", "training", "cash", "support", "community"];

impl Indicator {
    pub fn parse(code: &str) -> Option<Indicator> {
        Indicator::ALL.iter().copied().find(|i| i.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("indicator-{}", self.code().replace('_', "-"))
    }

    pub fn definition_key(self) -> String {
        format!("{}-def", self.label_key())
    }

    /// The ways this figure may be broken down.
    pub fn dimensions(self) -> Vec<Dimension> {
        Dimension::ALL.iter().copied().filter(|d| d.applies_to(self)).collect()
    }
}

/// A breakdown of a figure (sex is always shown, as "N (nF)").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    AgeBand,
    Disability,
    Province,
    District,
    Organisation,
    /// The child's current placement type (or none yet).
    CareType,
    Risk,
    Stage,
    ClosureReason,
    PlacementType,
    Service,
    Provider,
    Course,
    RciStage,
    /// Who made a visit (the case's worker, DoSVY, a commune focal point…).
    VisitBy,
    /// How a visit was made (at home, by phone…).
    VisitMode,
    /// What a community group is for (parenting club, youth group…).
    GroupKind,
}

impl Dimension {
    pub const ALL: &'static [Dimension] = &[
        Dimension::AgeBand,
        Dimension::Disability,
        Dimension::Province,
        Dimension::District,
        Dimension::Organisation,
        Dimension::CareType,
        Dimension::Risk,
        Dimension::Stage,
        Dimension::ClosureReason,
        Dimension::PlacementType,
        Dimension::Service,
        Dimension::Provider,
        Dimension::Course,
        Dimension::RciStage,
        Dimension::VisitBy,
        Dimension::VisitMode,
        Dimension::GroupKind,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dimension::AgeBand => "age_band",
            Dimension::Disability => "disability",
            Dimension::Province => "province",
            Dimension::District => "district",
            Dimension::Organisation => "organisation",
            Dimension::CareType => "care_type",
            Dimension::Risk => "risk",
            Dimension::Stage => "stage",
            Dimension::ClosureReason => "closure_reason",
            Dimension::PlacementType => "placement_type",
            Dimension::Service => "service",
            Dimension::Provider => "provider",
            Dimension::Course => "course",
            Dimension::RciStage => "rci_stage",
            Dimension::VisitBy => "visit_by",
            Dimension::VisitMode => "visit_mode",
            Dimension::GroupKind => "group_kind",
        }
    }

    pub fn parse(code: &str) -> Option<Dimension> {
        Dimension::ALL.iter().copied().find(|d| d.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("dimension-{}", self.code().replace('_', "-"))
    }

    pub fn applies_to(self, i: Indicator) -> bool {
        use Dimension as D;
        match i.unit() {
            Unit::Child | Unit::Referral => match self {
                D::AgeBand | D::Disability | D::Province | D::District | D::Organisation | D::CareType | D::Risk | D::Stage => true,
                D::ClosureReason => i == Indicator::Closed,
                D::PlacementType => i == Indicator::Reintegrated,
                D::Service | D::Provider => i == Indicator::Served,
                D::VisitBy | D::VisitMode => i == Indicator::Visited,
                D::Course | D::RciStage | D::GroupKind => false,
            },
            Unit::CarerHousehold => matches!(self, D::Province | D::Organisation),
            Unit::Rci => matches!(self, D::Province | D::District | D::RciStage),
            Unit::Trainee => matches!(self, D::Province | D::Organisation | D::Course),
            Unit::GroupMember | Unit::Reached => matches!(self, D::Province | D::Organisation),
            Unit::GroupSession => matches!(self, D::Province | D::Organisation | D::GroupKind),
        }
    }

    /// The translation key of one value's label, for values that are codes of a pick-list;
    /// places, organisations and courses are named from the database instead.
    pub fn value_key(self, value: &str) -> Option<String> {
        let list = match self {
            Dimension::Disability => "disability",
            Dimension::CareType | Dimension::PlacementType => "placement",
            Dimension::Risk => "risk",
            Dimension::Stage => "stage",
            Dimension::ClosureReason => "closure",
            Dimension::Service => "service",
            Dimension::Provider => "provider",
            Dimension::RciStage => "rci-stage",
            Dimension::VisitBy => "visit-by",
            Dimension::VisitMode => "visit-mode",
            Dimension::GroupKind => "group-kind",
            Dimension::AgeBand | Dimension::Province | Dimension::District | Dimension::Organisation | Dimension::Course => return None,
        };
        Some(format!("opt-{list}-{value}"))
    }
}

/// The age band of a child born on `birth` at the end of the period, as SQL can test it: the
/// bands in order with the earliest birth date each holds (born on or after it).
pub fn age_band_bounds(on: NaiveDate) -> Vec<(AgeBand, Option<NaiveDate>)> {
    AgeBand::ALL.iter().map(|b| (*b, b.birth_dates(on).0)).collect()
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
        Period::months(from, 3)
    }

    /// The calendar month that holds `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        Period::months(day.with_day(1).expect("valid"), 1)
    }

    /// The calendar year that holds `day`.
    pub fn year_of(day: NaiveDate) -> Period {
        Period::months(NaiveDate::from_ymd_opt(day.year(), 1, 1).expect("valid"), 12)
    }

    fn months(from: NaiveDate, n: u32) -> Period {
        let to = from.checked_add_months(chrono::Months::new(n)).expect("in range") - chrono::Duration::days(1);
        Period { from, to }
    }

    /// The period of the same length just before this one (the previous month, quarter or year
    /// for calendar periods), for trends.
    pub fn previous(self) -> Period {
        let months = (self.to.year() - self.from.year()) * 12 + self.to.month() as i32 - self.from.month() as i32 + 1;
        let calendar = self.from.day() == 1 && self.to.succ_opt().is_some_and(|d| d.day() == 1);
        if calendar && months > 0 {
            let from = self.from.checked_sub_months(chrono::Months::new(months as u32)).expect("in range");
            return Period::months(from, months as u32);
        }
        let days = (self.to - self.from).num_days() + 1;
        Period { from: self.from - chrono::Duration::days(days), to: self.from - chrono::Duration::days(1) }
    }

    /// "2026-Q4" → that quarter.
    pub fn parse_quarter(s: &str) -> Option<Period> {
        let (y, q) = s.trim().split_once("-Q")?;
        let (y, q): (i32, u32) = (y.parse().ok()?, q.parse().ok()?);
        if !(1..=4).contains(&q) {
            return None;
        }
        Some(Period::quarter_of(NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1)?))
    }

    /// The quarter's name when the period is one ("2026-Q4").
    pub fn quarter_name(self) -> Option<String> {
        let q = Period::quarter_of(self.from);
        (q == self).then(|| format!("{}-Q{}", self.from.year(), self.from.month0() / 3 + 1))
    }

    /// The period national figures (across organisations) use for this one: a whole calendar
    /// quarter, the one holding the period's last day. Any period could be compared with one a
    /// day shorter to reveal a single child, and a quarter with two of its months to reveal the
    /// third: one granularity of whole quarters leaves no two periods to subtract (issue 19).
    pub fn national(self) -> Period {
        Period::quarter_of(self.to)
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
#[path = "indicators_tests.rs"]
mod tests;
