-- The audit entries an organisation brings in its archive from another installation: kept as
-- they were written there (with that installation's hashes), beside this installation's own
-- hash-chained log, which only ever records what happened here.
CREATE TABLE archived_audit (
    org_id TEXT NOT NULL REFERENCES organisations(id),
    archive_sha256 TEXT NOT NULL,
    entry TEXT NOT NULL
);
CREATE INDEX archived_audit_org ON archived_audit (org_id);
