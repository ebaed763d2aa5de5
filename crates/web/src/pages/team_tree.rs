//! The organisation's teams as the users page lists them: each with the teams above it, and the
//! teams it may be placed under (never one of its own, which would make a loop).

use crate::auth::Current;
use crate::error::PageError;
use crate::views::Opt;
use crate::AppState;
use std::collections::HashMap;
use uuid::Uuid;

pub struct TeamRow {
    pub id: String,
    /// "Battambang › Moung Ruessei": the team with the teams above it.
    pub path: String,
    pub parents: Vec<Opt>,
}

/// Every team of the administrator's organisation with the teams it may be placed under.
pub async fn rows(state: &AppState, cur: &Current) -> Result<Vec<TeamRow>, PageError> {
    let teams = state.store.teams(cur.actor.org_id).await?;
    let edges: Vec<(Uuid, Option<Uuid>)> = teams.iter().map(|t| (t.id, t.parent_id)).collect();
    let names: HashMap<Uuid, &str> = teams.iter().map(|t| (t.id, t.name.as_str())).collect();
    let path = |mut id: Uuid| {
        let mut parts = Vec::new();
        while let Some(name) = names.get(&id) {
            if parts.len() > teams.len() {
                break; // damaged data: a loop
            }
            parts.push(*name);
            match edges.iter().find(|(t, _)| *t == id).and_then(|(_, p)| *p) {
                Some(p) => id = p,
                None => break,
            }
        }
        parts.reverse();
        parts.join(" › ")
    };
    let mut out: Vec<TeamRow> = teams
        .iter()
        .map(|t| {
            let mut parents = vec![Opt { value: String::new(), label: cur.tr.t("opt-top-team"), selected: t.parent_id.is_none() }];
            parents.extend(teams.iter().filter(|p| krousar_domain::team::parent_allowed(&edges, t.id, Some(p.id))).map(|p| Opt {
                value: p.id.to_string(),
                label: path(p.id),
                selected: t.parent_id == Some(p.id),
            }));
            TeamRow { id: t.id.to_string(), path: path(t.id), parents }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
