-- A user's saved filters of the child list (the list's query string), to reuse.
CREATE TABLE saved_searches (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX saved_searches_user ON saved_searches (user_id, name);
