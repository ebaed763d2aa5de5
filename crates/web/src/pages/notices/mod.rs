//! Notices in the pages: the inbox (`inbox.rs`), a person's choices and calendar feed
//! (`choices.rs`), an organisation's defaults and the installation's mail server (`admin.rs`).

pub mod admin;
pub mod choices;
pub mod inbox;

use crate::i18n::Tr;
use krousar_domain::notify::Notice;

/// A notice's line in the reader's language ("3 visits are overdue").
pub fn line(tr: Tr, n: &Notice) -> String {
    tr.tn(&n.event.text_key(), n.count)
}
