-- Support given to many households at once (issue 26): a distribution and, for each household
-- on its list, whether it was received and signed for.
CREATE TABLE distributions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    given_on TEXT NOT NULL,
    place TEXT,
    note TEXT,
    items TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX distributions_org ON distributions (org_id, given_on);

CREATE TABLE distribution_households (
    distribution_id TEXT NOT NULL REFERENCES distributions(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    state TEXT NOT NULL,
    received_on TEXT,
    signed BIGINT NOT NULL DEFAULT 0,
    recorded_by TEXT REFERENCES users(id),
    recorded_at TEXT,
    PRIMARY KEY (distribution_id, household_id)
);
CREATE INDEX distribution_households_household ON distribution_households (household_id, received_on);
CREATE INDEX distribution_households_received ON distribution_households (state, received_on);
