//! Measuring an XLSX before anything reads it. A workbook is a zip of XML parts, and a zip can
//! inflate a thousandfold: a 1.7 MB upload whose shared strings unpack to 700 MB once took the
//! server to 2 GB. calamine holds some parts whole in memory (the shared strings, the styles,
//! the workbook), streams the sheets, and buffers each XML event (a text or a tag) whole. So
//! every part is inflated here to nowhere, its true size counted (declared sizes can lie) and
//! its markup scanned, and the workbook is refused unless each of those stays small:
//! - the shared strings part, and how many strings it holds;
//! - every other part that is read whole;
//! - the longest text or tag (one XML event), comments and CDATA included;
//! - how many cells and merged ranges the sheets hold (each becomes memory as it is read).

use crate::workbook::ReadError;
use std::io::{Cursor, Read};

/// All parts of an XLSX together, inflated (reading them takes time, not memory).
pub const MAX_INFLATED_BYTES: u64 = 768 * 1024 * 1024;
/// The shared strings part, inflated: calamine keeps every string in memory. (The benchmark's
/// 100,000 children: 12.8 MB, 413,000 strings.)
pub const MAX_SHARED_STRINGS_BYTES: u64 = 24 * 1024 * 1024;
/// Strings in the shared strings part (each costs a `String` and an allocation besides its text).
pub const MAX_SHARED_STRINGS: u64 = 600_000;
/// Any other part read whole (styles, workbook, relationships, theme), inflated. Excel's own
/// limit of 64,000 cell formats fits in a few megabytes of styles.
pub const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;
/// The longest text or tag, which the XML reader buffers whole. A cell holds at most 32,767
/// characters (up to 4 bytes each, and escapes make text longer still).
pub const MAX_EVENT_BYTES: u64 = 1024 * 1024;
/// Cells in all sheets. The benchmark's 100,000 children with their households are 1.6
/// million; each cell read costs about 40 bytes besides its text.
pub const MAX_CELLS: u64 = 3_000_000;
/// Merged ranges in all sheets.
pub const MAX_MERGES: u64 = 100_000;
/// Parts of a zip: a workbook has a few dozen.
const MAX_ZIP_ENTRIES: usize = 2_000;

/// What a part is to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SharedStrings,
    /// Streamed (sheets), or never read (images and other media): only the total bounds them.
    Streamed,
    /// Read whole.
    Whole,
}

fn kind(name: &str) -> Kind {
    let lower = name.to_ascii_lowercase().replace('\\', "/");
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    if file == "sharedstrings.xml" {
        Kind::SharedStrings
    } else if lower.contains("worksheets/") || lower.contains("media/") || !file.ends_with(".xml") && !file.ends_with(".rels") {
        Kind::Streamed
    } else {
        Kind::Whole
    }
}

/// The markup scanner: one pass over a part's bytes, in chunks, with no buffer of its own.
#[derive(Default)]
struct Scan {
    /// Inside `<…>` (or a comment or CDATA section, which end differently).
    in_tag: bool,
    mode: Mode,
    /// The start of the tag's name (enough to tell `c`, `si`, `mergeCell`, `!--`, `![CDATA[`).
    name: [u8; 12],
    name_len: usize,
    name_done: bool,
    /// The last two bytes, for `-->` and `]]>`.
    last: [u8; 2],
    /// Bytes of the current event.
    run: u64,
    longest: u64,
    cells: u64,
    strings: u64,
    merges: u64,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    #[default]
    Tag,
    Comment,
    Cdata,
}

impl Scan {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.run += 1;
            if !self.in_tag {
                if b == b'<' {
                    self.end_run();
                    self.in_tag = true;
                    self.mode = Mode::Tag;
                    (self.name_len, self.name_done) = (0, false);
                    self.run = 1;
                }
            } else {
                if !self.name_done {
                    if b.is_ascii_whitespace() || b == b'>' || b == b'/' && self.name_len > 0 {
                        self.name_done = true;
                        self.count();
                    } else if self.name_len < self.name.len() {
                        self.name[self.name_len] = b;
                        self.name_len += 1;
                        match &self.name[..self.name_len] {
                            b"!--" => (self.mode, self.name_done) = (Mode::Comment, true),
                            b"![CDATA[" => (self.mode, self.name_done) = (Mode::Cdata, true),
                            _ => {}
                        }
                    }
                }
                let closes = match self.mode {
                    Mode::Tag => b == b'>',
                    Mode::Comment => b == b'>' && self.last == *b"--",
                    Mode::Cdata => b == b'>' && self.last == *b"]]",
                };
                if closes {
                    self.end_run();
                    self.in_tag = false;
                }
            }
            self.last = [self.last[1], b];
        }
    }

    fn end_run(&mut self) {
        self.longest = self.longest.max(self.run);
        self.run = 0;
    }

    /// Count the element just named, by its local name (prefixes such as `x:` are allowed).
    fn count(&mut self) {
        let name = &self.name[..self.name_len];
        if name.first() == Some(&b'/') {
            return; // an end tag
        }
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        match local {
            b"c" => self.cells += 1,
            b"si" => self.strings += 1,
            b"mergeCell" => self.merges += 1,
            _ => {}
        }
    }
}

