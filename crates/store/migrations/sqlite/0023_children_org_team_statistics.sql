-- PostgreSQL only (statistics on the dependency of team on organisation): SQLite plans a
-- team's children from the children_team index and has no multi-column statistics.
SELECT 1;
