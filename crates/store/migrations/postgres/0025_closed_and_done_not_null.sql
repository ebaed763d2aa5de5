-- The date indexes of migration 0019 serve indicators' ranges ("closed in this quarter"), never
-- "still open": kept to the rows with a date. SQLite's statistics average rows per key, NULL
-- included, so it took "closed_on IS NULL" (330,000 open cases) for 11 rows and walked this
-- index to find a manager's due reassessments (227 ms instead of 2).
DROP INDEX cases_closed;
CREATE INDEX cases_closed ON cases (closed_on) WHERE closed_on IS NOT NULL;
DROP INDEX follow_up_done;
CREATE INDEX follow_up_done ON follow_up_visits (done_on) WHERE done_on IS NOT NULL;
