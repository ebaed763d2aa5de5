//! A workbook as the importer sees it: sheets of rows of plain cells, read from XLSX or CSV
//! bytes within limits. Workbooks come from outside and may be hostile: a zip bomb is measured
//! by actually inflating and scanning each part (`inflate.rs`; declared sizes can lie) before
//! calamine reads anything, rows, columns, cells and their text are counted while cells stream
//! in, and every refusal says why in words a user can act on (`ReadError::key`).

use calamine::{DataRef, Reader, SheetVisible, Xlsx};
use chrono::NaiveDate;
use std::io::Cursor;

/// The largest upload accepted (a 100,000-row workbook is about 10 MB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
use crate::inflate::{measure_zip, MAX_PART_BYTES, MAX_SHARED_STRINGS_BYTES};
pub use crate::inflate::{MAX_CELLS, MAX_INFLATED_BYTES};
/// Rows per sheet (header included).
pub const MAX_ROWS: u32 = 250_000;
/// Columns per sheet.
pub const MAX_COLUMNS: u32 = 256;
/// Excel's own limit for one cell; longer text was not made by a spreadsheet.
pub const MAX_CELL_CHARS: usize = 32_767;
/// The memory the cells read may take, in bytes (each cell about 40, its text and the text's
/// allocation besides): a shared string is copied into every cell that uses it, so a small
/// workbook could otherwise repeat one long string millions of times. The benchmark's 100,000
/// children with their households take about 100 MB; with the shared strings and the upload
/// itself, reading stays under 256 MB whatever the workbook.
pub const MAX_READ_BYTES: usize = 128 * 1024 * 1024;
const CELL_BYTES: usize = 40;
const ALLOCATION_BYTES: usize = 16;

/// What reading may still take, so that memory stays bounded whatever the workbook holds.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    bytes: usize,
}

impl Budget {
    pub(crate) fn take(&mut self, cell: &Cell) -> Result<(), ReadError> {
        self.bytes += CELL_BYTES;
        if let Cell::Text(s) | Cell::Error(s) = cell {
            self.bytes += s.len() + ALLOCATION_BYTES;
        }
        if self.bytes > MAX_READ_BYTES {
            return Err(ReadError::TooMuchText);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A spreadsheet error value (#N/A, #REF!…), kept as written.
    Error(String),
}

impl Cell {
    /// The cell as the user sees it, for reports.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Cell::Error(e) => e.clone(),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// One row: its cells by column (0-based), left to right, blanks left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// The row number the user sees (1-based).
    pub number: u32,
    pub cells: Vec<(u32, Cell)>,
}

impl Row {
    pub fn get(&self, column: u32) -> Option<&Cell> {
        self.cells.iter().find(|(c, _)| *c == column).map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    /// Rows with at least one cell, top to bottom.
    pub rows: Vec<Row>,
    /// Cells holding a formula (row, column; 1-based row): their cached value is what is read.
    pub formulas: Vec<(u32, u32)>,
    /// Merged ranges ((first row, first column), (last row, last column)); rows 1-based.
    pub merged: Vec<((u32, u32), (u32, u32))>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is larger than {MAX_FILE_BYTES} bytes")]
    FileTooLarge,
    #[error("the file is neither an XLSX workbook nor a CSV file")]
    NotAWorkbook,
    #[error("the workbook inflates to more than {MAX_INFLATED_BYTES} bytes (a zip bomb?)")]
    Inflates,
    #[error("the workbook's shared strings inflate to more than {MAX_SHARED_STRINGS_BYTES} bytes")]
    SharedStringsTooLarge,
    #[error("the part {0} of the workbook inflates to more than {MAX_PART_BYTES} bytes")]
    PartTooLarge(String),
    #[error("the workbook has more than {MAX_CELLS} cells")]
    TooManyCells,
    #[error("the workbook's cells take more than {MAX_READ_BYTES} bytes to read")]
    TooMuchText,
    #[error("the workbook is encrypted")]
    Encrypted,
    #[error("sheet {0} has more than {MAX_ROWS} rows")]
    TooManyRows(String),
    #[error("sheet {0} has more than {MAX_COLUMNS} columns")]
    TooManyColumns(String),
    #[error("sheet {sheet}, row {row}: a cell longer than {MAX_CELL_CHARS} characters")]
    CellTooLong { sheet: String, row: u32 },
    #[error("the CSV file is not UTF-8 text")]
    NotUtf8,
    #[error("the workbook is damaged: {0}")]
    Damaged(String),
}

impl ReadError {
    /// The message key shown to the user (`import-read-*`).
    pub fn key(&self) -> &'static str {
        match self {
            ReadError::FileTooLarge => "import-read-too-large",
            ReadError::NotAWorkbook => "import-read-not-workbook",
            ReadError::Inflates => "import-read-inflates",
            ReadError::SharedStringsTooLarge => "import-read-shared-strings",
            ReadError::PartTooLarge(_) => "import-read-part-too-large",
            ReadError::TooManyCells => "import-read-too-many-cells",
            ReadError::TooMuchText => "import-read-too-much-text",
            ReadError::Encrypted => "import-read-encrypted",
            ReadError::TooManyRows(_) => "import-read-too-many-rows",
            ReadError::TooManyColumns(_) => "import-read-too-many-columns",
            ReadError::CellTooLong { .. } => "import-read-cell-too-long",
            ReadError::NotUtf8 => "import-read-not-utf8",
            ReadError::Damaged(_) => "import-read-damaged",
        }
    }
}

/// Read a workbook: XLSX when the bytes are a zip, otherwise CSV (one sheet named after the file,
/// without its extension).
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Workbook, ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::FileTooLarge);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An old .xls or an encrypted OOXML file: both are compound documents.
        return Err(ReadError::NotAWorkbook);
    }
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    crate::csv_sheet::read(stem, bytes).map(|sheet| Workbook { sheets: vec![sheet] })
}

