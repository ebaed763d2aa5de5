-- A worker who learns that a child may be known at another organisation asks that organisation;
-- its supervisor sees which of its own records are meant and answers. The asker never sees them.
CREATE TABLE match_requests (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    from_org TEXT NOT NULL REFERENCES organisations(id),
    to_org TEXT NOT NULL REFERENCES organisations(id),
    targets TEXT NOT NULL,
    message TEXT,
    state TEXT NOT NULL,
    answer TEXT,
    asked_by TEXT NOT NULL REFERENCES users(id),
    asked_at TEXT NOT NULL,
    answered_by TEXT REFERENCES users(id),
    answered_at TEXT
);
CREATE INDEX match_requests_to ON match_requests (to_org, state);
CREATE INDEX match_requests_from ON match_requests (from_org, state);
