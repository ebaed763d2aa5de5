//! Where the place queries come from: the pumi gazetteer, the public lists in `eval/`, and
//! spellings derived from the NCDD's own names (numbers and unit words written differently).

use crate::places::Place;
use crate::Lcg;

/// (code, spelling) of pumi's Latin and UNGEGN names of districts, communes and villages.
pub fn pumi() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("../../../shared/data/gazetteer/pumi");
    let mut out = Vec::new();
    for file in ["districts.yml", "communes.yml", "villages.yml"] {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            println!("(no {} beside the checkout: pumi set skipped)", dir.display());
            return out;
        };
        let mut code: Option<String> = None;
        for line in text.lines() {
            if let Some(c) = line.strip_prefix("  '").and_then(|l| l.strip_suffix("':")) {
                code = Some(c.to_string());
            } else if line.starts_with("    administrative_unit:") {
                code = None;
            } else if let Some(c) = &code {
                for key in ["      latin: ", "      ungegn: "] {
                    if let Some(name) = line.strip_prefix(key) {
                        out.push((c.clone(), name.trim().trim_matches('\'').to_string()));
                    }
                }
            }
        }
    }
    out
}

/// (source, code, spelling) from every `eval/places-*.tsv` (code, level, spelling).
pub fn eval_files() -> Vec<(String, String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval");
    let mut out = Vec::new();
    let Ok(list) = std::fs::read_dir(&dir) else { return out };
    let mut files: Vec<_> = list.flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let Some(source) = name.strip_prefix("places-").and_then(|n| n.strip_suffix(".tsv")) else { continue };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.starts_with("code\t")) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() >= 3 {
                out.push((source.to_string(), f[0].trim().to_string(), f[2].trim().to_string()));
            }
        }
    }
    out
}

const UNITS: [&[&str]; 10] = [
    &[],
    &["Muoy", "Muy", "Mouy"],
    &["Pir", "Pi"],
    &["Bei", "Bey"],
    &["Buon", "Boun"],
    &["Pram"],
    &["Pram Muoy", "Prammuoy"],
    &["Pram Pir", "Prampir"],
    &["Pram Bei", "Prambei"],
    &["Pram Buon", "Prambuon"],
];
const TENS: [&[&str]; 10] = [
    &[],
    &["Dab", "Dob"],
    &["Mphey", "Mophey"],
    &["Samsep", "Sam"],
    &["Saesep", "Sae"],
    &["Hasep", "Ha"],
    &["Hoksep", "Hok"],
    &["Chetsep", "Chet"],
    &["Paetsep", "Paet"],
    &["Kausep", "Kau"],
];
const ROMAN: [&str; 13] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

fn pick<'a>(rng: &mut Lcg, list: &[&'a str]) -> &'a str {
    list[rng.below(list.len())]
}

/// A number in romanised Khmer words, as people write them.
fn spell(n: u32, rng: &mut Lcg) -> Option<String> {
    let (t, u) = ((n / 10) as usize, (n % 10) as usize);
    match (t, u) {
        (0, 0) => None,
        (0, u) => Some(pick(rng, UNITS[u]).to_string()),
        (1..=9, 0) => Some(TENS[t][0].to_string()),
        (1..=9, u) => Some(format!("{} {}", pick(rng, TENS[t]), pick(rng, UNITS[u]))),
        _ => None,
    }
}

/// The NCDD name with its number as words or a Roman numeral ("Rumchek 3" → "Rumchek Bei").
pub fn number_variant(latin: &str, rng: &mut Lcg) -> Option<String> {
    let words: Vec<&str> = latin.split_whitespace().collect();
    let last = words.last()?;
    let n: u32 = last.parse().ok()?;
    let head = words[..words.len() - 1].join(" ");
    if head.is_empty() {
        return None;
    }
    let written = if n <= 12 && rng.below(4) == 0 { ROMAN[n as usize].to_string() } else { spell(n, rng)? };
    Some(format!("{head} {written}"))
}

const KHMER_UNITS: [&str; 10] = ["", "មួយ", "ពីរ", "បី", "បួន", "ប្រាំ", "ប្រាំមួយ", "ប្រាំពីរ", "ប្រាំបី", "ប្រាំបួន"];
const KHMER_TENS: [&str; 10] = ["", "ដប់", "ម្ភៃ", "សាមសិប", "សែសិប", "ហាសិប", "ហុកសិប", "ចិតសិប", "ប៉ែតសិប", "កៅសិប"];

/// The Khmer name with the digits at its end as Khmer words ("រំចេក ៣" → "រំចេកបី").
pub fn khmer_number_variant(km: &str) -> Option<String> {
    let folded = krousar_match::fold_digits(km);
    let digits: String = folded.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    let n: u32 = digits.parse().ok()?;
    let head = folded[..folded.len() - digits.len()].trim_end();
    if head.is_empty() || n == 0 || n >= 100 {
        return None;
    }
    Some(format!("{head}{}{}", KHMER_TENS[(n / 10) as usize], KHMER_UNITS[(n % 10) as usize]))
}

/// The name typed with its unit word, in each script ("ភូមិក្រពើពីរ", "Phum Krapeu Pir").
pub fn with_unit_word(p: &Place) -> (String, String) {
    let (km, latin) = match p.code.len() {
        8 => ("ភូមិ", "Phum {}"),
        6 => ("ឃុំ", "Khum {}"),
        _ => ("ស្រុក", "{} District"),
    };
    let km = if p.km.starts_with(km) { p.km.clone() } else { format!("{km}{}", p.km) };
    (km, latin.replace("{}", &p.latin))
}
