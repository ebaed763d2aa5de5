//! What an organisation's archive holds, read from the schema itself so that a table added
//! later is carried without anyone remembering to: every table, its columns (integer or text:
//! the only two types the schema uses) and its references, and which of its rows belong to an
//! organisation — those with its `org_id`, or referring to rows that do.

use crate::db::Backend;
use crate::error::StoreError;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    /// (column, is an integer), in the table's order.
    pub columns: Vec<(String, bool)>,
    /// (column, referenced table, referenced column).
    pub refs: Vec<(String, String, String)>,
    /// Columns that may be empty (NULL): a row does not belong to an organisation through one.
    pub nullable: Vec<String>,
}

impl Table {
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|(c, _)| c == column)
    }
}

/// Tables that are no organisation's records: the installation's own bookkeeping, the shared
/// gazetteer, secrets and sessions, jobs, and indexes rebuilt from the records.
pub fn left_out(table: &str) -> bool {
    matches!(
        table,
        "schema_migrations" | "_sqlx_migrations" | "settings" | "audit_head" | "locations" | "sessions" | "api_tokens" | "export_jobs" | "import_jobs"
            // A device's key and what it sent belong to that installation's devices, not to the records.
            | "devices" | "sync_changes"
    ) || table.contains("_search")
        // Notices, their deliveries and settings, mail secrets and calendar feeds: the
        // installation's messages to its people, not an organisation's records.
        || table.starts_with("notification")
        // What one organisation answered another about a family's search: it names the
        // answering organisation's children, which no archive of the searcher's may carry.
        || table == "inquiry_matches"
}

/// Tables whose rows other organisations share: an archive carries the ones its records refer
/// to (another organisation's name, a colleague's name, a residential care institution), never
/// their other records.
pub fn shared(table: &str) -> bool {
    matches!(table, "organisations" | "users" | "rcis")
}

/// The tables an archive may carry (all but those `left_out`).
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<Table>, StoreError> {
    tables_where(conn, backend, |n| !left_out(n)).await
}

/// The tables of the schema whose name `keep` accepts.
pub async fn tables_where(conn: &mut AnyConnection, backend: Backend, keep: impl Fn(&str) -> bool) -> Result<Vec<Table>, StoreError> {
    let names: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar("SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| keep(n)) {
        let (columns_sql, refs_sql) = match backend {
            Backend::Sqlite => (
                "SELECT name AS c, CASE WHEN upper(type) LIKE '%INT%' THEN 1 ELSE 0 END AS i, CASE WHEN \"notnull\" = 0 AND pk = 0 THEN 1 ELSE 0 END AS n \
                 FROM pragma_table_info($1) ORDER BY cid",
                "SELECT \"from\" AS c, \"table\" AS t, COALESCE(\"to\", 'id') AS r FROM pragma_foreign_key_list($1)",
            ),
            Backend::Postgres => (
                "SELECT CAST(column_name AS TEXT) AS c, CASE WHEN data_type IN ('bigint', 'integer', 'smallint') THEN 1 ELSE 0 END AS i, \
                 CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS n \
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                "SELECT CAST(a.attname AS TEXT) AS c, CAST(f.relname AS TEXT) AS t, CAST(b.attname AS TEXT) AS r FROM pg_constraint k \
                 JOIN pg_class s ON s.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid \
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
                 JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[1] \
                 WHERE k.contype = 'f' AND s.relname = $1",
            ),
        };
        let columns = sqlx::query(columns_sql).bind(&name).fetch_all(&mut *conn).await?;
        let refs = sqlx::query(refs_sql).bind(&name).fetch_all(&mut *conn).await?;
        out.push(Table {
            columns: columns.iter().map(|r| (r.get::<String, _>("c"), r.get::<i64, _>("i") == 1)).collect(),
            refs: refs.iter().map(|r| (r.get::<String, _>("c"), r.get::<String, _>("t"), r.get::<String, _>("r"))).collect(),
            nullable: columns.iter().filter(|r| r.get::<i64, _>("n") == 1).map(|r| r.get::<String, _>("c")).collect(),
            name,
        });
    }
    Ok(out)
}

/// Tables whose rows name their record by kind and id rather than by a reference: the archive
/// follows them by hand (`export_archive`), after the records they name.
pub fn by_owner(table: &str) -> bool {
    table == "profile_photos"
}

