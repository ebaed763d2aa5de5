//! Dates as people put them in spreadsheets: real date cells, Excel serial numbers, and text in
//! the many ways Cambodians and their donors write a date — 2010-03-12, 12/03/2010, 12.3.2010,
//! 12 March 2010, Mar 12, 2010, ១២/០៣/២០១០, ថ្ងៃទី១២ ខែមីនា ឆ្នាំ២០១០ — or only a year. Day comes
//! before month, as in Cambodia, unless the numbers say otherwise; whatever had to be guessed
//! (month first, a two-digit year) is offered as a suggestion for the user to accept, never
//! taken silently.

use crate::workbook::Cell;
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRead {
    Date(NaiveDate),
    /// Only a year was written (an estimated birth year).
    Year(i32),
    /// A reading that needed a guess: the user accepts it or corrects the workbook.
    Guess(NaiveDate, Guess),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// 03/12/2010 read as 12 March because 12 cannot be a month... or the reverse.
    MonthFirst,
    /// 12/03/10: the century.
    TwoDigitYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Recognisable parts that make no date (31 February, month 13).
    Impossible,
    /// Not a date at all.
    Unreadable,
}

const EXCEL_EPOCH: (i32, u32, u32) = (1899, 12, 30);
/// Excel's last date, 9999-12-31.
const MAX_SERIAL: f64 = 2_958_465.0;

/// The date of an Excel serial number (1900 date system; Excel counts a 29 February 1900 that
/// never was, so serials before 61 are one day off and serial 60 is no date).
pub fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..=MAX_SERIAL).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let epoch = NaiveDate::from_ymd_opt(EXCEL_EPOCH.0, EXCEL_EPOCH.1, EXCEL_EPOCH.2)?;
    match days {
        60 => None,
        1..=59 => epoch.checked_add_signed(chrono::Duration::days(days + 1)),
        _ => epoch.checked_add_signed(chrono::Duration::days(days)),
    }
}

/// The Excel serial number of a date (for tests and templates).
pub fn to_serial(date: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(EXCEL_EPOCH.0, EXCEL_EPOCH.1, EXCEL_EPOCH.2).expect("valid");
    let days = (date - epoch).num_days();
    (if days <= 60 { days - 1 } else { days }) as f64
}

const MONTHS_EN: [&str; 12] =
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MONTHS_KM: [&str; 12] = ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"];
/// Words that only say which part follows ("day", "month", "year", "12th of").
const FILLER: [&str; 9] = ["ថ្ងៃទី", "ថ្ងៃ", "ទី", "ខែ", "ឆ្នាំ", "th", "st", "nd", "rd"];

fn month_of(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    if let Some(i) = MONTHS_KM.iter().position(|m| *m == word || m.trim_end_matches('ៈ') == word) {
        return Some(i as u32 + 1);
    }
    // An English month is its name or any start of it of three letters or more ("Mar", "Sept").
    if lower.len() < 3 {
        return None;
    }
    MONTHS_EN.iter().position(|m| m.starts_with(&lower)).map(|i| i as u32 + 1)
}

fn is_khmer(c: char) -> bool {
    ('\u{1780}'..='\u{17FF}').contains(&c)
}

enum Token {
    Number(String),
    Month(u32),
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let ascii = krousar_domain::text::ascii_digits(text).replace('\u{200B}', "");
    // Words and numbers, split where digits meet letters ("12th", "ថ្ងៃទី12").
    let mut words: Vec<String> = Vec::new();
    let mut prev_digit: Option<bool> = None;
    for c in ascii.chars() {
        if !(c.is_alphanumeric() || is_khmer(c)) {
            prev_digit = None;
            continue;
        }
        let digit = c.is_ascii_digit();
        if prev_digit != Some(digit) {
            words.push(String::new());
        }
        words.last_mut().expect("pushed").push(c);
        prev_digit = Some(digit);
    }
    let mut out = Vec::new();
    for w in words {
        if w.bytes().all(|b| b.is_ascii_digit()) {
            out.push(Token::Number(w));
            continue;
        }
        // Khmer fillers are written joined to the month ("ខែមីនា"); English ones stand alone.
        let mut rest = w.as_str();
        if rest.chars().any(is_khmer) {
            while let Some(f) = FILLER.iter().find(|f| rest.starts_with(**f)) {
                rest = &rest[f.len()..];
            }
        } else if FILLER.contains(&rest.to_lowercase().as_str()) || rest.eq_ignore_ascii_case("of") {
            rest = "";
        }
        if !rest.is_empty() {
            out.push(Token::Month(month_of(rest)?));
        }
    }
    Some(out)
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, DateError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Impossible)
}

