-- Large exports prepared in the background (krousar_store::export_jobs): the state lives here so
-- that any app server can show the progress; the file is written beside the attachments and only
-- appears, by a rename, once complete.
CREATE TABLE export_jobs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    format TEXT NOT NULL,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    created_at TEXT NOT NULL,
    heartbeat TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX export_jobs_user ON export_jobs (user_id, created_at);
