-- A second worker on a child's case. Indexed like the first, so "my caseload" stays an index
-- lookup.
ALTER TABLE children ADD COLUMN co_worker_id TEXT REFERENCES users(id);
CREATE INDEX children_co_worker ON children (co_worker_id, seq);
