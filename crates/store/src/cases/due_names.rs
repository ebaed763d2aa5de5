//! The children's names and case numbers of due items, read for the items shown only: a
//! supervisor's worklist is hundreds of items, her home page shows thirty of them.

use super::read::DueItem;
use crate::children;
use crate::db::{RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Children named per statement.
const NAMED_AT_ONCE: usize = 200;

impl Store {
    /// Give `items` their children's names (in Khmer or Latin letters) and case numbers, each
    /// child read once.
    pub async fn name_due_items(&self, items: &mut [&mut DueItem], khmer: bool) -> Result<(), StoreError> {
        let mut ids: Vec<Uuid> = items.iter().map(|i| i.child_id).collect();
        ids.sort();
        ids.dedup();
        let mut names: BTreeMap<Uuid, (String, String)> = BTreeMap::new();
        for chunk in ids.chunks(NAMED_AT_ONCE) {
            let mut q = Sql::new(
                "SELECT c.id, c.case_number, c.family_name_km, c.given_name_km, c.family_name_latin, c.given_name_latin FROM children c WHERE c.id IN (",
            );
            for (i, id) in chunk.iter().enumerate() {
                q.push(if i == 0 { "" } else { ", " }).bind_text(id.to_string());
            }
            q.push(")");
            for r in q.query().fetch_all(&self.pool).await? {
                let [fkm, gkm, fl, gl] =
                    ["family_name_km", "given_name_km", "family_name_latin", "given_name_latin"].map(|c| r.opt_text(c));
                let name = children::display_name(&fkm?, &gkm?, &fl?, &gl?, khmer);
                names.insert(r.uuid("id")?, (r.opt_text("case_number")?.unwrap_or_default(), name));
            }
        }
        for item in items.iter_mut() {
            if let Some((number, name)) = names.get(&item.child_id) {
                item.case_number = number.clone();
                item.child_name = name.clone();
            }
        }
        Ok(())
    }
}
