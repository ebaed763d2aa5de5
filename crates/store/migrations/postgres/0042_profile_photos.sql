-- Profile photos of children and carer households (issue 25). The files live in the files
-- directory under `id` (the 1024-pixel copy) and `small_id` (160 pixels), re-encoded from the
-- pixels so no location or camera metadata is kept. A new photo replaces the current one; the
-- old row stays, with when it was replaced.
CREATE TABLE profile_photos (
    id TEXT PRIMARY KEY,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    small_id TEXT NOT NULL,
    full_sha256 TEXT NOT NULL,
    small_sha256 TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    replaced_at TEXT
);
CREATE INDEX profile_photos_current ON profile_photos (owner_type, owner_id) WHERE replaced_at IS NULL;
