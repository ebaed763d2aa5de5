-- Forms filled in on a child's own record rather than on a case's timeline (issue 25): the
-- form says where (`target`); each answer is kept (the latest is what the record says now),
-- with the form's organisation (`org_id`, never changing: a form does not move) so that an
-- organisation's archive carries its answers.
ALTER TABLE custom_forms ADD COLUMN target TEXT NOT NULL DEFAULT 'case';
CREATE TABLE record_form_answers (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    form_id TEXT NOT NULL REFERENCES custom_forms(id),
    version_id TEXT NOT NULL REFERENCES custom_form_versions(id),
    child_id TEXT NOT NULL REFERENCES children(id),
    answered_on TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX record_form_answers_child ON record_form_answers (child_id, form_id, answered_on);
CREATE INDEX record_form_answers_form ON record_form_answers (form_id, answered_on);
