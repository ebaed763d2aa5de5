//! Schema migrations, embedded in the binary, one list per engine kept in lockstep (same
//! versions and names; a test checks it). Each runs in its own transaction.

use crate::db::{now_text, Backend, Store};
use crate::error::StoreError;
use sqlx::{AssertSqlSafe, Row};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "cases",
        sqlite: include_str!("../migrations/sqlite/0002_cases.sql"),
        postgres: include_str!("../migrations/postgres/0002_cases.sql"),
    },
    Migration {
        version: 3,
        name: "attachments",
        sqlite: include_str!("../migrations/sqlite/0003_attachments.sql"),
        postgres: include_str!("../migrations/postgres/0003_attachments.sql"),
    },
    Migration {
        version: 4,
        name: "assessment_tools",
        sqlite: include_str!("../migrations/sqlite/0004_assessment_tools.sql"),
        postgres: include_str!("../migrations/postgres/0004_assessment_tools.sql"),
    },
    Migration {
        version: 5,
        name: "co_worker",
        sqlite: include_str!("../migrations/sqlite/0005_co_worker.sql"),
        postgres: include_str!("../migrations/postgres/0005_co_worker.sql"),
    },
    Migration {
        version: 6,
        name: "merges",
        sqlite: include_str!("../migrations/sqlite/0006_merges.sql"),
        postgres: include_str!("../migrations/postgres/0006_merges.sql"),
    },
    Migration {
        version: 7,
        name: "referrals",
        sqlite: include_str!("../migrations/sqlite/0007_referrals.sql"),
        postgres: include_str!("../migrations/postgres/0007_referrals.sql"),
    },
    Migration {
        version: 8,
        name: "match_requests",
        sqlite: include_str!("../migrations/sqlite/0008_match_requests.sql"),
        postgres: include_str!("../migrations/postgres/0008_match_requests.sql"),
    },
    Migration {
        version: 9,
        name: "external_referrals",
        sqlite: include_str!("../migrations/sqlite/0009_external_referrals.sql"),
        postgres: include_str!("../migrations/postgres/0009_external_referrals.sql"),
    },
    Migration {
        version: 10,
        name: "sensitive",
        sqlite: include_str!("../migrations/sqlite/0010_sensitive.sql"),
        postgres: include_str!("../migrations/postgres/0010_sensitive.sql"),
    },
    Migration {
        version: 11,
        name: "team_hierarchy",
        sqlite: include_str!("../migrations/sqlite/0011_team_hierarchy.sql"),
        postgres: include_str!("../migrations/postgres/0011_team_hierarchy.sql"),
    },
    Migration {
        version: 12,
        name: "duplicate_scans",
        sqlite: include_str!("../migrations/sqlite/0012_duplicate_scans.sql"),
        postgres: include_str!("../migrations/postgres/0012_duplicate_scans.sql"),
    },
    Migration {
        version: 13,
        name: "carers",
        sqlite: include_str!("../migrations/sqlite/0013_carers.sql"),
        postgres: include_str!("../migrations/postgres/0013_carers.sql"),
    },
    Migration {
        version: 14,
        name: "rci_transition",
        sqlite: include_str!("../migrations/sqlite/0014_rci_transition.sql"),
        postgres: include_str!("../migrations/postgres/0014_rci_transition.sql"),
    },
    Migration {
        version: 15,
        name: "cash_support",
        sqlite: include_str!("../migrations/sqlite/0015_cash_support.sql"),
        postgres: include_str!("../migrations/postgres/0015_cash_support.sql"),
    },
    Migration {
        version: 16,
        name: "training",
        sqlite: include_str!("../migrations/sqlite/0016_training.sql"),
        postgres: include_str!("../migrations/postgres/0016_training.sql"),
    },
    Migration {
        version: 17,
        name: "rci_documents",
        sqlite: include_str!("../migrations/sqlite/0017_rci_documents.sql"),
        postgres: include_str!("../migrations/postgres/0017_rci_documents.sql"),
    },
    Migration {
        version: 18,
        name: "saved_searches",
        sqlite: include_str!("../migrations/sqlite/0018_saved_searches.sql"),
        postgres: include_str!("../migrations/postgres/0018_saved_searches.sql"),
    },
    Migration {
        version: 19,
        name: "indicator_dates",
        sqlite: include_str!("../migrations/sqlite/0019_indicator_dates.sql"),
        postgres: include_str!("../migrations/postgres/0019_indicator_dates.sql"),
    },
    Migration {
        version: 20,
        name: "export_jobs",
        sqlite: include_str!("../migrations/sqlite/0020_export_jobs.sql"),
        postgres: include_str!("../migrations/postgres/0020_export_jobs.sql"),
    },
    Migration {
        version: 21,
        name: "legacy_note_index",
        sqlite: include_str!("../migrations/sqlite/0021_legacy_note_index.sql"),
        postgres: include_str!("../migrations/postgres/0021_legacy_note_index.sql"),
    },
    Migration {
        version: 22,
        name: "first_contact_open",
        sqlite: include_str!("../migrations/sqlite/0022_first_contact_open.sql"),
        postgres: include_str!("../migrations/postgres/0022_first_contact_open.sql"),
    },
    Migration {
        version: 23,
        name: "children_org_team_statistics",
        sqlite: include_str!("../migrations/sqlite/0023_children_org_team_statistics.sql"),
        postgres: include_str!("../migrations/postgres/0023_children_org_team_statistics.sql"),
    },
    Migration {
        version: 24,
        name: "org_case_dues",
        sqlite: include_str!("../migrations/sqlite/0024_org_case_dues.sql"),
        postgres: include_str!("../migrations/postgres/0024_org_case_dues.sql"),
    },
    Migration {
        version: 25,
        name: "closed_and_done_not_null",
        sqlite: include_str!("../migrations/sqlite/0025_closed_and_done_not_null.sql"),
        postgres: include_str!("../migrations/postgres/0025_closed_and_done_not_null.sql"),
    },
    Migration {
        version: 26,
        name: "org_events",
        sqlite: include_str!("../migrations/sqlite/0026_org_events.sql"),
        postgres: include_str!("../migrations/postgres/0026_org_events.sql"),
    },
    Migration {
        version: 27,
        name: "imports",
        sqlite: include_str!("../migrations/sqlite/0027_imports.sql"),
        postgres: include_str!("../migrations/postgres/0027_imports.sql"),
    },
    Migration {
        version: 28,
        name: "import_jobs",
        sqlite: include_str!("../migrations/sqlite/0028_import_jobs.sql"),
        postgres: include_str!("../migrations/postgres/0028_import_jobs.sql"),
    },
    Migration {
        version: 29,
        name: "archived_audit",
        sqlite: include_str!("../migrations/sqlite/0029_archived_audit.sql"),
        postgres: include_str!("../migrations/postgres/0029_archived_audit.sql"),
    },
    Migration {
        version: 30,
        name: "offline_devices",
        sqlite: include_str!("../migrations/sqlite/0030_offline_devices.sql"),
        postgres: include_str!("../migrations/postgres/0030_offline_devices.sql"),
    },
    Migration {
        version: 31,
        name: "disclosure",
        sqlite: include_str!("../migrations/sqlite/0031_disclosure.sql"),
        postgres: include_str!("../migrations/postgres/0031_disclosure.sql"),
    },
    Migration {
        version: 32,
        name: "second_factor_failures",
        sqlite: include_str!("../migrations/sqlite/0032_second_factor_failures.sql"),
        postgres: include_str!("../migrations/postgres/0032_second_factor_failures.sql"),
    },
    Migration {
        version: 33,
        name: "limits_and_snapshots",
        sqlite: include_str!("../migrations/sqlite/0033_limits_and_snapshots.sql"),
        postgres: include_str!("../migrations/postgres/0033_limits_and_snapshots.sql"),
    },
    Migration {
        version: 34,
        name: "device_secrets",
        sqlite: include_str!("../migrations/sqlite/0034_device_secrets.sql"),
        postgres: include_str!("../migrations/postgres/0034_device_secrets.sql"),
    },
    Migration {
        version: 35,
        name: "installation",
        sqlite: include_str!("../migrations/sqlite/0035_installation.sql"),
        postgres: include_str!("../migrations/postgres/0035_installation.sql"),
    },
    Migration {
        version: 36,
        name: "sessions_devices_and_sealed_totp",
        sqlite: include_str!("../migrations/sqlite/0036_sessions_devices_and_sealed_totp.sql"),
        postgres: include_str!("../migrations/postgres/0036_sessions_devices_and_sealed_totp.sql"),
    },
    Migration {
        version: 37,
        name: "case_number_search",
        sqlite: include_str!("../migrations/sqlite/0037_case_number_search.sql"),
        postgres: include_str!("../migrations/postgres/0037_case_number_search.sql"),
    },
];

impl Store {
    /// Apply every migration not yet applied. Safe to run from several servers at once.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let mut applied = Vec::new();
        for m in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            if self.backend == Backend::Postgres {
                // Several app servers may start together; one migrates, the others wait.
                sqlx::query("SELECT pg_advisory_xact_lock(4711)").execute(&mut *tx).await?;
            }
            let done = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>("n")?;
            if done > 0 {
                continue;
            }
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(now_text())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            applied.push(m.version);
        }
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_name_the_same_tables_on_both_engines() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            let tables = |sql: &str| -> Vec<String> {
                sql.lines()
                    .filter_map(|l| l.trim().strip_prefix("CREATE TABLE ").or_else(|| l.trim().strip_prefix("CREATE VIRTUAL TABLE ")))
                    .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
                    .collect()
            };
            assert_eq!(tables(m.sqlite), tables(m.postgres), "migration {} differs", m.name);
        }
    }
}
