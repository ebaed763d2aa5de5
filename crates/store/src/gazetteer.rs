//! The Cambodian gazetteer (NCDD): reading its workbooks, and the copy shipped in the binary.
//!
//! NCDD workbooks have one sheet per province with a header row `Type | Code | Name (Khmer) |
//! Name (Latin) | …` that is not always on the first row; codes are written without the leading
//! zero of provinces 1–9 and are sometimes numbers, sometimes text.

use calamine::{open_workbook_auto, Data, Reader};
pub use krousar_match::place::Level;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Zero-padded: province 2 digits, district 4, commune 6, village 8.
    pub code: String,
    pub level: Level,
    pub name_km: String,
    pub name_latin: String,
    /// The unit type as NCDD writes it (ខេត្ត, ស្រុក, ក្រុង, ខណ្ឌ, ឃុំ, សង្កាត់, ភូមិ).
    pub kind_km: String,
}

impl Place {
    pub fn parent_code(&self) -> Option<&str> {
        (self.level != Level::Province).then(|| &self.code[..self.code.len() - 2])
    }
}

/// Normalise a code cell: digits only (Khmer digits folded), zero-padded to an even length.
pub fn normalise_code(raw: &str) -> Option<String> {
    let folded = krousar_match::fold_digits(raw.trim());
    let digits = folded.strip_suffix(".0").unwrap_or(&folded);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code = if digits.len() % 2 == 1 { format!("0{digits}") } else { digits.to_string() };
    Level::of_code(&code).map(|_| code)
}

/// Names keep their Khmer text but lose zero-width spaces and stray whitespace.
fn clean_name(s: &str) -> String {
    s.replace(['\u{200B}', '\u{FEFF}'], "").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Read one NCDD workbook.
pub fn read_workbook(path: &Path) -> Result<Vec<Place>, GazetteerError> {
    let file = path.display().to_string();
    let wb = open_workbook_auto(path).map_err(|e| GazetteerError::Format { file: file.clone(), message: e.to_string() })?;
    places_of(&file, wb)
}

/// Read one NCDD workbook held in memory (an upload; the fuzz target `gazetteer_workbook`).
pub fn read_workbook_bytes(name: &str, bytes: &[u8]) -> Result<Vec<Place>, GazetteerError> {
    let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| GazetteerError::Format { file: name.to_string(), message: e.to_string() })?;
    places_of(name, wb)
}

fn places_of<RS: std::io::Read + std::io::Seek>(file: &str, mut wb: calamine::Sheets<RS>) -> Result<Vec<Place>, GazetteerError> {
    let fail = |message: String| GazetteerError::Format { file: file.to_string(), message };
    let sheet = wb.sheet_names().first().cloned().ok_or_else(|| fail("no sheet".into()))?;
    let range = wb.worksheet_range(&sheet).map_err(|e| fail(e.to_string()))?;
    let mut rows = range.rows();
    let mut columns = None;
    for row in rows.by_ref() {
        let texts: Vec<String> = row.iter().map(|c| cell_text(c).trim().to_lowercase()).collect();
        let find = |name: &str| texts.iter().position(|t| t == name);
        if let (Some(t), Some(c), Some(k), Some(l)) = (find("type"), find("code"), find("name (khmer)"), find("name (latin)")) {
            columns = Some((t, c, k, l));
            break;
        }
    }
    let (t, c, k, l) = columns.ok_or_else(|| fail("header row (Type | Code | Name (Khmer) | Name (Latin)) not found".into()))?;
    let mut places = Vec::new();
    for row in rows {
        let get = |i: usize| row.get(i).map(cell_text).unwrap_or_default();
        let Some(code) = normalise_code(&get(c)) else { continue };
        let level = Level::of_code(&code).expect("normalised");
        let name_km = clean_name(&get(k));
        let name_latin = clean_name(&get(l));
        if name_km.is_empty() && name_latin.is_empty() {
            continue;
        }
        places.push(Place { code, level, name_km, name_latin, kind_km: clean_name(&get(t)) });
    }
    Ok(places)
}

