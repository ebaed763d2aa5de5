-- The team view counts open cases by worker: cases carry their child's worker as they carry its
-- team (migration 0054), copied by the same triggers, so the counts are index-only ranges
-- instead of a lookup of each open case's child (4.8 ms of a manager's 1,617).
ALTER TABLE cases ADD COLUMN worker_id TEXT;
UPDATE cases SET worker_id = (SELECT c.assigned_worker_id FROM children c WHERE c.id = cases.child_id);

DROP TRIGGER cases_team_insert;
DROP TRIGGER cases_team_update;
CREATE TRIGGER cases_team_insert AFTER INSERT ON cases BEGIN
    UPDATE cases SET (team_id, worker_id) = (SELECT c.team_id, c.assigned_worker_id FROM children c WHERE c.id = NEW.child_id)
        WHERE child_id = NEW.child_id;
END;
CREATE TRIGGER cases_team_update AFTER UPDATE OF child_id, team_id, worker_id ON cases BEGIN
    UPDATE cases SET (team_id, worker_id) = (SELECT c.team_id, c.assigned_worker_id FROM children c WHERE c.id = NEW.child_id)
        WHERE child_id = NEW.child_id;
END;
DROP TRIGGER children_team_moves;
CREATE TRIGGER children_team_moves AFTER UPDATE OF team_id ON children WHEN OLD.team_id IS NOT NEW.team_id BEGIN
    UPDATE follow_up_visits SET team_id = NEW.team_id WHERE child_id = NEW.id;
    UPDATE case_approvals SET team_id = NEW.team_id WHERE child_id = NEW.id;
END;
CREATE TRIGGER children_case_moves AFTER UPDATE OF team_id, assigned_worker_id ON children
    WHEN OLD.team_id IS NOT NEW.team_id OR OLD.assigned_worker_id IS NOT NEW.assigned_worker_id BEGIN
    UPDATE cases SET team_id = NEW.team_id, worker_id = NEW.assigned_worker_id WHERE child_id = NEW.id;
END;

CREATE INDEX cases_org_worker_open ON cases (org_id, worker_id) WHERE closed_on IS NULL;
CREATE INDEX cases_team_worker_open ON cases (team_id, worker_id) WHERE closed_on IS NULL;
