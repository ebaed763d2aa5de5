-- Devices hardened (issue 20). A device proves it is itself with a secret only it holds (the
-- hash is kept here); its data key is sealed with the key ring (`key_id` names the key; '' for a
-- key an older version kept in clear, sealed at the next start); a password reset rotates the
-- data key and keeps the previous one, sealed, until the device has re-sealed its copy with the
-- new one; and the time of the last password change tells a device its wrapping is stale.
ALTER TABLE devices ADD COLUMN secret_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN previous_key TEXT;
ALTER TABLE devices ADD COLUMN previous_key_id TEXT;
ALTER TABLE devices ADD COLUMN unlocked_at TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
