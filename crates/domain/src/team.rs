//! Teams in a hierarchy an organisation configures (a province office above its district teams,
//! say): a supervisor sees the cases of their team and of every team below it.

use std::collections::HashMap;
use uuid::Uuid;

/// `root` and every team below it, `root` first. Safe on damaged data: a cycle ends the walk.
pub fn subtree(edges: &[(Uuid, Option<Uuid>)], root: Uuid) -> Vec<Uuid> {
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (team, parent) in edges {
        if let Some(p) = parent {
            children.entry(*p).or_default().push(*team);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        for c in children.get(&out[i]).into_iter().flatten() {
            if !out.contains(c) {
                out.push(*c);
            }
        }
        i += 1;
    }
    out
}

/// Whether `team` may be placed under `parent`: not under itself nor under a team below it
/// (which would make a loop), and only under a team of the same organisation (`edges` holds
/// one organisation's teams).
pub fn parent_allowed(edges: &[(Uuid, Option<Uuid>)], team: Uuid, parent: Option<Uuid>) -> bool {
    match parent {
        None => true,
        Some(p) => edges.iter().any(|(t, _)| *t == p) && !subtree(edges, team).contains(&p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_province_team_covers_its_district_teams() {
        // 1 province ─ 2 district ─ 3 commune; 4 apart.
        let edges = [(id(1), None), (id(2), Some(id(1))), (id(3), Some(id(2))), (id(4), None)];
        assert_eq!(subtree(&edges, id(1)), vec![id(1), id(2), id(3)]);
        assert_eq!(subtree(&edges, id(3)), vec![id(3)]);
        assert_eq!(subtree(&edges, id(4)), vec![id(4)]);
    }

    #[test]
    fn no_loops_and_no_foreign_parents() {
        let edges = [(id(1), None), (id(2), Some(id(1))), (id(3), Some(id(2)))];
        assert!(!parent_allowed(&edges, id(1), Some(id(3))), "under its own descendant");
        assert!(!parent_allowed(&edges, id(2), Some(id(2))), "under itself");
        assert!(!parent_allowed(&edges, id(2), Some(id(9))), "a team of another organisation");
        assert!(parent_allowed(&edges, id(3), Some(id(1))) && parent_allowed(&edges, id(3), None));
        // Damaged data with a loop still ends.
        let looped = [(id(1), Some(id(2))), (id(2), Some(id(1)))];
        assert_eq!(subtree(&looped, id(1)), vec![id(1), id(2)]);
    }
}
