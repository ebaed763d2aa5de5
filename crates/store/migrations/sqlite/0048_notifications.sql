-- Notifications (issue 26): each notice is kept with the event that caused it, in the same
-- transaction; the inbox reads `notifications`, and a background worker delivers the other
-- channels from `notification_deliveries` (claimed by one server at a time, retried).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    event TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 1,
    link TEXT NOT NULL,
    -- One daily digest per person and day: a second server making it again adds nothing.
    once_key TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, once_key);

CREATE TABLE notification_deliveries (
    id TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications(id),
    channel TEXT NOT NULL,
    -- pending, sent, failed (after the last try) or skipped (nowhere to send it).
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    claimed_until TEXT,
    -- Which claim holds it: only that server records the outcome.
    claim_token TEXT,
    sent_at TEXT,
    error TEXT
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (state, not_before);
CREATE INDEX notification_deliveries_notice ON notification_deliveries (notification_id);

-- Channels chosen per event: by a person (owner_kind 'user') or as an organisation's default ('org').
CREATE TABLE notification_choices (
    owner_kind TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    event TEXT NOT NULL,
    channels TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, event)
);

-- An organisation's quiet hours (Cambodia's time, HH:MM): e-mails and pushes wait for their end.
CREATE TABLE notification_quiet (
    org_id TEXT PRIMARY KEY REFERENCES organisations(id),
    starts TEXT NOT NULL,
    ends TEXT NOT NULL
);

-- A person's e-mail address for notices (kept apart from the account, which archives carry).
CREATE TABLE notification_addresses (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    email TEXT NOT NULL
);

-- The installation's outgoing mail server (one row); the password sealed with the key ring.
CREATE TABLE notification_mail (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    port BIGINT NOT NULL,
    security TEXT NOT NULL,
    username TEXT,
    password TEXT,
    password_key_id TEXT,
    from_address TEXT NOT NULL,
    site TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT REFERENCES users(id)
);

-- Daily runs (the overdue digest): claimed by one server, taken over if it stops.
CREATE TABLE notification_runs (
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    claimed_until TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (kind, day)
);

-- Private calendar feeds: the secret of the address is kept as its hash only.
CREATE TABLE notification_feeds (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    secret_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX notification_feeds_user ON notification_feeds (user_id, created_at);
