//! Families searching for a child, in the pages: the office's inquiries (`office.rs`) and the
//! searches that may concern the organisation's children (`incoming.rs`).

pub mod incoming;
pub mod office;

use crate::i18n::Tr;
use krousar_domain::inquiry::Inquiry;

/// Who is looking, for whom, in one line each: shown to both sides.
pub fn described(tr: Tr, i: &Inquiry) -> (String, String) {
    let who = format!("{} ({})", i.searcher_name, tr.t(&i.searcher_relationship.label_key()));
    let f = &i.sought;
    let names: Vec<&str> = [&f.family_name_km, &f.given_name_km, &f.family_name_latin, &f.given_name_latin, &f.nickname]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let mut sought = format!("{} · {}", names.join(" "), tr.t(&f.sex.label_key()));
    if let Some(y) = f.estimated_birth_year {
        sought.push_str(&format!(" · {}", tr.t1("msg-born-about", "year", tr.num(y))));
    }
    (who, sought)
}
