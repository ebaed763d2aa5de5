-- Which installation this database is: one row, its random id filled in at the first start
-- (`installation.rs`). A backup records it, so a restore can tell a backup of another
-- installation from one of this.
CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    installation_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
