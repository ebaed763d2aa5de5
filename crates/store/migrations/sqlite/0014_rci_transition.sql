-- Residential care institutions in transition: the stage each is at (and since when), and
-- what happened on the way (stage changes, inspections against the Minimum Standards, staff).
ALTER TABLE rcis ADD COLUMN transition_stage TEXT NOT NULL DEFAULT 'operating';
ALTER TABLE rcis ADD COLUMN stage_since TEXT;
CREATE INDEX rcis_stage ON rcis (transition_stage, province_code);

CREATE TABLE rci_events (
    id TEXT PRIMARY KEY,
    rci_id TEXT NOT NULL REFERENCES rcis(id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX rci_events_rci ON rci_events (rci_id, kind, on_date);
