-- An organisation's own forms (issue 25): a draft edited field by field, and the versions
-- published from it, which never change. Answers are case entries (`custom_form`) naming their
-- version; `case_entries.form_id` (a fact column, as the others) finds a form's answers.
CREATE TABLE custom_forms (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    draft TEXT NOT NULL,
    current_version BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX custom_forms_org ON custom_forms (org_id);
CREATE TABLE custom_form_versions (
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES custom_forms(id),
    number BIGINT NOT NULL,
    definition TEXT NOT NULL,
    published_by TEXT REFERENCES users(id),
    published_at TEXT NOT NULL,
    UNIQUE (form_id, number)
);
ALTER TABLE case_entries ADD COLUMN form_id TEXT;
CREATE INDEX case_entries_form ON case_entries (form_id, occurred_on);
