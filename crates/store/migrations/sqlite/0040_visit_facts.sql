-- Who made a follow-up visit and how (issue 25), in columns of their own so the indicators can
-- break visits down by them. Written from the typed record (`CaseEntry::facts`); visits recorded
-- before the questions existed were the case worker's home visits, which is how they read.
ALTER TABLE case_entries ADD COLUMN visit_by TEXT;
ALTER TABLE case_entries ADD COLUMN visit_mode TEXT;
UPDATE case_entries SET visit_by = 'case_worker', visit_mode = 'home' WHERE kind = 'visit';
