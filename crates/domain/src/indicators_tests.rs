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
    assert_eq!(Period::parse_quarter("2026-Q4"), Some(Period::quarter_of(d("2026-11-23"))));
    assert_eq!(Period::parse_quarter("2026-Q5"), None);
    assert_eq!(Period::quarter_of(d("2026-05-02")).quarter_name().as_deref(), Some("2026-Q2"));
    assert_eq!(Period::month_of(d("2026-05-02")).quarter_name(), None);
}

#[test]
fn the_previous_period_is_the_calendar_period_before() {
    assert_eq!(Period::quarter_of(d("2026-02-10")).previous(), Period::quarter_of(d("2025-11-10")));
    assert_eq!(Period::month_of(d("2026-03-31")).previous(), Period { from: d("2026-02-01"), to: d("2026-02-28") });
    assert_eq!(Period::year_of(d("2026-03-31")).previous(), Period::year_of(d("2025-01-01")));
    // Custom dates: the same number of days before.
    assert_eq!(Period { from: d("2026-01-10"), to: d("2026-01-19") }.previous(), Period { from: d("2025-12-31"), to: d("2026-01-09") });
}

#[test]
fn every_indicator_has_a_unique_code_a_section_and_dimensions_that_fit_its_unit() {
    let mut codes: Vec<_> = Indicator::ALL.iter().map(|i| i.code()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), Indicator::ALL.len());
    for i in Indicator::ALL {
        assert_eq!(Indicator::parse(i.code()), Some(*i));
        assert!(SECTIONS.contains(&i.section()), "{}", i.code());
        assert!(!i.dimensions().is_empty(), "{}", i.code());
    }
    assert!(Dimension::ClosureReason.applies_to(Indicator::Closed));
    assert!(!Dimension::ClosureReason.applies_to(Indicator::Registered));
    assert!(!Dimension::AgeBand.applies_to(Indicator::Rcis), "an RCI has no age");
    assert!(!Dimension::Course.applies_to(Indicator::Registered));
    assert!(!Unit::CarerHousehold.has_sex() && Unit::Trainee.has_sex());
    for dim in Dimension::ALL {
        assert_eq!(Dimension::parse(dim.code()), Some(*dim));
    }
}

#[test]
fn age_bands_are_taken_at_the_end_of_the_period() {
    let bounds = age_band_bounds(d("2026-12-31"));
    assert_eq!(bounds[0], (AgeBand::Under6, Some(d("2021-01-01"))), "a child born 2021-01-01 is 5 on 2026-12-31");
    assert_eq!(bounds[2].1, Some(d("2009-01-01")));
    assert_eq!(bounds[3], (AgeBand::Adult, None));
}

#[test]
fn national_figures_use_whole_quarters_only() {
    let q1 = Period::quarter_of(d("2026-02-10"));
    // Two periods a day apart, a month, a quarter and a year: never two different periods whose
    // difference is a day or a month.
    let asked = [
        Period { from: d("2026-03-01"), to: d("2026-03-31") },
        Period { from: d("2026-03-02"), to: d("2026-03-31") },
        Period { from: d("2026-03-01"), to: d("2026-03-30") },
        Period::month_of(d("2026-01-15")),
        q1,
    ];
    for p in asked {
        assert_eq!(p.national(), q1, "{p:?}");
        assert!(p.national().quarter_name().is_some());
    }
    assert_eq!(Period::year_of(d("2026-05-01")).national(), Period::quarter_of(d("2026-12-31")));
    assert_eq!(q1.national().previous().national(), q1.previous(), "trends compare whole quarters");
}
