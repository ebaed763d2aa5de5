-- Imports of workbooks (Krousar's template, OSCaR's): each file imported once, and each record
-- it brought in under the workbook's own ID, so that importing the same file (or a later,
-- longer one) again creates nothing twice. Columns that are no Krousar field are kept with
-- the record as they were written (`extra`, JSON): nothing a user brings is dropped.
CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    layout TEXT NOT NULL,
    counts TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX imports_org ON imports (org_id, created_at);
CREATE TABLE import_keys (
    org_id TEXT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    import_id TEXT NOT NULL REFERENCES imports(id),
    extra TEXT,
    PRIMARY KEY (org_id, kind, external_id)
);
CREATE INDEX import_keys_record ON import_keys (record_id);
