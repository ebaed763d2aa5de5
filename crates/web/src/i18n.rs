//! Translations from Fluent files (`locales/en/main.ftl`, `locales/km/main.ftl`), compiled into
//! the binary. Khmer is the default language.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they would show up in tests and exports.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Km,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Km => "km",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "km" => Some(Lang::Km),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// From an Accept-Language header: English only if asked for before Khmer.
    pub fn from_accept(header: Option<&str>) -> Lang {
        let h = header.unwrap_or("").to_ascii_lowercase();
        match (h.find("en"), h.find("km")) {
            (Some(e), Some(k)) if e < k => Lang::En,
            (Some(_), None) => Lang::En,
            _ => Lang::Km,
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Km => "km".parse().expect("valid"),
            Lang::En => "en".parse().expect("valid"),
        }
    }
}

/// A translator for one request.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn t(&self, key: &str) -> String {
        LOCALES.try_lookup(&self.lang.id(), key).unwrap_or_else(|| key.to_string())
    }

    pub fn t1(&self, key: &str, name: &str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Owned(name.to_string()), FluentValue::from(value.to_string()));
        LOCALES.try_lookup_with_args(&self.lang.id(), key, &args).unwrap_or_else(|| key.to_string())
    }

    pub fn t2(&self, key: &str, a: (&str, String), b: (&str, String)) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Owned(a.0.to_string()), FluentValue::from(a.1));
        args.insert(Cow::Owned(b.0.to_string()), FluentValue::from(b.1));
        LOCALES.try_lookup_with_args(&self.lang.id(), key, &args).unwrap_or_else(|| key.to_string())
    }

    /// A message about a number of things: `$count` is the number as the reader writes it
    /// (Khmer digits, grouped thousands) and `$num` the number itself, on which the message
    /// chooses its plural form (`{ $num -> [one] … *[other] … }`).
    pub fn tn(&self, key: &str, n: i64) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed("count"), FluentValue::from(self.count(n)));
        args.insert(Cow::Borrowed("num"), FluentValue::from(n));
        LOCALES.try_lookup_with_args(&self.lang.id(), key, &args).unwrap_or_else(|| key.to_string())
    }

    /// A message for the offline app, whose script fills in its arguments: each `{ $name }`
    /// comes out as `{name}`.
    pub fn t_for_script(&self, key: &str) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        for name in ["n", "when", "days", "server", "device", "count", "name", "day", "time"] {
            args.insert(Cow::Borrowed(name), FluentValue::from(format!("{{{name}}}")));
        }
        LOCALES.try_lookup_with_args(&self.lang.id(), key, &args).unwrap_or_else(|| key.to_string())
    }

    pub fn is_km(&self) -> bool {
        self.lang == Lang::Km
    }

    /// Digits in Khmer script for Khmer pages.
    pub fn num(&self, n: impl ToString) -> String {
        let s = n.to_string();
        match self.lang {
            Lang::En => s,
            Lang::Km => s
                .chars()
                .map(|c| if c.is_ascii_digit() { char::from_u32(0x17E0 + (c as u32 - '0' as u32)).unwrap_or(c) } else { c })
                .collect(),
        }
    }

    /// A count with its thousands grouped as each language writes them ("1,000,000" /
    /// "១.០០០.០០០", the CLDR convention for Khmer); years and days stay `num`.
    pub fn count(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let sep = if self.is_km() { '.' } else { ',' };
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(sep);
            }
            grouped.push(c);
        }
        self.num(if n < 0 { format!("-{grouped}") } else { grouped })
    }

    /// A date as people read it: "23 November 2026" / "២៣ វិច្ឆិកា ២០២៦".
    pub fn date(&self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let month = self.t(&format!("month-{}", d.month()));
        format!("{} {} {}", self.num(d.day()), month, self.num(d.year()))
    }

    /// A period as people read it: "18 – 20 October 2026" within one month, otherwise
    /// "30 September 2026 – 2 October 2026" (Khmer the same way, with Khmer digits).
    pub fn period(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        if from == to {
            self.date(from)
        } else if (from.year(), from.month()) == (to.year(), to.month()) {
            format!("{} – {}", self.num(from.day()), self.date(to))
        } else {
            format!("{} – {}", self.date(from), self.date(to))
        }
    }

    /// A period by its name when it is a calendar quarter ("Q4 2026" / "ត្រីមាសទី៤ ឆ្នាំ២០២៦"),
    /// otherwise its first and last days.
    pub fn period_name(&self, p: krousar_domain::indicators::Period) -> String {
        use chrono::Datelike;
        match p.quarter_name() {
            Some(_) => self.t2("msg-quarter", ("quarter", self.num(p.from.month0() / 3 + 1)), ("year", self.num(p.from.year()))),
            None => self.period(p.from, p.to),
        }
    }

    /// A stored day (`2026-10-18`, or a time in RFC 3339, read as the day in Cambodia) written
    /// as people read it; what is not a day stays as it is.
    pub fn day(&self, stored: &str) -> String {
        crate::views::local_day(stored).map(|d| self.date(d)).unwrap_or_else(|| stored.to_string())
    }

    /// A stored time (RFC 3339) as a day and the time in Cambodia: "7 December 2026, 11:05" /
    /// "៧ ធ្នូ ២០២៦ ម៉ោង ១១:០៥".
    pub fn time(&self, stored: &str) -> String {
        match chrono::DateTime::parse_from_rfc3339(stored) {
            Ok(t) => {
                let local = t.with_timezone(&chrono::Utc) + chrono::Duration::hours(7);
                let clock = self.num(local.format("%H:%M").to_string());
                self.t2("msg-day-at-time", ("day", self.date(local.date_naive())), ("time", clock))
            }
            Err(_) => self.day(stored),
        }
    }

    /// A month's name short enough for a chart's axis ("Sep"; Khmer names are short already).
    pub fn month_short(&self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let month = self.t(&format!("month-{}", d.month()));
        if self.is_km() {
            month
        } else {
            month.chars().take(3).collect()
        }
    }
}

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "glossary_tests.rs"]
mod glossary_tests;
