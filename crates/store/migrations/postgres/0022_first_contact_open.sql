-- Cases still waiting for their first contact (a few percent of all cases), for the worklists:
-- without it PostgreSQL read every case in the country to find a manager's few (144 ms).
CREATE INDEX cases_first_contact_open ON cases (child_id, first_contact_due) WHERE first_contact_on IS NULL AND closed_on IS NULL;
