-- A manager's worklist and team view: an organisation's open visits and pending approvals as
-- index ranges. Each walked the organisation's 5,000 children and looked up every child's
-- visits and approvals (12 ms of SQL for a manager's home page on SQLite). Visits and approvals
-- carry their case's organisation, set on insert and again when a case moves (transfer) or its
-- records move (merge): `cases::events_follow_case`.
ALTER TABLE follow_up_visits ADD COLUMN org_id TEXT REFERENCES organisations(id);
ALTER TABLE case_approvals ADD COLUMN org_id TEXT REFERENCES organisations(id);
UPDATE follow_up_visits SET org_id = (SELECT k.org_id FROM cases k WHERE k.child_id = follow_up_visits.child_id);
UPDATE case_approvals SET org_id = (SELECT k.org_id FROM cases k WHERE k.child_id = case_approvals.child_id);
CREATE INDEX follow_up_org_open ON follow_up_visits (org_id, due_on) WHERE done_on IS NULL;
CREATE INDEX case_approvals_org_pending ON case_approvals (org_id, requested_at) WHERE state = 'pending';
-- Cases by stage and risk for an organisation from the index alone (it read each case's row
-- for its risk level).
DROP INDEX cases_org_stage;
CREATE INDEX cases_org_stage ON cases (org_id, stage, risk_level);
-- The children of a team or an organisation by id without reading their rows: the worklist
-- and team view walk them (`with_mine`) and read names only for what they show.
CREATE INDEX children_scope_ids ON children (org_id, team_id) INCLUDE (id, assigned_worker_id);
-- A team's worklist and cases by stage look each child's case up: its due dates, stage and
-- risk from the index alone (the reassessment and plan review parts read every case's row).
CREATE INDEX cases_child_work ON cases (child_id, closed_on, reassessment_due, plan_review_due, stage, risk_level);
