//! An organisation's people by name, for pickers: a worker to filter a list by or to assign a
//! child to, a task's owner. Four columns, not the whole account: the children list asked for
//! every account's fifteen columns (password hash and second-step secret among them) to fill one
//! select, a tenth of the page's time on a national server.

use crate::db::{RowExt, Store};
use crate::error::StoreError;
use krousar_domain::Role;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
}

impl Store {
    /// The people of `org`, in the order of their usernames (as the accounts page lists them).
    pub async fn people_of(&self, org: Uuid) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query("SELECT id, display_name, role, disabled FROM users WHERE org_id = $1 ORDER BY username")
            .bind(org.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Person {
                    id: r.uuid("id")?,
                    display_name: r.text("display_name")?,
                    role: r.code("role", Role::parse)?,
                    disabled: r.int("disabled")? != 0,
                })
            })
            .collect()
    }
}
