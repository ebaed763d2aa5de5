-- How often each user asked a question that is limited per hour (the duplicate check), one row
-- per user, kind and hour. Counted by one atomic upsert, so parallel requests and several app
-- servers cannot ask more than the limit.
CREATE TABLE rate_counts (
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    window_start TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, window_start)
);

-- National figures "as of now", taken once a quarter (the first time they are asked for in it)
-- and shown unchanged for the rest of it, so that two days cannot be compared to single out a
-- child.
CREATE TABLE national_snapshots (
    key TEXT PRIMARY KEY,
    taken_on TEXT NOT NULL,
    body TEXT NOT NULL
);
