-- Forms shared between organisations (issue 25): a published form another organisation may
-- adopt as its own draft (the ministry's are national templates); the copy remembers where it
-- came from, as a note rather than a reference (the template is another organisation's, which
-- an organisation's archive does not carry). And at most one current profile photo per record,
-- said by the schema itself.
ALTER TABLE custom_forms ADD COLUMN shared BIGINT NOT NULL DEFAULT 0;
ALTER TABLE custom_forms ADD COLUMN adopted_from TEXT;
CREATE INDEX custom_forms_shared ON custom_forms (shared) WHERE shared = 1;
CREATE INDEX custom_forms_adopted ON custom_forms (adopted_from) WHERE adopted_from IS NOT NULL;
DROP INDEX profile_photos_current;
CREATE UNIQUE INDEX profile_photos_current ON profile_photos (owner_type, owner_id) WHERE replaced_at IS NULL;
