-- The device a session works for (enrolled from it, synced from it, or signed in on a browser
-- that carries it): revoking a lost phone ends its sessions at once, not at their timeout.
ALTER TABLE sessions ADD COLUMN device_id TEXT;
CREATE INDEX sessions_device ON sessions (device_id);

-- Second-step secrets sealed with the key file like sensitive information (a copy of the
-- database or of a backup no longer gives them): the key that sealed each one. NULL with a
-- secret present means one kept in clear by an older version, sealed when the server starts.
ALTER TABLE users ADD COLUMN totp_key_id TEXT;
