-- Documents of an RCI's transition (its plan, surveys, evaluations): files kept like case
-- attachments, outside the database, checked against their hash when read.
CREATE TABLE rci_documents (
    id TEXT PRIMARY KEY,
    rci_id TEXT NOT NULL REFERENCES rcis(id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX rci_documents_rci ON rci_documents (rci_id, created_at);
