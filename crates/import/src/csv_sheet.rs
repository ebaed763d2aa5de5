//! A CSV file as one sheet. Excel writes "CSV UTF-8" with a byte-order mark, and in much of the
//! world with semicolons; both are accepted. Every value is text (CSV has no types); dates and
//! numbers are read from the text by the columns that expect them.

use crate::workbook::{Budget, Cell, ReadError, Row, Sheet, MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS};

/// The delimiter the header line uses most: comma, semicolon or tab.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    [b',', b';', b'\t'].into_iter().max_by_key(|d| first.bytes().filter(|b| b == d).count()).unwrap_or(b',')
}

pub fn read(name: &str, bytes: &[u8]) -> Result<Sheet, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
    if text.contains('\0') {
        return Err(ReadError::NotAWorkbook);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter(text)).from_reader(text.as_bytes());
    let mut sheet = Sheet { name: name.to_string(), ..Sheet::default() };
    let mut budget = Budget::default();
    // The line each record starts on, counted from its byte offset: the reader skips blank
    // lines (and its own line count with them), but a spreadsheet shows them as rows.
    let (mut counted_to, mut line) = (0usize, 1u64);
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Damaged(e.to_string()))?;
        let mut at = record.position().map_or(counted_to, |p| p.byte() as usize).min(text.len());
        // The position is where the reader started looking, before the blank lines it skipped.
        while at < text.len() && matches!(text.as_bytes()[at], b'\n' | b'\r') {
            at += 1;
        }
        line += text.as_bytes()[counted_to..at].iter().filter(|b| **b == b'\n').count() as u64;
        counted_to = at;
        let number = line.min(u64::from(MAX_ROWS) + 1) as u32;
        if number > MAX_ROWS {
            return Err(ReadError::TooManyRows(name.to_string()));
        }
        if record.len() as u32 > MAX_COLUMNS {
            return Err(ReadError::TooManyColumns(name.to_string()));
        }
        let mut cells = Vec::new();
        for (col, value) in record.iter().enumerate() {
            if value.chars().count() > MAX_CELL_CHARS {
                return Err(ReadError::CellTooLong { sheet: name.to_string(), row: number });
            }
            if !value.trim().is_empty() {
                let cell = Cell::Text(value.to_string());
                budget.take(&cell)?;
                cells.push((col as u32, cell));
            }
        }
        if !cells.is_empty() {
            sheet.rows.push(Row { number, cells });
        }
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_bom_and_quotes() {
        let s = read("children", "\u{feff}a;b;c\n1;\"x;y\";\n\n;;3\n".as_bytes()).unwrap();
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[1].get(1), Some(&Cell::Text("x;y".into())));
        assert_eq!(s.rows[2].number, 4);
        assert_eq!(s.rows[2].get(2), Some(&Cell::Text("3".into())));
    }

    #[test]
    fn refuses_other_encodings() {
        assert_eq!(read("x", b"caf\xe9,1\n"), Err(ReadError::NotUtf8));
    }
}
