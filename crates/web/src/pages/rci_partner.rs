//! The organisation that works with an institution on its transition, as the RCI's form and
//! page show it. Only the ministry names it (`Action::NameRciPartner`); the partner changes the
//! institution's record and counts its children (`Action::CountRciResidents`).

use super::form::FormData;
use crate::auth::Current;
use crate::views::Opt;
use crate::AppState;
use krousar_domain::choices::OrgKind;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::StoreError;
use uuid::Uuid;

/// May the user name the partner?
pub fn may_name(cur: &Current) -> bool {
    decide(&cur.actor, Action::NameRciPartner, Target::Nothing).allowed()
}

/// The pick-list of organisations for whoever may name the partner (empty for anyone else, so
/// the form shows no field): "none", then every NGO, the one chosen (as sent, or `current`)
/// selected.
pub async fn options(state: &AppState, cur: &Current, current: Option<Uuid>, raw: &FormData) -> Result<Vec<Opt>, StoreError> {
    if !may_name(cur) {
        return Ok(Vec::new());
    }
    let chosen = match raw.get("partner_org_id") {
        Some(sent) => Some(sent).filter(|s| !s.is_empty()),
        None => current.map(|c| c.to_string()),
    };
    let mut opts = vec![Opt { value: String::new(), label: cur.tr.t("opt-none"), selected: chosen.is_none() }];
    for o in state.store.list_orgs().await?.into_iter().filter(|o| o.kind == OrgKind::Ngo) {
        let value = o.id.to_string();
        opts.push(Opt { selected: chosen.as_deref() == Some(value.as_str()), value, label: o.name });
    }
    Ok(opts)
}

/// The partner a form names: `None` when the user may not name one (whatever was sent: the
/// store would refuse a change) or the form has no such field, `Some(None)` for "none". Not an
/// id: the field's error.
pub fn chosen(cur: &Current, raw: &FormData) -> Result<Option<Option<Uuid>>, Invalid> {
    if !may_name(cur) {
        return Ok(None);
    }
    match raw.get("partner_org_id").map(|t| t.trim().to_string()) {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(Some(None)),
        Some(text) => text.parse::<Uuid>().map(|id| Some(Some(id))).map_err(|_| {
            let mut e = Invalid::default();
            e.push("partner_org_id", "err-invalid-choice");
            e
        }),
    }
}

/// The partner's name for the institution's page ("none" when it has none).
pub async fn name(state: &AppState, cur: &Current, partner: Option<Uuid>) -> Result<String, StoreError> {
    Ok(match partner {
        Some(id) => state.store.org(id).await?.name,
        None => cur.tr.t("opt-none"),
    })
}