fn num(s: &str) -> Result<u32, DateError> {
    if s.len() > 4 {
        return Err(DateError::Unreadable);
    }
    s.parse().map_err(|_| DateError::Unreadable)
}

/// A two-digit year: this century unless that would be in the future.
fn century(yy: u32, today: NaiveDate) -> i32 {
    let this = today.year() % 100;
    let base = today.year() - this;
    if yy as i32 <= this {
        base + yy as i32
    } else {
        base - 100 + yy as i32
    }
}

/// Read a date written as text.
pub fn parse_text(text: &str, today: NaiveDate) -> Result<DateRead, DateError> {
    let trimmed = text.trim();
    // A timestamp: the date part only.
    let b = trimmed.as_bytes();
    let head = if b.len() > 10 && b[4] == b'-' && (b[10] == b' ' || b[10] == b'T') { &trimmed[..10] } else { trimmed };
    let tokens = tokens(head).ok_or(DateError::Unreadable)?;
    let (numbers, months): (Vec<&Token>, Vec<&Token>) = tokens.iter().partition(|t| matches!(t, Token::Number(_)));
    let numbers: Vec<&str> = numbers.iter().map(|t| if let Token::Number(n) = t { n.as_str() } else { "" }).collect();
    let months: Vec<u32> = months.iter().map(|t| if let Token::Month(m) = t { *m } else { 0 }).collect();
    match (numbers.as_slice(), months.as_slice()) {
        ([y], []) if y.len() == 4 => Ok(DateRead::Year(num(y)? as i32)),
        ([serial], []) if serial.len() == 5 => {
            from_serial(serial.parse::<f64>().map_err(|_| DateError::Unreadable)?).map(DateRead::Date).ok_or(DateError::Impossible)
        }
        ([a, b, c], []) if a.len() == 4 => ymd(num(a)? as i32, num(b)?, num(c)?).map(DateRead::Date),
        ([a, b, c], []) if c.len() == 4 || c.len() == 2 => {
            let (a, b) = (num(a)?, num(b)?);
            let year = if c.len() == 4 { num(c)? as i32 } else { century(num(c)?, today) };
            let read = if a > 12 || b <= 12 { (ymd(year, b, a)?, None) } else { (ymd(year, a, b)?, Some(Guess::MonthFirst)) };
            Ok(match (read, c.len()) {
                ((d, _), 2) => DateRead::Guess(d, Guess::TwoDigitYear),
                ((d, Some(g)), _) => DateRead::Guess(d, g),
                ((d, None), _) => DateRead::Date(d),
            })
        }
        ([a, b], [m]) => {
            let (day, year) = if a.len() == 4 {
                (num(b)?, num(a)?)
            } else if b.len() == 4 {
                (num(a)?, num(b)?)
            } else {
                return Err(DateError::Unreadable);
            };
            ymd(year as i32, *m, day).map(DateRead::Date)
        }
        // "March 2010": only the year is worth keeping as an estimate.
        ([y], [_]) if y.len() == 4 => Ok(DateRead::Year(num(y)? as i32)),
        _ => Err(DateError::Unreadable),
    }
}

/// Read a date from a cell of any type.
pub fn read_cell(cell: &Cell, today: NaiveDate) -> Result<DateRead, DateError> {
    match cell {
        Cell::Date(d) => Ok(DateRead::Date(*d)),
        Cell::Number(n) if n.fract() == 0.0 && (1000.0..=9999.0).contains(n) && *n <= f64::from(today.year()) => {
            Ok(DateRead::Year(*n as i32))
        }
        Cell::Number(n) => from_serial(*n).map(DateRead::Date).ok_or(DateError::Impossible),
        Cell::Text(t) => parse_text(t, today),
        _ => Err(DateError::Unreadable),
    }
}
