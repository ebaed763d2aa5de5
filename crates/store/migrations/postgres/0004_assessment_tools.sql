-- Assessment tools defined by an organisation's administrator (see krousar_domain::case::tool).
-- A tool is never edited once used: a new version is a new tool; an old one is retired.
CREATE TABLE assessment_tools (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name_km TEXT NOT NULL,
    name_en TEXT NOT NULL,
    definition TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX assessment_tools_org ON assessment_tools (org_id, active);