/// How each table's rows of one organisation are chosen (`$1` is its id), tables in an order
/// where every table comes after those it refers to. A table that reaches no organisation
/// (a national register, say) has no clause and is not archived.
pub fn ownership(tables: &[Table]) -> Vec<(String, String)> {
    let by_name: BTreeMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut owned: Vec<(String, String)> = vec![("organisations".into(), "id = $1".into())];
    loop {
        let mut grew = false;
        for t in tables {
            if owned.iter().any(|(n, _)| *n == t.name) || shared(&t.name) && t.name != "users" || by_owner(&t.name) {
                continue;
            }
            // Wait until everything it refers to is placed: itself aside, and the shared tables but
            // for the organisation's own users (whom records name as their workers and authors).
            let waiting = t.refs.iter().any(|(_, r, _)| {
                *r != t.name && (!shared(r) || r == "users") && by_name.contains_key(r.as_str()) && !owned.iter().any(|(n, _)| n == r)
            });
            // Its own organisation column; else the record it belongs to (a child, a household);
            // only failing those, the staff who wrote it (an institution's events).
            // Of several, the one nearest the organisation: an attachment belongs to its case
            // (which has the organisation's column), not to the entry it may be attached to;
            // and one every row has (a group member is its group's, whether or not it is also
            // a child or a household's person); then by name, the same on every engine.
            let through = |users: bool| {
                let mut found: Vec<((bool, bool, &str), String)> = t
                    .refs
                    .iter()
                    .filter_map(|(c, r, rc)| {
                        let (_, parent) = owned.iter().find(|(n, _)| n == r && r != "organisations" && (r == "users") == users)?;
                        let key = (parent != "org_id = $1", t.nullable.contains(c), c.as_str());
                        Some((key, format!("{c} IN (SELECT {rc} FROM {r} WHERE {parent})")))
                    })
                    .collect();
                found.sort_by(|a, b| a.0.cmp(&b.0));
                found.into_iter().next().map(|(_, c)| c)
            };
            let clause = if t.has("org_id") { Some("org_id = $1".to_string()) } else { through(false).or_else(|| through(true)) };
            match clause {
                Some(c) if !waiting => {
                    owned.push((t.name.clone(), c));
                    grew = true;
                }
                _ => {}
            }
        }
        if !grew {
            break;
        }
    }
    owned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, cols: &[&str], refs: &[(&str, &str)]) -> Table {
        Table {
            name: name.into(),
            columns: cols.iter().map(|c| (c.to_string(), false)).collect(),
            refs: refs.iter().map(|(c, r)| (c.to_string(), r.to_string(), "id".to_string())).collect(),
            nullable: Vec::new(),
        }
    }

    #[test]
    fn rows_belong_through_their_references_parents_first() {
        let tables = vec![
            t("notes", &["id", "child_id"], &[("author_id", "users"), ("entry_id", "entries"), ("child_id", "children")]),
            t("entries", &["id", "child_id"], &[("child_id", "children")]),
            t("children", &["id", "org_id"], &[("org_id", "organisations"), ("rci_id", "rcis")]),
            t("organisations", &["id"], &[]),
            t("users", &["id", "org_id"], &[("org_id", "organisations")]),
            t("rcis", &["id"], &[("created_by", "users")]),
            t("teams", &["id", "org_id", "parent_id"], &[("parent_id", "teams")]),
        ];
        let owned = ownership(&tables);
        let names: Vec<&str> = owned.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["organisations", "children", "users", "teams", "entries", "notes"]);
        assert_eq!(owned[5].1, "child_id IN (SELECT id FROM children WHERE org_id = $1)");
    }

    #[test]
    fn a_row_belongs_through_a_reference_it_always_has() {
        let mut members = t("members", &["id", "household_id", "group_id"], &[("household_id", "households"), ("group_id", "groups")]);
        members.nullable = vec!["household_id".into()];
        let tables =
            vec![t("organisations", &["id"], &[]), t("households", &["id", "org_id"], &[]), t("groups", &["id", "org_id"], &[]), members];
        let owned = ownership(&tables);
        let clause = &owned.iter().find(|(n, _)| n == "members").unwrap().1;
        assert_eq!(clause, "group_id IN (SELECT id FROM groups WHERE org_id = $1)");
    }
}
