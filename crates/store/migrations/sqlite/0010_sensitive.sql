-- A child's sensitive information (abuse, HIV status, disability details, health), sealed with a
-- key kept outside the database (see keyring.rs). `key_id` names the key, so a rotation can find
-- what is still sealed with an old one.
CREATE TABLE child_sensitive (
    child_id TEXT PRIMARY KEY REFERENCES children(id),
    key_id TEXT NOT NULL,
    sealed TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT REFERENCES users(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX child_sensitive_key ON child_sensitive (key_id);
