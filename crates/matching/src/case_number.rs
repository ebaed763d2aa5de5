//! Case numbers in a search. A case number is printed on every form as the organisation's code,
//! a dash and six or more digits (`FFCD-000013`); people type it whole, in any case, with or
//! without the dash, or only its digits, with or without the leading zeros ("000013", "13").

/// A case number asked for by a query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseNumber {
    /// The whole number, as stored (`FFCD-000013`); one candidate today, a list so that a
    /// reading with several candidates stays possible.
    Whole(Vec<String>),
    /// Only the digits, as stored after the dash (`000013`): that exact number, in every
    /// organisation the searcher may see. Exact, never a part: "13" is not case 113.
    Digits(String),
}

impl CaseNumber {
    /// The digits after the dash each candidate has (what an index on them is searched by).
    pub fn digits(&self) -> Vec<String> {
        match self {
            CaseNumber::Digits(d) => vec![d.clone()],
            CaseNumber::Whole(all) => {
                let mut out: Vec<String> = Vec::new();
                for (_, d) in all.iter().filter_map(|w| w.rsplit_once('-')) {
                    if !out.iter().any(|o| o == d) {
                        out.push(d.to_string());
                    }
                }
                out
            }
        }
    }
}

/// A search query split into name terms (`query_terms`) and case numbers. A record matches
/// when it has every name term and every case number asked for ("sokha 13": Sokha's case 13).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub terms: Vec<String>,
    pub case_numbers: Vec<CaseNumber>,
}

impl Search {
    /// Nothing to search on (a query of single letters, say).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.case_numbers.is_empty()
    }
}

/// Longest run of digits taken as a case number (18 digits fit any number ever given).
const MAX_DIGITS: usize = 18;
/// Longest organisation code (`org_code_from_name` makes at most six letters and a counter).
const MAX_CODE: usize = 12;

/// The digits of a case number as stored: no leading zeros, then padded to six.
fn stored_digits(digits: &str) -> String {
    let bare = digits.trim_start_matches('0');
    format!("{:0>6}", if bare.is_empty() { "0" } else { bare })
}

fn is_code(s: &str) -> bool {
    s.len() <= MAX_CODE && s.starts_with(|c: char| c.is_ascii_alphabetic()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

/// The case number one query word asks for, if it is one.
pub fn case_number(word: &str) -> Option<CaseNumber> {
    let word = crate::fold_digits(word.trim_start_matches('#'));
    if is_digits(&word) {
        return Some(CaseNumber::Digits(stored_digits(&word)));
    }
    if let Some((code, digits)) = word.split_once('-') {
        return (is_code(code) && is_digits(digits))
            .then(|| CaseNumber::Whole(vec![format!("{}-{}", code.to_ascii_uppercase(), stored_digits(digits))]));
    }
    // Without a dash, letters and digits run together ("sokha12") stay a name: a name may
    // carry digits (a duplicate marked by hand), and the form always prints the dash.
    None
}

/// Split a search query into case numbers and name terms.
pub fn parse_search(query: &str) -> Search {
    let mut case_numbers = Vec::new();
    let mut names = Vec::new();
    for word in crate::tokens(query) {
        match case_number(word) {
            Some(n) if !case_numbers.contains(&n) => case_numbers.push(n),
            Some(_) => {}
            None => names.push(word),
        }
    }
    case_numbers.truncate(2);
    Search { terms: crate::query_terms(&names.join(" ")), case_numbers }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(s: &[&str]) -> Option<CaseNumber> {
        Some(CaseNumber::Whole(s.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn a_whole_case_number_in_any_case_with_or_without_the_dash() {
        assert_eq!(case_number("FFCD-000013"), whole(&["FFCD-000013"]));
        assert_eq!(case_number("ffcd-000013"), whole(&["FFCD-000013"]));
        assert_eq!(case_number("ffcd-13"), whole(&["FFCD-000013"]), "the zeros are the form's, not the person's");
        assert_eq!(case_number("ffcd000013"), None, "without the dash it is a name (sokha12)");
        assert_eq!(case_number("#TN-000001"), whole(&["TN-000001"]));
        assert_eq!(case_number("TN-1234567"), whole(&["TN-1234567"]), "past a million, seven digits");
    }

    #[test]
    fn digits_alone_are_one_exact_number() {
        for q in ["000013", "13", "0013", "០០០០១៣"] {
            assert_eq!(case_number(q), Some(CaseNumber::Digits("000013".into())), "{q}");
        }
        assert_eq!(case_number("1234567"), Some(CaseNumber::Digits("1234567".into())));
        assert_eq!(case_number("5"), Some(CaseNumber::Digits("000005".into())));
        assert_eq!(whole(&["TN-000013", "TN0-000003"]).unwrap().digits(), vec!["000013".to_string(), "000003".to_string()]);
    }

    #[test]
    fn names_and_junk_are_not_case_numbers() {
        for q in
            ["sokha", "សុខា", "aក1", "ក-1", "-13", "ffcd-", "ffcd-13a", "ff-cd-13", "1234567890123456789", "13-13", "ffcd-0x13", "x%-13"]
        {
            assert_eq!(case_number(q), None, "{q}");
        }
    }

    #[test]
    fn a_query_keeps_its_names_and_its_numbers_apart() {
        let s = parse_search("Sokha FFCD-000013");
        assert_eq!(s.terms, crate::query_terms("Sokha"));
        assert_eq!(s.case_numbers, vec![CaseNumber::Whole(vec!["FFCD-000013".into()])]);
        let s = parse_search("000013");
        assert!(s.terms.is_empty() && !s.is_empty());
        assert!(parse_search("s").is_empty(), "one letter is still no search");
        assert_eq!(parse_search("13 0013").case_numbers.len(), 1, "the same number twice is one");
    }

    proptest::proptest! {
        #[test]
        fn any_query_parses_without_panicking(s in "\\PC{0,40}") {
            let search = parse_search(&s);
            for n in &search.case_numbers {
                proptest::prop_assert!(n.digits().iter().all(|d| d.len() >= 6 && d.bytes().all(|b| b.is_ascii_digit())));
            }
        }
    }
}
