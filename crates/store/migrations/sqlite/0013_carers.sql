-- Foster and kinship carers: recruitment campaigns, the carer households (each also a household,
-- so that a child's placement with it is an ordinary placement), and the steps of their pipeline.
CREATE TABLE carer_campaigns (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    village_code TEXT,
    organiser TEXT NOT NULL,
    attended_female INTEGER NOT NULL,
    attended_male INTEGER NOT NULL,
    note TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX carer_campaigns_org ON carer_campaigns (org_id, held_on);

CREATE TABLE carers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    phone TEXT,
    village_code TEXT,
    province_code TEXT,
    campaign_id TEXT REFERENCES carer_campaigns(id),
    source TEXT,
    worker_id TEXT NOT NULL REFERENCES users(id),
    languages TEXT NOT NULL,
    disability_skills INTEGER NOT NULL,
    note TEXT,
    -- The pipeline's facts (krousar_domain::carer::CarerFacts as JSON) and what follows from them.
    facts TEXT NOT NULL,
    next_due_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX carers_org ON carers (org_id, seq);
CREATE INDEX carers_household ON carers (household_id);

CREATE TABLE carer_entries (
    id TEXT PRIMARY KEY,
    carer_id TEXT NOT NULL REFERENCES carers(id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX carer_entries_carer ON carer_entries (carer_id, on_date);

-- The household a child is placed with, so that a carer's placements and room are one lookup.
ALTER TABLE cases ADD COLUMN placement_household_id TEXT;
CREATE INDEX cases_placement_household ON cases (placement_household_id);
