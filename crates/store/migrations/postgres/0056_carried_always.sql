-- The triggers that copy a child's team and worker onto its cases, visits and approvals
-- (migrations 0054, 0055) fire even when a bulk load of trusted data turns PostgreSQL's
-- per-row foreign-key triggers off (`session_replication_role = replica`, `gen-data`): what
-- they copy is not a check that may be skipped but the data itself.
ALTER TABLE cases ENABLE ALWAYS TRIGGER cases_team;
ALTER TABLE follow_up_visits ENABLE ALWAYS TRIGGER follow_up_visits_team;
ALTER TABLE case_approvals ENABLE ALWAYS TRIGGER case_approvals_team;
ALTER TABLE children ENABLE ALWAYS TRIGGER children_team_moves;