fn read_xlsx(bytes: &[u8]) -> Result<Workbook, ReadError> {
    measure_zip(bytes, MAX_INFLATED_BYTES)?;
    let damaged = |e: calamine::XlsxError| ReadError::Damaged(e.to_string());
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let metadata = xlsx.sheets_metadata().to_vec();
    let mut sheets = Vec::new();
    let mut budget = Budget::default();
    for meta in metadata.into_iter().filter(|m| m.typ == calamine::SheetType::WorkSheet) {
        let merged = xlsx
            .merge_cells_by_sheet_name(&meta.name)
            .unwrap_or_default()
            .into_iter()
            .map(|d| ((d.start.0 + 1, d.start.1), (d.end.0 + 1, d.end.1)))
            .collect();
        let mut sheet = Sheet { name: meta.name.clone(), hidden: meta.visible != SheetVisible::Visible, merged, ..Sheet::default() };
        let mut reader = xlsx.worksheet_cells_reader(&meta.name).map_err(damaged)?;
        while let Some(formula) = reader.next_cell_with_formula().map_err(damaged)? {
            let (row, col) = formula.pos;
            if row >= MAX_ROWS {
                return Err(ReadError::TooManyRows(meta.name));
            }
            if col >= MAX_COLUMNS {
                return Err(ReadError::TooManyColumns(meta.name));
            }
            let value = cell_of(&formula.value);
            if let Cell::Text(s) = &value {
                if s.chars().count() > MAX_CELL_CHARS {
                    return Err(ReadError::CellTooLong { sheet: meta.name, row: row + 1 });
                }
            }
            if formula.formula.as_ref().is_some_and(|f| !f.is_empty()) {
                sheet.formulas.push((row + 1, col));
            }
            if value.is_blank() {
                continue;
            }
            budget.take(&value)?;
            match sheet.rows.last_mut() {
                Some(last) if last.number == row + 1 => last.cells.push((col, value)),
                _ => {
                    // A row's cells grow by doubling: give back what the finished row will not use.
                    if let Some(last) = sheet.rows.last_mut() {
                        last.cells.shrink_to_fit();
                    }
                    sheet.rows.push(Row { number: row + 1, cells: vec![(col, value)] })
                }
            }
        }
        for row in &mut sheet.rows {
            row.cells.sort_by_key(|(c, _)| *c);
        }
        sheet.rows.sort_by_key(|r| r.number);
        sheets.push(sheet);
    }
    Ok(Workbook { sheets })
}

