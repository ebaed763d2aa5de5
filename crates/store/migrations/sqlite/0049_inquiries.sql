-- Families searching for a child (issue 26). An inquiry belongs to the office that recorded
-- it; a match found at an organisation is a row of `inquiry_matches`, answered there. The
-- records meant (`targets`) are that organisation's children and are never shown to the
-- searcher's office.
CREATE TABLE inquiries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    outcome_note TEXT,
    closed_at TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX inquiries_org ON inquiries (org_id, recorded_at);

CREATE TABLE inquiry_matches (
    id TEXT PRIMARY KEY,
    inquiry_id TEXT NOT NULL REFERENCES inquiries(id),
    holder_org TEXT NOT NULL REFERENCES organisations(id),
    targets TEXT NOT NULL,
    state TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT REFERENCES users(id),
    answered_at TEXT,
    child_id TEXT REFERENCES children(id),
    created_at TEXT NOT NULL
);
CREATE INDEX inquiry_matches_holder ON inquiry_matches (holder_org, state, created_at);
CREATE INDEX inquiry_matches_inquiry ON inquiry_matches (inquiry_id);
