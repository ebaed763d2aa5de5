//! Cleaning of free text from outside: trimmed, bounded, and free of control characters that could
//! hide content or break exports. Newlines are allowed only where a field says so.

use crate::validation::Invalid;

pub const SHORT: usize = 120;
pub const LONG: usize = 2000;

/// A trimmed optional text field. Empty means absent.
pub fn optional(errors: &mut Invalid, field: &'static str, raw: Option<&str>, max_chars: usize) -> Option<String> {
    let value = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if value.chars().count() > max_chars {
        errors.push(field, "err-too-long");
        return None;
    }
    if value.chars().any(is_forbidden) {
        errors.push(field, "err-control-chars");
        return None;
    }
    Some(value.to_string())
}

/// Free text of several lines (notes, observations, a child's own words): like `optional`, but
/// line breaks and tabs are kept (as `\n`).
pub fn paragraphs(errors: &mut Invalid, field: &'static str, raw: Option<&str>, max_chars: usize) -> Option<String> {
    let value = raw.map(|s| s.replace("\r\n", "\n").replace('\r', "\n"))?;
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max_chars {
        errors.push(field, "err-too-long");
        return None;
    }
    if value.chars().any(|c| c != '\n' && c != '\t' && is_forbidden(c)) {
        errors.push(field, "err-control-chars");
        return None;
    }
    Some(value.to_string())
}

/// Control characters are refused, except that zero-width spaces and joiners, which Khmer text
/// legitimately contains, pass (they are format characters, not control characters).
fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Khmer digits (០–៩) as ASCII digits: people type numbers and dates in either script.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{17E0}'..='\u{17E9}' => char::from(b'0' + (c as u32 - 0x17E0) as u8),
            _ => c,
        })
        .collect()
}

pub fn required(errors: &mut Invalid, field: &'static str, raw: Option<&str>, max: usize) -> String {
    let before = errors.errors.len();
    match optional(errors, field, raw, max) {
        Some(v) => v,
        None => {
            if errors.errors.len() == before {
                errors.push(field, "err-required");
            }
            String::new()
        }
    }
}

/// A username as accounts take it: 3 to 40 lower-case ASCII letters, digits, `.`, `_` or `-`
/// (asked for at sign-in on any keyboard, and unique in the installation).
pub fn valid_username(username: &str) -> bool {
    (3..=40).contains(&username.len()) && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_treats_blank_as_absent() {
        let mut e = Invalid::default();
        assert_eq!(optional(&mut e, "f", Some("  សុខ  "), 10), Some("សុខ".into()));
        assert_eq!(optional(&mut e, "f", Some("   "), 10), None);
        assert!(e.errors.is_empty());
    }

    #[test]
    fn refuses_control_characters_and_bidi_overrides() {
        for bad in ["a\u{0000}b", "a\nb", "x\u{202E}y", "\u{001B}[31m"] {
            let mut e = Invalid::default();
            assert_eq!(optional(&mut e, "f", Some(bad), 50), None, "{bad:?}");
            assert_eq!(e.for_field("f"), Some("err-control-chars"));
        }
    }

    #[test]
    fn keeps_zero_width_space_in_khmer() {
        let mut e = Invalid::default();
        assert!(optional(&mut e, "f", Some("សុខ\u{200B}ជា"), 50).is_some());
        assert!(e.errors.is_empty());
    }

    #[test]
    fn counts_characters_not_bytes() {
        let mut e = Invalid::default();
        let khmer = "ក".repeat(10); // 30 bytes, 10 characters
        assert!(optional(&mut e, "f", Some(&khmer), 10).is_some());
        assert!(optional(&mut e, "f", Some(&"ក".repeat(11)), 10).is_none());
        assert_eq!(e.for_field("f"), Some("err-too-long"));
    }

    #[test]
    fn khmer_digits_become_ascii() {
        assert_eq!(ascii_digits("២០១៥-០៣-០២"), "2015-03-02");
        assert_eq!(ascii_digits("abc"), "abc");
    }

    #[test]
    fn required_reports_missing_once() {
        let mut e = Invalid::default();
        required(&mut e, "f", None, 10);
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.for_field("f"), Some("err-required"));
    }
}