fn cell_of(v: &DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => match crate::dates::from_serial(d.as_f64()) {
            Some(date) if d.is_datetime() => Cell::Date(date),
            _ => Cell::Number(d.as_f64()),
        },
        DataRef::DateTimeIso(s) => {
            NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").map(Cell::Date).unwrap_or_else(|_| Cell::Text(s.clone()))
        }
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Formula, Workbook as Writer};
    use std::io::Write;

    /// A zip whose one part inflates far beyond its size, and lies about it.
    #[test]
    fn a_zip_bomb_is_measured_not_trusted() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("xl/worksheets/sheet1.xml", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all("<a/>".repeat(1024 * 1024).as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 64 * 1024, "it compresses {}x", 4 * 1024 * 1024 / bytes.len());
        assert_eq!(measure_zip(&bytes, 1024 * 1024), Err(ReadError::Inflates));
        assert_eq!(measure_zip(&bytes, 8 * 1024 * 1024), Ok(()));
        // Whole, it is no workbook either way: refused, not a panic.
        assert!(read("bomb.xlsx", &bytes).is_err());
    }

    type Part<'a> = (&'a str, &'a dyn Fn(&mut dyn Write));

    fn zip_of(parts: &[Part]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, write) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            write(&mut zip);
        }
        zip.finish().unwrap().into_inner()
    }

    /// Each part calamine would hold whole is bounded, and so is each XML event, before any
    /// of it is read: what is refused is never allocated.
    #[test]
    fn parts_read_whole_and_long_events_are_refused_before_reading() {
        let strings = zip_of(&[("xl/sharedStrings.xml", &|w| {
            let piece = "<si><t>Sok Dara</t></si>".repeat(40_000);
            for _ in 0..(crate::inflate::MAX_SHARED_STRINGS_BYTES as usize / piece.len() + 1) {
                w.write_all(piece.as_bytes()).unwrap();
            }
        })]);
        assert_eq!(read("s.xlsx", &strings), Err(ReadError::SharedStringsTooLarge));
        assert!(ReadError::SharedStringsTooLarge.to_string().contains(&crate::inflate::MAX_SHARED_STRINGS_BYTES.to_string()));
        let styles = zip_of(&[("xl/styles.xml", &|w| w.write_all("<xf/>".repeat(4 * 1024 * 1024).as_bytes()).unwrap())]);
        assert_eq!(read("s.xlsx", &styles), Err(ReadError::PartTooLarge("xl/styles.xml".into())));
        let long = zip_of(&[("xl/worksheets/sheet1.xml", &|w| {
            w.write_all(b"<c t=\"inlineStr\"><is><t>").unwrap();
            w.write_all(&vec![b'x'; 2 * 1024 * 1024]).unwrap();
        })]);
        assert!(matches!(read("s.xlsx", &long), Err(ReadError::Damaged(m)) if m.contains("text or tag")));
        let cells = zip_of(&[("xl/worksheets/sheet1.xml", &|w| {
            w.write_all("<c/>".repeat(crate::inflate::MAX_CELLS as usize + 1).as_bytes()).unwrap()
        })]);
        assert_eq!(read("s.xlsx", &cells), Err(ReadError::TooManyCells));
    }

    /// One short shared string used by many cells is copied into each: the text read is bounded.
    #[test]
    fn a_shared_string_repeated_in_many_cells_is_bounded() {
        let mut budget = Budget::default();
        let long = Cell::Text("x".repeat(MAX_CELL_CHARS));
        let fits = MAX_READ_BYTES / (MAX_CELL_CHARS + CELL_BYTES + ALLOCATION_BYTES);
        for _ in 0..fits {
            budget.take(&long).unwrap();
        }
        assert_eq!(budget.take(&long), Err(ReadError::TooMuchText));
    }

    #[test]
    fn damaged_and_foreign_files_are_refused_with_a_reason() {
        assert!(matches!(read("x.xlsx", b"PK\x03\x04 then nothing"), Err(ReadError::Damaged(_))));
        assert_eq!(read("x.xls", &[0xD0, 0xCF, 0x11, 0xE0, 0, 0]), Err(ReadError::NotAWorkbook));
        assert_eq!(read("x.csv", b"\xff\xfe\x00a"), Err(ReadError::NotUtf8));
    }

    /// Hidden sheets, merged cells and formulas are seen, so the report can say so.
    #[test]
    fn hidden_sheets_merges_and_formulas_are_recorded() {
        let mut w = Writer::new();
        let s = w.add_worksheet();
        s.set_name("children").unwrap();
        s.write_string(0, 0, "Child ID").unwrap();
        s.write_string(0, 1, "Given name (Latin)").unwrap();
        s.write_string(1, 0, "A").unwrap();
        s.merge_range(1, 1, 3, 1, "Dara", &rust_xlsxwriter::Format::new()).unwrap();
        s.write_formula(4, 1, Formula::new("=HYPERLINK(\"http://evil\")").set_result("evil")).unwrap();
        let h = w.add_worksheet();
        h.set_name("secret").unwrap();
        h.write_string(0, 0, "x").unwrap();
        h.set_hidden(true);
        let wb = read("t.xlsx", &w.save_to_buffer().unwrap()).unwrap();
        let children = &wb.sheets[0];
        assert_eq!(children.merged, vec![((2, 1), (4, 1))]);
        assert_eq!(children.formulas, vec![(5, 1)]);
        let row5 = children.rows.iter().find(|r| r.number == 5).unwrap();
        assert_eq!(row5.get(1), Some(&Cell::Text("evil".into())), "the cached value, not the formula");
        assert!(wb.sheets[1].hidden);
    }
}
