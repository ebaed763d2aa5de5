-- Web push to the installed offline app (issue 26): the installation's VAPID key pair, its
-- private half sealed with the key ring, and one subscription per device, ended with the
-- device (revoked) or its owner's account (disabled).
CREATE TABLE notification_push_keys (
    id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    private_key_id TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE notification_push_subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL UNIQUE REFERENCES devices(id),
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_sent_at TEXT
);
CREATE INDEX notification_push_subscriptions_user ON notification_push_subscriptions (user_id);
