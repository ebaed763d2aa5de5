-- A supervisor's worklist and team view read their team's open cases, visits and approvals as
-- index ranges (issue 27: 291 ms for her home page on the national PostgreSQL, which walked
-- the team's thousand children and looked each one's events up). The team is the child's
-- (`children.team_id`, the one fact); these copies follow it through triggers, whatever path
-- writes a case, a visit or an approval or moves a child between teams, and `krousar check`
-- proves they agree.
ALTER TABLE cases ADD COLUMN team_id TEXT;
ALTER TABLE follow_up_visits ADD COLUMN team_id TEXT;
ALTER TABLE case_approvals ADD COLUMN team_id TEXT;
UPDATE cases k SET team_id = c.team_id FROM children c WHERE c.id = k.child_id AND c.team_id IS NOT NULL;
UPDATE follow_up_visits f SET team_id = c.team_id FROM children c WHERE c.id = f.child_id AND c.team_id IS NOT NULL;
UPDATE case_approvals a SET team_id = c.team_id FROM children c WHERE c.id = a.child_id AND c.team_id IS NOT NULL;

CREATE FUNCTION team_of_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.team_id := (SELECT c.team_id FROM children c WHERE c.id = NEW.child_id);
    RETURN NEW;
END $$;
CREATE TRIGGER cases_team BEFORE INSERT OR UPDATE OF child_id, team_id ON cases
    FOR EACH ROW EXECUTE FUNCTION team_of_child();
CREATE TRIGGER follow_up_visits_team BEFORE INSERT OR UPDATE OF child_id, team_id ON follow_up_visits
    FOR EACH ROW EXECUTE FUNCTION team_of_child();
CREATE TRIGGER case_approvals_team BEFORE INSERT OR UPDATE OF child_id, team_id ON case_approvals
    FOR EACH ROW EXECUTE FUNCTION team_of_child();

CREATE FUNCTION child_changes_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET team_id = NEW.team_id WHERE child_id = NEW.id;
    UPDATE follow_up_visits SET team_id = NEW.team_id WHERE child_id = NEW.id;
    UPDATE case_approvals SET team_id = NEW.team_id WHERE child_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER children_team_moves AFTER UPDATE OF team_id ON children
    FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id) EXECUTE FUNCTION child_changes_team();

CREATE INDEX follow_up_team_open ON follow_up_visits (team_id, due_on) WHERE done_on IS NULL;
CREATE INDEX case_approvals_team_pending ON case_approvals (team_id, requested_at) WHERE state = 'pending';
CREATE INDEX cases_team_first_contact ON cases (team_id, first_contact_due) WHERE first_contact_on IS NULL AND closed_on IS NULL;
CREATE INDEX cases_team_reassessment ON cases (team_id, reassessment_due) WHERE closed_on IS NULL;
CREATE INDEX cases_team_plan_review ON cases (team_id, plan_review_due) WHERE closed_on IS NULL;
CREATE INDEX cases_team_stage ON cases (team_id, stage, risk_level);
