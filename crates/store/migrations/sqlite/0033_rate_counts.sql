-- How often each user asked a question that is limited per hour (the duplicate check), one row
-- per user, kind and hour. Counted by one atomic upsert, so parallel requests and several app
-- servers cannot ask more than the limit.
CREATE TABLE rate_counts (
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    window_start TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind, window_start)
);
