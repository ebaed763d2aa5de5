-- Teams in a hierarchy the organisation configures: a supervisor oversees their team and every
-- team below it.
ALTER TABLE teams ADD COLUMN parent_id TEXT REFERENCES teams(id);
CREATE INDEX teams_org ON teams (org_id, parent_id);
