-- Offline work on phones and laptops. A device is enrolled by its signed-in user; the key that
-- encrypts what it carries is kept here and released only to that user's sessions, so a device
-- an administrator revokes can no longer open or send anything.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    data_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_sync_at TEXT,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX devices_user ON devices (user_id, created_at);
CREATE INDEX devices_org ON devices (org_id, created_at);

-- Cases a user chose to carry offline, besides their own caseload.
CREATE TABLE offline_cases (
    user_id TEXT NOT NULL REFERENCES users(id),
    child_id TEXT NOT NULL REFERENCES children(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (user_id, child_id)
);

-- One row per change received from a device, with the time the device recorded it and the
-- time it arrived: the answer a device gets again if it sends the same change twice.
CREATE TABLE sync_changes (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    child_id TEXT,
    recorded_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX sync_changes_device ON sync_changes (device_id, received_at);

-- A field changed on a device and on the server to different values: kept as the server has it
-- until the worker or a supervisor decides.
CREATE TABLE sync_conflicts (
    id TEXT PRIMARY KEY,
    change_id TEXT NOT NULL,
    child_id TEXT NOT NULL REFERENCES children(id),
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    field TEXT NOT NULL,
    base_value TEXT NOT NULL,
    server_value TEXT NOT NULL,
    device_value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT,
    UNIQUE (change_id, field)
);
CREATE INDEX sync_conflicts_child ON sync_conflicts (child_id, created_at);
CREATE INDEX sync_conflicts_open ON sync_conflicts (org_id, created_at) WHERE resolved_at IS NULL;
