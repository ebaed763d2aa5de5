//! The organisation's own forms on pages: building them (`builder`), filling them in on a
//! case or a record (`answer`, `record`), counting their answers (`report`) and listing the
//! records behind each count (`report_records`), and the fields both show (`fields`).

pub mod answer;
pub mod answers_import;
pub mod builder;
pub mod fields;
pub mod record;
pub mod registration;
pub mod report;
pub mod report_records;
pub mod sharing;
