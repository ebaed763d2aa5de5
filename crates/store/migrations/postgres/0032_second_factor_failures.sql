-- Wrong two-step codes entered on a pending session: after a few the session ends, so a
-- stolen password cannot be followed by unlimited guesses of the code.
ALTER TABLE sessions ADD COLUMN second_factor_failures BIGINT NOT NULL DEFAULT 0;
