//! Exporting a list of children to a spreadsheet: the columns a user may choose (sensitive
//! information is never among them — it lives apart, see `sensitive`), and making each cell
//! safe to open in Excel or LibreOffice.

use crate::choices::pick_list;

pick_list!(ExportColumn, "export-col", {
    CaseNumber => "case_number",
    FamilyNameKm => "family_name_km",
    GivenNameKm => "given_name_km",
    FamilyNameLatin => "family_name_latin",
    GivenNameLatin => "given_name_latin",
    Sex => "sex",
    DateOfBirth => "date_of_birth",
    Age => "age",
    Province => "province",
    District => "district",
    Commune => "commune",
    Village => "village",
    Living => "living",
    Disability => "disability",
    Worker => "worker",
    Registered => "registered",
});

pick_list!(ExportFormat, "export-format", { Csv => "csv", Xlsx => "xlsx" });

/// The columns when none are chosen.
pub const DEFAULT_COLUMNS: [ExportColumn; 8] = [
    ExportColumn::CaseNumber,
    ExportColumn::FamilyNameKm,
    ExportColumn::GivenNameKm,
    ExportColumn::FamilyNameLatin,
    ExportColumn::GivenNameLatin,
    ExportColumn::Sex,
    ExportColumn::Age,
    ExportColumn::Province,
];

/// At most this many rows in one export (a larger list must be narrowed by its filters).
pub const MAX_ROWS: usize = 100_000;

/// The chosen columns, in the list's order, without repeats; the default when none is known.
pub fn columns(codes: &[String]) -> Vec<ExportColumn> {
    let chosen: Vec<ExportColumn> = ExportColumn::ALL.iter().copied().filter(|c| codes.iter().any(|x| x == c.code())).collect();
    if chosen.is_empty() {
        DEFAULT_COLUMNS.to_vec()
    } else {
        chosen
    }
}

/// A cell's text made inert for a spreadsheet: a value a spreadsheet would run as a formula
/// (starting with = + - @ or a tab or carriage return) is prefixed with an apostrophe.
pub fn safe_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_inert_and_names_kept() {
        assert_eq!(safe_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(safe_cell("+855 12 345 678"), "'+855 12 345 678");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("សុខ ស្រីពៅ"), "សុខ ស្រីពៅ");
        assert_eq!(safe_cell(""), "");
    }

    #[test]
    fn columns_keep_the_lists_order_and_fall_back_to_the_default() {
        assert_eq!(
            columns(&["sex".into(), "case_number".into(), "sex".into(), "hiv_status".into()]),
            vec![ExportColumn::CaseNumber, ExportColumn::Sex]
        );
        assert_eq!(columns(&[]), DEFAULT_COLUMNS.to_vec());
    }
}
