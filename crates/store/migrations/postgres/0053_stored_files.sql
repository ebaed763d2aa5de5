-- Attached files kept in the database (issue 27): the default with PostgreSQL, so that several
-- app servers share nothing on disk and backups carry every file; a SQLite backup carries its
-- files directory here too. `file_pieces` holds a photo sent from a phone piece by piece until
-- its last piece arrives.
CREATE TABLE stored_files (
    name TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
-- Photos and PDFs are compressed already: stored out of line without compressing them again.
ALTER TABLE stored_files ALTER COLUMN bytes SET STORAGE EXTERNAL;

CREATE TABLE file_pieces (
    name TEXT NOT NULL,
    at BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (name, at)
);
ALTER TABLE file_pieces ALTER COLUMN bytes SET STORAGE EXTERNAL;
