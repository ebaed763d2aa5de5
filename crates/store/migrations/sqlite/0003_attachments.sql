-- Files attached to a case (photos, scanned documents). The bytes live on disk outside the
-- database (see attachments.rs); this table holds what is needed to serve and verify them.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES cases(child_id),
    entry_id TEXT REFERENCES case_entries(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_child ON attachments (child_id, created_at);
