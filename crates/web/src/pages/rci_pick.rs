//! The institution pick-list: every RCI grouped by province, the child's own province first, so
//! a worker finds one name among hundreds without scrolling through the whole country.

use crate::i18n::Tr;
use crate::views::Opt;
use krousar_store::rcis::RciChoice;
use krousar_store::{Store, StoreError};
use std::collections::{BTreeMap, HashMap};

/// One `<optgroup>`.
pub struct OptGroup {
    pub label: String,
    pub opts: Vec<Opt>,
}

/// The groups of the pick-list, `selected` marked, `first_province` (a province code) first.
pub async fn rci_groups(store: &Store, tr: Tr, selected: Option<&str>, first_province: Option<&str>) -> Result<Vec<OptGroup>, StoreError> {
    let choices = store.rci_choices().await?;
    let mut codes: Vec<String> = choices.iter().filter_map(|c| c.province_code.clone()).collect();
    codes.sort();
    codes.dedup();
    let names = store.location_paths(&codes).await?.into_iter().map(|p| (p.code.clone(), p.label(tr.is_km()))).collect();
    Ok(group(&choices, &names, &tr.t("opt-no-province"), selected, first_province))
}

/// Groups by province in the order of the provinces' names, the first province leading and
/// institutions without a province last; within a group the order of `choices` (by name).
fn group(
    choices: &[RciChoice],
    province_names: &HashMap<String, String>,
    no_province: &str,
    selected: Option<&str>,
    first_province: Option<&str>,
) -> Vec<OptGroup> {
    // Sort key: (not the first province, no province, province name).
    let mut groups: BTreeMap<(bool, bool, String), Vec<Opt>> = BTreeMap::new();
    for c in choices {
        let code = c.province_code.as_deref().filter(|p| province_names.contains_key(*p));
        let label = code.map(|p| province_names[p].clone()).unwrap_or_else(|| no_province.to_string());
        let key = (code.is_none() || code != first_province, code.is_none(), label);
        let value = c.id.to_string();
        let opt = Opt { selected: selected == Some(value.as_str()), value, label: c.name.clone() };
        groups.entry(key).or_default().push(opt);
    }
    groups.into_iter().map(|((_, _, label), opts)| OptGroup { label, opts }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn rci(n: u128, name: &str, province: Option<&str>) -> RciChoice {
        RciChoice { id: Uuid::from_u128(n), name: name.into(), province_code: province.map(str::to_string) }
    }

    #[test]
    fn groups_by_province_with_the_childs_first_and_the_unplaced_last() {
        let names: HashMap<String, String> =
            [("12", "Phnom Penh"), ("02", "Battambang"), ("17", "Siem Reap")].map(|(c, n)| (c.to_string(), n.to_string())).into();
        let choices = [
            rci(1, "Angkor Home", Some("17")),
            rci(2, "Bamboo House", None),
            rci(3, "City Centre", Some("12")),
            rci(4, "Delta Care", Some("02")),
            rci(5, "Eden", Some("17")),
            rci(6, "Far Away", Some("99")),
        ];
        let g = group(&choices, &names, "No province", Some(&Uuid::from_u128(5).to_string()), Some("17"));
        let labels: Vec<&str> = g.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["Siem Reap", "Battambang", "Phnom Penh", "No province"]);
        let siem_reap: Vec<(&str, bool)> = g[0].opts.iter().map(|o| (o.label.as_str(), o.selected)).collect();
        assert_eq!(siem_reap, [("Angkor Home", false), ("Eden", true)]);
        // An unknown province code is treated as no province, not dropped.
        let last: Vec<&str> = g[3].opts.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(last, ["Bamboo House", "Far Away"]);
        assert_eq!(g.iter().map(|g| g.opts.len()).sum::<usize>(), choices.len());
    }

    #[test]
    fn without_a_first_province_groups_follow_the_names() {
        let names: HashMap<String, String> =
            [("12", "Phnom Penh"), ("02", "Battambang")].map(|(c, n)| (c.to_string(), n.to_string())).into();
        let g = group(&[rci(1, "A", Some("12")), rci(2, "B", Some("02"))], &names, "-", None, None);
        assert_eq!(g.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), ["Battambang", "Phnom Penh"]);
        assert!(g.iter().flat_map(|g| &g.opts).all(|o| !o.selected));
    }
}
