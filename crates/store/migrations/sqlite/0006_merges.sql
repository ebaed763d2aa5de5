-- Duplicates resolved by people: two records marked as different children (remembered, so the
-- pair is not proposed again), and records merged into another (kept, pointing to the survivor).
CREATE TABLE duplicate_decisions (
    child_a TEXT NOT NULL REFERENCES children(id),
    child_b TEXT NOT NULL REFERENCES children(id),
    decision TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT NOT NULL,
    PRIMARY KEY (child_a, child_b)
);
ALTER TABLE children ADD COLUMN merged_into TEXT REFERENCES children(id);
