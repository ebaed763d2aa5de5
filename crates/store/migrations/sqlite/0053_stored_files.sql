-- Attached files kept in the database (issue 27): the default with PostgreSQL, so that several
-- app servers share nothing on disk and backups carry every file; a SQLite backup carries its
-- files directory here too. `file_pieces` holds a photo sent from a phone piece by piece until
-- its last piece arrives.
CREATE TABLE stored_files (
    name TEXT PRIMARY KEY,
    bytes BLOB NOT NULL,
    size BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE file_pieces (
    name TEXT NOT NULL,
    at BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (name, at)
);
