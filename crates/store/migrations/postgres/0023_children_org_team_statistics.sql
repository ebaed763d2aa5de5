-- A team belongs to one organisation, so "org_id = ? AND team_id = ?" is as selective as the
-- team alone; without these statistics PostgreSQL multiplied the two and expected 5 of a
-- team's 1,000 children, and planned supervisors' lists and team views for 5.
CREATE STATISTICS children_org_team (dependencies) ON org_id, team_id FROM children;
ANALYZE children;
