-- Flags on a child's record (issue 25): a warning everyone working on the child sees first.
-- Removed with a reason, never deleted. `version` grows with every change, so a device's copy
-- of the child (its stamp adds the versions of the child's flags) knows to download it again.
CREATE TABLE child_flags (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    until_on TEXT,
    raised_on TEXT NOT NULL,
    raised_by TEXT NOT NULL REFERENCES users(id),
    raised_at TEXT NOT NULL,
    removed_on TEXT,
    removed_by TEXT REFERENCES users(id),
    removed_at TEXT,
    removed_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX child_flags_child ON child_flags (child_id);
-- Lists filtered by flag look for a child's flags that still hold.
CREATE INDEX child_flags_open ON child_flags (kind, child_id) WHERE removed_at IS NULL;
