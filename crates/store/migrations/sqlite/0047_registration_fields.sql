-- Single fields added to the child's registration form and the household's form (issue 25):
-- an organisation marks one of its child-record forms (one of its household forms) as part of
-- that form; its questions are asked there and kept as an answer on the record.
ALTER TABLE custom_forms ADD COLUMN in_registration BIGINT NOT NULL DEFAULT 0;
