//! A large workbook in Krousar's template for the import benchmark (`bench/import.sh`):
//! `cargo run --release -p krousar-import --example make_workbook -- OUT.xlsx CHILDREN`.
//! Staff (one per 200 children), households (one per two children) and children with names in
//! both scripts, dates written the several ways people write them, and real addresses from the
//! shipped gazetteer in Khmer or Latin letters.

use krousar_import::columns::{template_headers, Field, SheetKind};
use rust_xlsxwriter::Workbook;

const FAMILY: [(&str, &str); 8] =
    [("សុខ", "Sok"), ("ចាន់", "Chan"), ("កែវ", "Keo"), ("ហេង", "Heng"), ("លី", "Ly"), ("មាស", "Meas"), ("ស៊ុន", "Sun"), ("ពៅ", "Pov")];
const GIVEN: [(&str, &str); 8] = [
    ("ស្រីពៅ", "Sreypov"),
    ("ដារ៉ា", "Dara"),
    ("សុភា", "Sophea"),
    ("វណ្ណា", "Vanna"),
    ("ចន្ថា", "Chantha"),
    ("រតនា", "Rotana"),
    ("បុប្ផា", "Bopha"),
    ("វិចិត្រ", "Vichet"),
];

fn khmer_digits(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_digit() { char::from_u32(0x17E0 + (c as u32 - '0' as u32)).unwrap() } else { c }).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).ok_or("usage: make_workbook OUT.xlsx CHILDREN")?;
    let n: usize = args.get(2).map_or(Ok(100_000), |s| s.parse())?;
    let tsv = include_str!("../../store/data/gazetteer-ncdd-2025.tsv");
    let names: std::collections::HashMap<&str, (&str, &str)> = tsv
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 4).then(|| (f[0], (f[2], f[3])))
        })
        .collect();
    // In code order, so that every run makes the same workbook.
    let mut villages: Vec<&str> = names.keys().filter(|c| c.len() == 8).copied().collect();
    villages.sort_unstable();
    let mut wb = Workbook::new();
    let fill = |wb: &mut Workbook,
                kind: SheetKind,
                rows: usize,
                cell: &dyn Fn(usize, Field) -> String|
     -> Result<(), Box<dyn std::error::Error>> {
        let sheet = wb.add_worksheet();
        sheet.set_name(kind.as_str())?;
        let headers = template_headers(kind);
        for (c, (_, en, _)) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *en)?;
        }
        for r in 0..rows {
            for (c, (field, _, _)) in headers.iter().enumerate() {
                let v = cell(r, *field);
                if !v.is_empty() {
                    sheet.write_string(r as u32 + 1, c as u16, &v)?;
                }
            }
        }
        Ok(())
    };
    let staff = n.div_ceil(200);
    fill(&mut wb, SheetKind::Staff, staff, &|r, f| match f {
        Field::StaffId => format!("S-{r}"),
        Field::StaffFullName => format!("{} {}{r}", FAMILY[r % 8].1, GIVEN[r % 8].1),
        Field::Role => "social-worker".into(),
        _ => String::new(),
    })?;
    let place = |r: usize, f: Field| -> String {
        let v = villages[(r * 7919) % villages.len()];
        let code = match f {
            Field::Province => &v[..2],
            Field::District => &v[..4],
            Field::Commune => &v[..6],
            Field::Village => v,
            _ => return String::new(),
        };
        let (km, latin) = names[code];
        if r.is_multiple_of(2) {
            km.to_string()
        } else {
            latin.to_string()
        }
    };
    fill(&mut wb, SheetKind::Households, n / 2, &|r, f| match f {
        Field::HouseholdId => format!("H-{r}"),
        Field::HouseholdName => format!("{} family {r}", FAMILY[r % 8].1),
        Field::Province | Field::District | Field::Commune | Field::Village => place(r, f),
        _ => String::new(),
    })?;
    fill(&mut wb, SheetKind::Children, n, &|r, f| {
        let (fam, given) = (FAMILY[(r / 8) % 8], GIVEN[r % 8]);
        let (y, m, d) = (2008 + r % 12, 1 + r % 12, 1 + r % 28);
        match f {
            Field::ChildId => format!("C-{r}"),
            Field::FamilyNameKm => fam.0.into(),
            Field::GivenNameKm => format!("{}{}", given.0, khmer_digits(&r.to_string())),
            Field::FamilyNameLatin => fam.1.into(),
            Field::GivenNameLatin => format!("{}{r}", given.1),
            Field::Sex => if r.is_multiple_of(2) { "F" } else { "M" }.into(),
            Field::DateOfBirth => match r % 3 {
                0 => format!("{y}-{m:02}-{d:02}"),
                1 => format!("{d:02}/{m:02}/{y}"),
                _ => khmer_digits(&format!("{d}/{m}/{y}")),
            },
            Field::ChildHouseholdId => format!("H-{}", r / 2),
            Field::WorkerId => format!("S-{}", r / 200),
            Field::Province | Field::District | Field::Commune | Field::Village => place(r / 2, f),
            _ => String::new(),
        }
    })?;
    wb.save(out)?;
    Ok(())
}
