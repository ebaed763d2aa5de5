-- Referrals and transfers of a child's case between organisations, with the consent behind them.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    from_org TEXT NOT NULL REFERENCES organisations(id),
    to_org TEXT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_by TEXT NOT NULL REFERENCES users(id),
    sent_at TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    decision_reason TEXT
);
CREATE INDEX referrals_to ON referrals (to_org, state, sent_at);
CREATE INDEX referrals_from ON referrals (from_org, state, sent_at);
CREATE INDEX referrals_child ON referrals (child_id, state);
