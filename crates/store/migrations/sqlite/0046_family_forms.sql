-- Forms filled in on a household's record or on a carer household's record (issue 25), kept
-- in the same table as the child's record forms: each answer names exactly one record (the
-- child, the household or the carer). SQLite cannot drop a NOT NULL, so the table is rebuilt
-- with its rows; the new columns come last, as PostgreSQL adds them.
CREATE TABLE record_form_answers_new (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    form_id TEXT NOT NULL REFERENCES custom_forms(id),
    version_id TEXT NOT NULL REFERENCES custom_form_versions(id),
    child_id TEXT REFERENCES children(id),
    answered_on TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    household_id TEXT REFERENCES households(id),
    carer_id TEXT REFERENCES carers(id),
    CHECK ((child_id IS NOT NULL) + (household_id IS NOT NULL) + (carer_id IS NOT NULL) = 1)
);
INSERT INTO record_form_answers_new (id, org_id, form_id, version_id, child_id, answered_on, body, recorded_by, recorded_at)
    SELECT id, org_id, form_id, version_id, child_id, answered_on, body, recorded_by, recorded_at FROM record_form_answers;
DROP TABLE record_form_answers;
ALTER TABLE record_form_answers_new RENAME TO record_form_answers;
CREATE INDEX record_form_answers_child ON record_form_answers (child_id, form_id, answered_on);
CREATE INDEX record_form_answers_form ON record_form_answers (form_id, answered_on);
CREATE INDEX record_form_answers_household ON record_form_answers (household_id, form_id, answered_on);
CREATE INDEX record_form_answers_carer ON record_form_answers (carer_id, form_id, answered_on);