/// Inflate every part to nowhere, counting and scanning: refused unless every bound holds.
pub(crate) fn measure_zip(bytes: &[u8], limit: u64) -> Result<(), ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Damaged(e.to_string()))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(ReadError::Inflates);
    }
    let mut total: u64 = 0;
    let (mut cells, mut merges) = (0u64, 0u64);
    let mut chunk = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(m) if m.contains("encrypt") => ReadError::Encrypted,
            e => ReadError::Damaged(e.to_string()),
        })?;
        if entry.encrypted() {
            return Err(ReadError::Encrypted);
        }
        let part = entry.name().map_err(|e| ReadError::Damaged(e.to_string()))?.to_string();
        let kind = kind(&part);
        let lower = part.to_ascii_lowercase();
        let markup = lower.ends_with(".xml") || lower.ends_with(".rels");
        let mut scan = Scan::default();
        let mut size: u64 = 0;
        loop {
            let n = entry.read(&mut chunk).map_err(|e| ReadError::Damaged(e.to_string()))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if total > limit {
                return Err(ReadError::Inflates);
            }
            match kind {
                Kind::SharedStrings if size > MAX_SHARED_STRINGS_BYTES => return Err(ReadError::SharedStringsTooLarge),
                Kind::Whole if size > MAX_PART_BYTES => return Err(ReadError::PartTooLarge(part)),
                _ => {}
            }
            if !markup {
                continue; // images and other binary parts are never parsed
            }
            scan.feed(&chunk[..n]);
            if scan.longest.max(scan.run) > MAX_EVENT_BYTES {
                return Err(ReadError::Damaged(format!("{part} holds a text or tag of more than {MAX_EVENT_BYTES} bytes")));
            }
            if scan.strings > MAX_SHARED_STRINGS {
                return Err(ReadError::SharedStringsTooLarge);
            }
            if cells + scan.cells > MAX_CELLS || merges + scan.merges > MAX_MERGES {
                return Err(ReadError::TooManyCells);
            }
        }
        cells += scan.cells;
        merges += scan.merges;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(xml: &str) -> Scan {
        let mut s = Scan::default();
        // In small chunks, as a part arrives.
        for piece in xml.as_bytes().chunks(3) {
            s.feed(piece);
        }
        s.end_run();
        s
    }

    #[test]
    fn the_scanner_counts_elements_and_measures_events() {
        let s = scanned(
            r#"<x:sheetData><x:row><x:c r="A1" t="s"><x:v>0</x:v></x:c><c r="B1"/><col/></x:row></x:sheetData><mergeCells><mergeCell ref="A1:B1"/></mergeCells>"#,
        );
        assert_eq!((s.cells, s.merges), (2, 1));
        let s = scanned("<sst><si><t>abc</t></si><si><t>defghij</t></si></sst>");
        assert_eq!(s.strings, 2);
        assert_eq!(s.longest, 8, "the longest event: the text `defghij` (counted with the `<` that ends it)");
        // A comment or CDATA section is one event, whatever it holds.
        let long = format!("<a><![CDATA[{}]]></a>", "<b>x</b>".repeat(100));
        assert!(scanned(&long).longest > 800);
        let long = format!("<a><!--{}--></a>", "<b>x</b>".repeat(100));
        assert!(scanned(&long).longest > 800);
        assert_eq!(scanned(&format!("<a><!--{}--></a>", "<c>")).cells, 0, "nothing counted inside a comment");
    }

    #[test]
    fn parts_are_told_apart() {
        assert_eq!(kind("xl/sharedStrings.xml"), Kind::SharedStrings);
        assert_eq!(kind("XL\\SharedStrings.XML"), Kind::SharedStrings);
        assert_eq!(kind("xl/worksheets/sheet1.xml"), Kind::Streamed);
        assert_eq!(kind("xl/media/image1.png"), Kind::Streamed);
        assert_eq!(kind("xl/styles.xml"), Kind::Whole);
        assert_eq!(kind("_rels/.rels"), Kind::Whole);
    }
}
