-- An import from the pages runs in the background in two steps — the check (dry run), then,
-- when the administrator says so, the import — while the page shows how far it has come. The
-- uploaded workbook waits in the files directory (`imports/<id>`); the report is kept here.
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    file_name TEXT NOT NULL,
    phase TEXT NOT NULL,
    state TEXT NOT NULL,
    accept_fixes INTEGER NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    report TEXT,
    import_id TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    heartbeat TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX import_jobs_user ON import_jobs (user_id, created_at);
