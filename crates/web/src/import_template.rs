//! Krousar's import template: a workbook with one sheet per kind of record (headers in the
//! reader's language — the importer knows both), an example row on each, and an Instructions
//! sheet saying what each column takes, with the allowed values as codes and labels.

use crate::i18n::Tr;
use krousar_domain::case::stage::{IntakeRoute, ReferralSource};
use krousar_domain::choices::{Disability, IdPoor};
use krousar_import::columns::{template_headers, Field, SheetKind};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// An example value for a column, so the template shows what a row looks like.
fn example(field: Field) -> &'static str {
    match field {
        Field::StaffId => "S-001",
        Field::StaffGivenName => "Dara",
        Field::StaffFamilyName => "Chan",
        Field::StaffFullName => "Chan Dara",
        Field::Username => "dara.chan",
        Field::Email => "dara@example.org",
        Field::Role => "social-worker",
        Field::Manager => "Sokha",
        Field::HouseholdId | Field::ChildHouseholdId => "H-001",
        Field::HouseholdName | Field::ChildHouseholdName => "Sok family",
        Field::HouseholdPhone => "012 345 678",
        Field::HouseholdIdPoor | Field::ChildIdPoor => "level1",
        Field::Province => "Battambang",
        Field::District => "Banan",
        Field::Commune => "Kantueu Muoy",
        Field::Village => "Tuol Thnong",
        Field::House => "12",
        Field::Street => "",
        Field::ChildId | Field::CaseChildId => "C-0001",
        Field::GivenNameKm => "ស្រីពៅ",
        Field::FamilyNameKm => "សុខ",
        Field::GivenNameLatin => "Sreypov",
        Field::FamilyNameLatin => "Sok",
        Field::Nickname => "",
        Field::Sex => "F",
        Field::DateOfBirth => "2014-03-12",
        Field::Disability => "none",
        Field::BirthCertificate => "",
        Field::WorkerId => "S-001",
        Field::WorkerName => "",
        Field::CarerName => "Sok Chanthy",
        Field::CarerPhone => "012 345 678",
        Field::OpenedOn => "2026-01-10",
        Field::Route => "report",
        Field::ReferralSource => "commune_council",
        Field::CaseSummary => "",
        Field::FamilyType | Field::FamilyStatus | Field::ReferralCategory | Field::Extra => "",
    }
}

/// What a column takes, in the reader's language.
fn help(tr: &Tr, field: Field) -> String {
    let list = |codes: Vec<(&str, String)>| codes.into_iter().map(|(c, l)| format!("{c} ({l})")).collect::<Vec<_>>().join(", ");
    match field {
        Field::Role => list(
            [
                krousar_domain::Role::SocialWorker,
                krousar_domain::Role::Supervisor,
                krousar_domain::Role::Manager,
                krousar_domain::Role::Intake,
                krousar_domain::Role::OrgAdmin,
            ]
            .iter()
            .map(|r| (r.as_str(), tr.t(&r.label_key())))
            .collect(),
        ),
        Field::Sex => tr.t("imp-help-sex"),
        Field::DateOfBirth | Field::OpenedOn => tr.t("imp-help-date"),
        Field::ChildIdPoor | Field::HouseholdIdPoor => list(IdPoor::ALL.iter().map(|v| (v.code(), tr.t(&v.label_key()))).collect()),
        Field::Disability => list(Disability::ALL.iter().map(|v| (v.code(), tr.t(&v.label_key()))).collect()),
        Field::ReferralSource => list(ReferralSource::ALL.iter().map(|v| (v.code(), tr.t(&v.label_key()))).collect()),
        Field::Route => list(IntakeRoute::ALL.iter().map(|v| (v.code(), tr.t(&v.label_key()))).collect()),
        Field::Province | Field::District | Field::Commune | Field::Village => tr.t("imp-help-place"),
        Field::ChildId | Field::HouseholdId | Field::StaffId => tr.t("imp-help-id"),
        Field::WorkerId => tr.t("imp-help-worker"),
        Field::ChildHouseholdId | Field::CaseChildId => tr.t("imp-help-reference"),
        _ => String::new(),
    }
}

pub fn workbook(tr: &Tr) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let mut instructions: Vec<(String, String, String)> = Vec::new();
    for kind in [SheetKind::Children, SheetKind::Households, SheetKind::Staff, SheetKind::Cases] {
        let sheet = wb.add_worksheet();
        sheet.set_name(kind.as_str())?;
        for (col, (field, en, km)) in template_headers(kind).into_iter().enumerate() {
            let header = if tr.is_km() { km } else { en };
            let col = col as u16;
            sheet.write_string_with_format(0, col, header, &bold)?;
            // Text cells: Excel would otherwise turn IDs like 0012 and dates into numbers.
            sheet.set_column_format(col, &text)?;
            sheet.write_string(1, col, example(field))?;
            sheet.set_column_width(col, 18)?;
            instructions.push((kind.as_str().to_string(), header.to_string(), help(tr, field)));
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    let sheet = wb.add_worksheet();
    sheet.set_name(if tr.is_km() { "ការណែនាំ" } else { "instructions" })?;
    sheet.write_string_with_format(0, 0, tr.t("imp-help-title"), &bold)?;
    sheet.write_string(1, 0, tr.t("imp-help-intro"))?;
    for (col, key) in ["imp-report-sheet", "imp-report-column", "imp-help-takes"].into_iter().enumerate() {
        sheet.write_string_with_format(3, col as u16, tr.t(key), &bold)?;
    }
    for (i, (kind, header, takes)) in instructions.iter().enumerate() {
        let row = 4 + i as u32;
        sheet.write_string(row, 0, kind)?;
        sheet.write_string(row, 1, header)?;
        sheet.write_string(row, 2, takes)?;
    }
    sheet.set_column_width(1, 28)?;
    sheet.set_column_width(2, 100)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// The template, filled in as it comes, reads back through the importer without an
    /// unknown column or sheet, in both languages.
    #[test]
    fn the_template_reads_back_without_unknown_columns() {
        for lang in [Lang::En, Lang::Km] {
            let bytes = workbook(&Tr::new(lang)).unwrap();
            let wb = krousar_import::read("template.xlsx", &bytes).unwrap();
            let mut problems = krousar_import::report::Problems::default();
            let mapped = krousar_import::check::map_sheets(&wb, &mut problems);
            assert_eq!(mapped.len(), 4, "{lang:?}");
            assert!(problems.list.is_empty(), "{lang:?}: {:?}", problems.list);
            assert!(mapped.iter().all(|m| m.rows.len() == 1));
        }
    }
}
