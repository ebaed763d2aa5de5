//! The organisation's own forms on pages: building them (`builder`), filling them in on a
//! case (`answer`), counting their answers (`report`), and the fields both show (`fields`).

pub mod answer;
pub mod answers_import;
pub mod builder;
pub mod fields;
pub mod record;
pub mod report;
pub mod sharing;
