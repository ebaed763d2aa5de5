-- Referrals to organisations that do not use Krousar: printed, handed over, and their outcome
-- recorded by the sender.
CREATE TABLE external_referrals (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    partner TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_by TEXT NOT NULL REFERENCES users(id),
    sent_at TEXT NOT NULL,
    outcome TEXT,
    outcome_at TEXT
);
CREATE INDEX external_referrals_org ON external_referrals (org_id, sent_at);