/// Read every `.xlsx` workbook of a directory, in name order.
pub fn read_dir(dir: &Path) -> Result<Vec<Place>, GazetteerError> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xlsx")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(GazetteerError::Format { file: dir.display().to_string(), message: "no .xlsx workbooks".into() });
    }
    let mut all = Vec::new();
    for f in files {
        all.extend(read_workbook(&f)?);
    }
    Ok(all)
}

/// The NCDD 2025 release shipped in the binary, as tab-separated `code kind name_km name_latin`.
pub const EMBEDDED_RELEASE: &str = "ncdd-2025";
static EMBEDDED_TSV: &str = include_str!("../data/gazetteer-ncdd-2025.tsv");

pub fn to_tsv(places: &[Place]) -> String {
    let mut out = String::new();
    for p in places {
        out.push_str(&format!("{}\t{}\t{}\t{}\n", p.code, p.kind_km, p.name_km, p.name_latin));
    }
    out
}

pub fn embedded() -> Vec<Place> {
    EMBEDDED_TSV
        .lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            let code = f.next()?.to_string();
            let kind_km = f.next()?.to_string();
            let name_km = f.next()?.to_string();
            let name_latin = f.next()?.to_string();
            let level = Level::of_code(&code)?;
            Some(Place { code, level, name_km, name_latin, kind_km })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_padded_and_checked() {
        assert_eq!(normalise_code("1020101").as_deref(), Some("01020101"));
        assert_eq!(normalise_code("12").as_deref(), Some("12"));
        assert_eq!(normalise_code("1.0").as_deref(), Some("01"));
        assert_eq!(normalise_code("១២០១").as_deref(), Some("1201"));
        assert_eq!(normalise_code("123456789"), None);
        assert_eq!(normalise_code("Code"), None);
    }

    #[test]
    fn embedded_gazetteer_has_every_level_and_known_totals() {
        let places = embedded();
        let count = |l: Level| places.iter().filter(|p| p.level == l).count();
        assert_eq!(count(Level::Province), 25);
        assert_eq!(count(Level::District), 210);
        assert_eq!(count(Level::Commune), 1652);
        assert_eq!(count(Level::Village), 14576);
        let codes: std::collections::HashSet<&str> = places.iter().map(|p| p.code.as_str()).collect();
        for p in &places {
            if let Some(parent) = p.parent_code() {
                assert!(codes.contains(parent), "{} has no parent", p.code);
            }
            assert!(!p.name_km.contains('\u{200B}'));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Any cell text gives either nothing or a code of a real level whose digits it held.
        #[test]
        fn code_normalisation_never_panics(raw in "\\PC{0,12}") {
            if let Some(code) = normalise_code(&raw) {
                proptest::prop_assert!(Level::of_code(&code).is_some());
                proptest::prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
            }
        }

        /// A file that is not a workbook is reported, never a panic.
        #[test]
        fn junk_files_are_refused(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048), zip_header in proptest::bool::ANY) {
            let dir = std::env::temp_dir().join(format!("krousar-junk-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("junk.xlsx");
            let mut content = if zip_header { b"PK\x03\x04".to_vec() } else { Vec::new() };
            content.extend(bytes);
            std::fs::write(&path, content).unwrap();
            proptest::prop_assert!(read_workbook(&path).is_err());
        }
    }

    /// The shipped copy is exactly what the importer reads from the NCDD workbooks in shared/.
    #[test]
    fn embedded_gazetteer_matches_the_ncdd_workbooks() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/gazetteer/ncdd-2025");
        if !dir.exists() {
            eprintln!("shared/ not beside the checkout; skipping the workbook comparison");
            return;
        }
        let places = read_dir(&dir).unwrap();
        assert_eq!(to_tsv(&places), EMBEDDED_TSV);
    }
}
