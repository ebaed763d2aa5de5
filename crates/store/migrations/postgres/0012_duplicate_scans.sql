-- Scanning a whole organisation for children registered twice: a job kept in the database (so
-- any app server can carry on with it after a restart) and the pairs it found.
CREATE TABLE duplicate_scans (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    started_by TEXT NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    checked BIGINT NOT NULL DEFAULT 0,
    last_seq BIGINT NOT NULL DEFAULT 0,
    heartbeat TEXT NOT NULL,
    error TEXT
);
CREATE INDEX duplicate_scans_org ON duplicate_scans (org_id, started_at);
CREATE INDEX duplicate_scans_state ON duplicate_scans (state, heartbeat);

-- A pair in the organisation (child_a < child_b), or one of its children and a possible match in
-- another organisation (other_org set; that child is never shown).
CREATE TABLE duplicate_scan_pairs (
    scan_id TEXT NOT NULL REFERENCES duplicate_scans(id),
    child_a TEXT NOT NULL REFERENCES children(id),
    child_b TEXT NOT NULL REFERENCES children(id),
    score_percent BIGINT NOT NULL,
    other_org TEXT REFERENCES organisations(id),
    PRIMARY KEY (scan_id, child_a, child_b)
);
