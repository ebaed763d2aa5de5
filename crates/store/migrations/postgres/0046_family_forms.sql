-- Forms filled in on a household's record or on a carer household's record (issue 25), kept
-- in the same table as the child's record forms: each answer names exactly one record (the
-- child, the household or the carer).
ALTER TABLE record_form_answers ALTER COLUMN child_id DROP NOT NULL;
ALTER TABLE record_form_answers ADD COLUMN household_id TEXT REFERENCES households(id);
ALTER TABLE record_form_answers ADD COLUMN carer_id TEXT REFERENCES carers(id);
ALTER TABLE record_form_answers ADD CONSTRAINT record_form_answers_one_record
    CHECK (num_nonnulls(child_id, household_id, carer_id) = 1);
CREATE INDEX record_form_answers_household ON record_form_answers (household_id, form_id, answered_on);
CREATE INDEX record_form_answers_carer ON record_form_answers (carer_id, form_id, answered_on);
